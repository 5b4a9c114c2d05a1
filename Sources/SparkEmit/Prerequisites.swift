import SparkPlan

/// What a node's runbook step "Prerequisites" installs beyond what the hardware's OS brings,
/// in one place so the runbook and the deploy manifest (and through it the playbook) agree.
enum Prerequisites {
    /// Python packages `pip3 install --user` puts in the node user's ~/.local: the Hugging Face
    /// CLI where a runtime downloads from the Hub (every runtime but Ollama, which pulls its own
    /// models), and LiteLLM where it runs as a systemd unit rather than in compose.
    static func pipPackages(_ node: NodePlan) -> [String] {
        var packages: [String] = []
        let fetchesFromHub = node.clusterRoles.contains { role in
            if case .huggingFace = role.cluster.weights.fetch { return true }
            return false
        }
        if fetchesFromHub { packages.append("huggingface_hub[cli]") }
        if node.litellm != nil, node.litellm?.container == nil {
            packages += ["litellm[proxy]==\(LiteLLMPlan.version)", "prisma"]
        }
        return packages
    }

    /// Debian packages the pip step needs: a fresh Ubuntu has Python but not pip.
    static func systemPackages(_ node: NodePlan) -> [String] {
        pipPackages(node).isEmpty ? [] : ["python3-pip"]
    }

    /// Whether python3 is externally managed (PEP 668: an EXTERNALLY-MANAGED file in its stdlib
    /// directory, as on Ubuntu 23.04 and later): only then does pip need --break-system-packages
    /// for `--user`, and only pip 23.0.1 and later know the flag (Ubuntu 22.04's pip 22.0.2 stops
    /// at "no such option"; pip's NEWS, 23.0.1).
    static let externallyManaged =
        "python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()[\"stdlib\"], \"EXTERNALLY-MANAGED\")))'"

    /// The shell lines that install `packages` (already quoted for the shell) with
    /// `pip3 install --user`, adding --break-system-packages where the interpreter is externally managed.
    static func pipInstall(_ packages: [String]) -> String {
        let packages = packages.map { $0.contains("[") || $0.contains("=") ? "'\($0)'" : $0 }
        return "if \(externallyManaged); then\n  pip3 install --user --break-system-packages \(packages.joined(separator: " "))\n"
            + "else\n  pip3 install --user \(packages.joined(separator: " "))\nfi\n"
    }

    /// A shell command that fails unless python3 is the version the node's LiteLLM unit puts on
    /// PYTHONPATH (`~/.local/lib/pythonX.Y/site-packages`, from `nodes.<name>.python`); nil
    /// where LiteLLM does not run from the user's site-packages.
    static func pythonVersionCheck(_ node: NodePlan) -> (command: String, stop: String)? {
        guard let litellm = node.litellm, litellm.container == nil,
            !node.python.isEmpty, node.python.allSatisfy({ $0.isNumber || $0 == "." })
        else { return nil }
        let stop = "python3 is not \(node.python) (\(SystemdEmitter.pythonPathHolder)): set nodes.\(node.name).python to its version and build again"
        return ("python3 -c 'import sys; sys.exit(\"%d.%d\" % sys.version_info[:2] != \"\(node.python)\")'", stop)
    }

    /// The one shell line that installs Tailscale where it is missing (tailscale.com's installer).
    static let tailscaleInstall = "command -v tailscale >/dev/null || curl -fsSL https://tailscale.com/install.sh | sh"
}

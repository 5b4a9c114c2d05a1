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

    /// The one shell line that installs Tailscale where it is missing (tailscale.com's installer).
    static let tailscaleInstall = "command -v tailscale >/dev/null || curl -fsSL https://tailscale.com/install.sh | sh"
}

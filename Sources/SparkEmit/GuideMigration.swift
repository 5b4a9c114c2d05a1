import SparkPlan
import SparkSpec

/// The runbook section for a Spark that already runs the two-Spark split-trust stack set up by
/// hand with `docker run` (the "At-Home AI Stack" instructions this project first compiled):
/// which of its containers to remove, which volumes to keep, and what an old database and Open
/// WebUI carry over that the generated stack would otherwise inherit. The runbook names that
/// setup by its containers, so a reader who never ran it can tell at once the step is not theirs.
struct GuideMigration {
    let node: NodePlan

    /// Whether the node may come from that setup: it ran on DGX Sparks (another box starts
    /// fresh) and ran LiteLLM under systemd (a compose-run LiteLLM comes from another setup);
    /// its Sparks ran LiteLLM or were a cluster's peer on a direct link (a Spark with neither, a
    /// model called over the tailnet, was never set up from it). A catalog's Sparks come from
    /// spark-vllm-docker instead.
    static func applies(to node: NodePlan, servesCatalog: Bool) -> Bool {
        node.hardware.kind == RunbookEmitter.guideHardware && node.litellm?.container == nil && !servesCatalog
            && (node.litellm != nil || !node.clusterInterfaces.isEmpty)
    }

    /// That setup's vLLM containers: the head's model, its fallback model, and the Ray worker.
    static let guideModelContainers = ["vllm-qwen-122b", "vllm-qwen-35b", "vllm-ray-worker"]

    /// The Postgres commands that make a volume initialised by that setup (trust for local and
    /// 127.0.0.1 connections, password 'litellm') require the password from the secret file.
    /// The password is changed first, while the old rules still let the socket in. psql reads
    /// it from the container's environment with `\getenv` (psql 15 and later; the image is
    /// postgres:16), never from its command line, which every process on the host can read in
    /// /proc; printf is bash's builtin, so the script's lines reach psql on stdin alone.
    static func databaseCommands(container: String) -> [String] {
        [
            "docker exec \(container) bash -c 'printf \"%s\\n\" \"\\getenv pw POSTGRES_PASSWORD\" "
                + "\"ALTER ROLE \(LiteLLMPlan.Database.user) PASSWORD :'\\''pw'\\'';\" "
                + "| psql -q -v ON_ERROR_STOP=1 -U \(LiteLLMPlan.Database.user) -d \(LiteLLMPlan.Database.name)'",
            "docker exec \(container) sed -i -E 's/[[:space:]]trust$/ scram-sha-256/' /var/lib/postgresql/data/pg_hba.conf",
            "docker kill --signal=HUP \(container)",
        ]
    }

    /// The step's notes and commands.
    func parts() -> [RunbookPart] {
        let apps = node.workloads.filter { $0.runner == .compose }.map(\.name)
        let containers = Self.guideModelContainers.map { "`\($0)`" }.joined(separator: ", ")
        var parts: [RunbookPart] = [
            .note(
                "Skip this on a fresh machine. Run it first only if this node already runs a stack set up by hand with "
                    + "`docker run`, as in the two-Spark \"At-Home AI Stack\" instructions (`docker ps -a` lists containers such as "
                    + "\(containers)): those containers hold the ports and container names this stack uses."),
            .commands([RunbookCommand("docker rm -f \((Self.guideModelContainers + apps).joined(separator: " ")) 2>/dev/null || true")]),
        ]
        let volumes = node.workloads.flatMap(\.namedVolumes)
        guard !volumes.isEmpty else {
            // The Markdown this step printed before it was typed has a second blank line here,
            // kept so the runbooks stay byte-identical; dropping it changes three goldens.
            var notes = databaseAndAppNotes()
            if case .note(let first) = notes.first { notes[0] = .note("\n" + first) }
            return parts + notes
        }
        parts.append(
            .note(
                "`docker rm` keeps volumes. This stack names its volumes as those `docker run` commands did "
                    + "(\(volumes.map { "`\($0)`" }.joined(separator: ", "))), so chat history, "
                    + "workflows and keys carry over. A volume made with compose from the stack directory carries "
                    + "the directory's name in front; copy it once:"))
        let project = node.stackDir.split(separator: "/").last.map(String.init) ?? "stack"
        parts.append(
            .commands(
                volumes.map { volume in
                    let old = "\(project)_\(volume)"
                    return RunbookCommand(
                        "if docker volume inspect \(old) >/dev/null 2>&1 && ! docker volume inspect \(volume) >/dev/null 2>&1; then\n"
                            + "  docker volume create \(volume) && docker run --rm -v \(old):/from:ro -v \(volume):/to alpine cp -a /from/. /to/\n"
                            + "fi")
                }))
        return parts + databaseAndAppNotes()
    }

    private func databaseAndAppNotes() -> [RunbookPart] {
        var parts: [RunbookPart] = []
        if node.litellm?.database != nil {
            parts.append(
                .note(
                    "A database volume made by those instructions trusts every local connection and has the password `litellm`. "
                        + "After `\(App.litellmDB.containerName)` is up in the \(GatewayDifferences.stepName), and before `prisma db push`, run once:"))
            parts.append(.commands(Self.databaseCommands(container: App.litellmDB.containerName).map { RunbookCommand($0) }))
        }
        // What an app kept from that setup is its kind's to say.
        parts += node.operations.flatMap(\.fromHandMadeStack).map { RunbookPart.note($0) }
        parts.append(.note("A `litellm.service` and its drop-in from that setup are replaced by the copy step, and its ufw rules by `firewall.sh`."))
        return parts
    }
}

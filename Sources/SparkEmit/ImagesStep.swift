import SparkPlan

/// The runbook step that pulls every image the node runs and builds the derived ones, right
/// after the tools are installed, before anything waits for a model.
///
/// A tag that does not exist, or an image without this machine's architecture ("no matching
/// manifest for linux/arm64/v8"), then fails in the first minutes instead of after a model's
/// 30-minute readiness wait; and the downloads of tens of GB happen once, up front. `docker
/// pull` names the images one by one: `docker compose pull` would need the secret env files
/// the compose file loads, which the secrets step makes later.
struct ImagesStep {
    let plan: Plan
    let node: NodePlan

    static let title = "Images"

    /// The images to pull, in the order the node uses them, each once.
    var pulls: [String] {
        var images: [String] = []
        func add(_ image: String) { if !images.contains(image) { images.append(image) } }
        for role in node.clusterRoles where role.cluster.isScripted {
            // A derived image's base is pulled here; the build below adds Ray to it.
            add(role.cluster.dockerfileName == nil ? role.cluster.image : role.cluster.runtime.baseImage)
        }
        let later = Set(node.operations.flatMap(\.pulledByItself))
        for workload in node.workloads where !later.contains(workload.image) { add(workload.image) }
        return images
    }

    /// The derived images: (Dockerfile path on the node, tag), each once.
    var builds: [(dockerfile: String, tag: String)] {
        var builds: [(dockerfile: String, tag: String)] = []
        for role in node.clusterRoles where role.cluster.isScripted {
            guard let name = role.cluster.dockerfileName else { continue }
            let path = Layout.stackPath(node, name)
            if !builds.contains(where: { $0.dockerfile == path }) { builds.append((path, role.cluster.image)) }
        }
        return builds
    }

    var isEmpty: Bool { pulls.isEmpty && builds.isEmpty }

    /// The step's notes and commands (the files it reads are the Dockerfiles of `builds`).
    var parts: [RunbookPart] {
        var parts: [RunbookPart] = [
            .note(
                "Every image this node runs, pulled (and the derived ones built) now: a tag that does not exist or an image "
                    + "without this machine's architecture (`no matching manifest for linux/…`) fails here, in the first minutes, "
                    + "not after a model's readiness wait. Each line must succeed before you go on."),
            .commands(
                pulls.map { RunbookCommand("docker pull \(Shell.quote($0))") }
                    + builds.map {
                        RunbookCommand("docker build -f \(Shell.quote($0.dockerfile)) -t \(Shell.quote($0.tag)) \(Shell.quote(node.stackDir))")
                    }),
        ]
        let later = node.operations.flatMap(\.pulledByItself)
        if !later.isEmpty {
            parts.append(
                .note(
                    "\(later.map { "`\($0)`" }.joined(separator: ", ")) need\(later.count == 1 ? "s" : "") a registry login with a key the secrets step makes: "
                        + "the Apps step pulls \(later.count == 1 ? "it" : "them") right after the login."))
        }
        return parts
    }
}

import SparkSpec

/// The image each containerised app runs unless the topology names another: a release pinned
/// by a version tag, with where the tag is published. The images are multi-arch (amd64 and
/// arm64), as their listings say.
public struct DefaultImage: Sendable {
    public let program: Program
    public let repository: String
    public let tag: String
    public let source: String

    public var reference: String { "\(repository):\(tag)" }
}

public enum DefaultImages {
    public static let litellm = DefaultImage(
        program: .litellm, repository: "ghcr.io/berriai/litellm", tag: "v\(LiteLLMPlan.version)",
        source: "BerriAI/litellm release notes: since 1.99 each release publishes ghcr.io/berriai/litellm:X.Y.Z and vX.Y.Z "
            + "(v1.99.1 'Image Tags: 1.99.1, v1.99.1'; v1.103.9 'cosign verify … ghcr.io/berriai/litellm:v1.103.9'); "
            + "the main-vX.Y.Z tags of .github/workflows/ghcr_deploy.yml belong to older releases")
    public static let openWebUI = DefaultImage(
        program: .openWebUI, repository: "ghcr.io/open-webui/open-webui", tag: "v0.9.6",
        source: "open-webui/open-webui release v0.9.6 (2026-06); its docker workflow tags ghcr.io/open-webui/open-webui:vX.Y.Z")
    public static let n8n = DefaultImage(
        program: .n8n, repository: "n8nio/n8n", tag: "2.35.7",
        source: "n8n 2.35.7, the release n8n's 'latest' and 'stable' Docker tags point to in August 2026 "
            + "(8gears/n8n-helm-chart release 2.1.0 notes)")
    public static let hermesWebUI = DefaultImage(
        program: .hermesWebUI, repository: "ghcr.io/nesquena/hermes-webui", tag: "0.52.113",
        source: "nesquena/hermes-webui@v0.52.113 .github/workflows/release.yml (tag vX.Y.Z publishes ghcr.io/nesquena/hermes-webui:X.Y.Z)")
    public static let postgres = DefaultImage(
        program: .postgres, repository: "postgres", tag: "16.15",
        source: "docker-library/official-images@37079fb library/postgres (Tags: 16.15, 16); major 16 kept, since a new major "
            + "needs pg_upgrade of LiteLLM's data")
    public static let redis = DefaultImage(
        program: .redis, repository: "redis", tag: "7.4.11",
        source: "docker-library/official-images@37079fb library/redis (Tags: 7.4.11, 7.4, 7)")
    public static let nginx = DefaultImage(
        program: .nginx, repository: "nginx", tag: "1.30.4",
        source: "docker-library/official-images@37079fb library/nginx (Tags: 1.30.4, stable, 1.30)")

    public static let all: [DefaultImage] = [litellm, openWebUI, n8n, hermesWebUI, postgres, redis, nginx]

    /// What an app image is, for a repository of a default app image; the version is the tag's.
    static func fact(repository: String, tag: String) -> ImageFact? {
        guard let image = all.first(where: { $0.repository == repository }) else { return nil }
        return ImageFact(
            program: image.program, version: ReleaseVersion(tag), architectures: ImageFacts.both, gpu: nil, source: image.source)
    }
}

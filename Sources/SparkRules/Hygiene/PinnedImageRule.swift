import SparkDiagnostics
import SparkPlan
import SparkSpec

/// HY005: the images a topology names do not move under it.
struct PinnedImageRule: Rule {
    let description = RuleDescription(
        id: "HY005",
        title: "images are pinned to a version or a digest",
        rationale: """
            A tag such as latest, main-stable, rocm or llama.cpp's server-vulkan is moved by every \
            release: the same topology then deploys a different server on each machine and on each \
            'docker compose pull', and an upgrade arrives unreviewed (LiteLLM's main-stable has \
            changed config keys between releases). A tag with a version (0.12.6, v0.11.2, b6700) or a \
            digest names one image. The generated files are reviewed in diffs; a moving tag hides \
            the one change that matters. spark-gen's own default images are held to the same rule: \
            each is a release tag the facts layer cites (SparkPlan/Facts/DefaultImages.swift).
            """,
        severity: .warning,
        help: "write a versioned tag, or keep the tag and add 'digest: sha256:…' (docker buildx imagetools inspect IMAGE prints it)",
        triggering: [
            RuleExample(.amdBox, replacing: "image: ollama/ollama:0.12.6-rocm", with: "image: ↓ollama/ollama:rocm"),
            RuleExample(
                .amdBox, replacing: "apps: [{litellm: {runner: compose, port: 4000}}]",
                with: "apps: [{litellm: {runner: compose, port: 4000, image: ↓ghcr.io/berriai/litellm:main-stable}}]"),
            RuleExample(.oneSpark, replacing: "    apps: [litellm]", with: "    apps: [litellm, {open-webui: {image: ↓ghcr.io/open-webui/open-webui:main}}]"),
        ],
        nonTriggering: [
            .clean(.oneSpark),
            RuleExample(
                .amdBox, replacing: "apps: [{litellm: {runner: compose, port: 4000}}]",
                with:
                    "apps: [{litellm: {runner: compose, port: 4000, image: ghcr.io/berriai/litellm:main-stable, digest: sha256:\(String(repeating: "ab", count: 32))}}]"
            ),
            RuleExample(
                .oneSpark, replacing: "    apps: [litellm]", with: "    apps: [litellm, {open-webui: {digest: sha256:\(String(repeating: "cd", count: 32))}}]"),
        ])

    /// True when the reference names one image: a digest, or a tag with a version in it.
    static func isPinned(_ image: String) -> Bool {
        let reference = ImageReference(image)
        if reference.digest?.hasPrefix("sha256:") == true { return true }
        guard let written = reference.tag else { return false }
        let tag = Array(written.utf8)
        let digit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        for index in tag.indices {
            // A dotted version (0.12.6, 26.04) or a build number (b6700).
            if index + 2 < tag.count, digit(tag[index]), tag[index + 1] == UInt8(ascii: "."), digit(tag[index + 2]) { return true }
            if tag[index] == UInt8(ascii: "b"), index == 0 || tag[index - 1] == UInt8(ascii: "-"),
                tag.count - index > 3, tag[(index + 1)...].prefix(3).allSatisfy(digit)
            {
                return true
            }
        }
        return false
    }

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        var modelServices: Set<String> = []
        // A fleet's models and apps run a handful of images: each is read once.
        var pinned: [String: Bool] = [:]
        func isPinned(_ image: String) -> Bool {
            if let known = pinned[image] { return known }
            let answer = Self.isPinned(image)
            pinned[image] = answer
            return answer
        }
        for cluster in context.plan.clusters {
            if let service = cluster.serviceName { modelServices.insert("\(cluster.head.name)/\(service)") }
            // A multi-node vLLM's own image is built on the node from the base image, not pulled.
            if !isPinned(cluster.runtime.baseImage) {
                findings.append(RuleFinding("model '\(cluster.name)' runs \(cluster.runtime.baseImage), whose tag moves", at: cluster.imagePath))
            }
        }
        // Every app's image, spark-gen's own defaults included: no exemption.
        for node in context.plan.nodes {
            for workload in node.workloads where !modelServices.contains("\(node.name)/\(workload.name)") && !isPinned(workload.image) {
                findings.append(
                    RuleFinding("app '\(workload.name)' on node '\(node.name)' runs \(workload.image), whose tag moves", at: workload.path / "image"))
            }
        }
        return findings
    }
}

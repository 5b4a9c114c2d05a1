import Dispatch
import SparkDiagnostics
import SparkPlan
import SparkSpec

/// Every rule spark-gen enforces, in id order, and the machinery that runs them.
public enum RuleCatalog {
    public static let rules: [any Rule] = sortedByID([
        ModelListenRule(),
        ClusterPortsOffTailnetRule(),
        AppExposureRule(),
        OwnLiteLLMRule(),
        OwnTailnetRule(),
        DACRouteRule(),
        MutualShareRule(),
        TaggedShareRule(),
        SharedNodeAddressRule(),
        CrossOwnerModelRule(),
        PolicyTestsRule(),
        SeparateTailnetsRule(),
        ForeignKeyRule(),
        AppKeyRule(),
        VirtualKeyDatabaseRule(),
        DACInterfaceRule(),
        DirectLinkRule(),
        RayTokenAuthRule(),
        ToolParserRule(),
        SeparateLinksRule(),
        ImageRecipeRule(),
        LiveBackendRule(),
        RoutedModelsRule(),
        SSHWayInRule(),
        DistinctMasterKeysRule(),
        LiteralSecretRule(),
        AppLoginRule(),
        AddressPlanRule(),
        ParallelismRule(),
        ClusterMembershipRule(),
        RayRuntimeRule(),
        ModelFitsRule(),
        PrefixCachingBatchRule(),
        PortClaimsRule(),
        ResidentModelsRule(),
        HostNamesRule(),
        CrossOwnerClusterRule(),
        ShadowedFirewallRule(),
        ImagePlatformRule(),
        LlamaCppSlotsRule(),
        PinnedImageRule(),
        RemoteCodeRule(),
        PinnedModelRule(),
        PinnedRemoteCodeRule(),
        GPUAssignmentRule(),
        CatalogSwapRule(),
        FallbackChainRule(),
        SeniorModelRule(),
        VisionFallbackRule(),
        ToolRouteParserRule(),
        ConcurrencyCapRule(),
        SaltKeyRule(),
        HandoverReachRule(),
        ServeArgumentsRule(),
        KnownBadBuildRule(),
        LoadFormatExtraRule(),
        FullWidthRoCERule(),
    ])

    /// The rules in the order of their ids, each id read once: sorting on
    /// `$0.description.id` copied two descriptions (long texts and example lists) out of
    /// their existentials at each of some 300 comparisons, on every run before any rule ran.
    /// The positions are sorted, not (id, rule) pairs, which copied a rule at each move.
    private static func sortedByID(_ rules: [any Rule]) -> [any Rule] {
        let ids = rules.map(\.description.id)
        return ids.indices.sorted { ids[$0] < ids[$1] }.map { rules[$0] }
    }

    /// Nodes and models from which the rules run on two threads.
    static let parallelFrom = 256

    /// Each rule's findings, in the catalog's order, the rules shared between two threads.
    /// A rule reads only the context (Sendable: the plan's classes hold constants), so the
    /// findings, and the diagnostics made from them in order below, are the same as one
    /// thread's; on a fleet the rules are a fifth of lint, and the machine has two cores.
    static func findings(of rules: [any Rule], in context: RuleContext) -> [[RuleFinding]] {
        // A small plan's rules take less than starting a thread (lint of one topology is at
        // its start-up floor, issue 26 item 4): one thread.
        guard context.plan.nodes.count + context.plan.clusters.count >= parallelFrom else { return rules.map { $0.check(context) } }
        var findings = [[RuleFinding]](repeating: [], count: rules.count)
        findings.withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: 2) { lane in
                // Alternate rules, so neither thread takes all the costly ones.
                for index in stride(from: lane, to: rules.count, by: 2) { slots.buffer[index] = rules[index].check(context) }
            }
        }
        return findings
    }

    /// The findings' slots, shared by the two threads: each writes only its own (every
    /// other index), and `concurrentPerform` returns after both are done.
    private struct Slots: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<[RuleFinding]>
    }

    public static func rule(id: String) -> (any Rule)? {
        rules.first { $0.description.id == id }
    }

    /// Runs every rule; findings of an accepted rule become notes that quote the reason.
    public static func check(_ context: RuleContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var used = Set<Int>()
        let risks = context.plan.acceptedRisks
        for (index, risk) in risks.enumerated() where rule(id: risk.rule) == nil {
            used.insert(index)
            let ids = rules.map(\.description.id)
            let hint = Suggestion.hint(for: risk.rule, in: ids)
            diagnostics.append(
                .error(
                    .resolveUnknownRule, "accept_risks names rule '\(risk.rule)', which does not exist", at: risk.path / "rule",
                    help: "\(hint)'spark-gen rules' lists the rule ids"))
        }
        for (rule, findings) in zip(rules, findings(of: rules, in: context)) {
            let description = rule.description
            let acceptance = risks.firstIndex { $0.rule == description.id }
            for finding in findings {
                if let acceptance {
                    used.insert(acceptance)
                    var note = Diagnostic(
                        .note, "accepted: \(finding.message) (reason: \(risks[acceptance].reason))", code: description.id,
                        path: finding.path)
                    note.acceptedReason = risks[acceptance].reason
                    diagnostics.append(note)
                } else {
                    diagnostics.append(
                        Diagnostic(
                            description.severity, finding.message, code: description.id, help: finding.help ?? description.help,
                            path: finding.path))
                    if let related = finding.related {
                        diagnostics.append(Diagnostic(.note, related.message, code: description.id, path: related.path))
                    }
                }
            }
        }
        for (index, risk) in risks.enumerated() where !used.contains(index) {
            diagnostics.append(
                Diagnostic(
                    .resolveUnusedAcceptance, "accept_risks entry for \(risk.rule) matches no finding", severity: .warning,
                    help: "remove the entry: an acceptance that no longer applies would silently cover a future finding", path: risk.path))
        }
        return diagnostics
    }
}

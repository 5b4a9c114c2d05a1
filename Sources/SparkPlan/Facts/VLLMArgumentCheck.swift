/// What the release of vLLM an image holds says about a `vllm serve` line: a flag it no longer
/// (or does not yet) accept, a value outside a flag's list. Rules ask this, so none of them
/// reads a version.
public struct VLLMArgumentProblem: Sendable, Equatable {
    public let flag: String
    /// The value refused, or nil when the flag itself is.
    public let value: String?
    public let message: String
    /// The fix: the release that accepts it, or what this release accepts.
    public let help: String
}

public enum VLLMArgumentCheck {
    /// The problems of `arguments` (one group of words per flag, the flag first) under the vLLM
    /// release `image` holds; none when the table has no such release or the image is not vLLM.
    public static func problems(_ arguments: [[String]], image: String) -> [VLLMArgumentProblem] {
        problems(arguments, image: image, fact: ImageFacts.fact(of: image))
    }

    /// The same with the image's fact already read (`ClusterPlan.imageFact`): reading it again
    /// for every model was a third of ServeArgumentsRule on a fleet.
    public static func problems(_ arguments: [[String]], image: String, fact: ImageFact?) -> [VLLMArgumentProblem] {
        guard let fact, fact.program == .vllm, let version = fact.version else { return [] }
        return problems(arguments, version: version, image: image, versions: VLLMServeArguments.versions, release: VLLMServeArguments.at(version:))
    }

    /// The same against given tables (oldest first), so a test can hold a release that drops a flag.
    public static func problems(
        _ arguments: [[String]], version: ReleaseVersion, image: String, tables: [VLLMServeArguments]
    ) -> [VLLMArgumentProblem] {
        problems(arguments, version: version, image: image, versions: tables.map(\.version)) { name in tables.first { $0.version == name } }
    }

    /// `versions` oldest first; `release` gives a version's table. Tables other than the image's
    /// are asked for only to explain a problem, so a line its release accepts builds one table.
    private static func problems(
        _ arguments: [[String]], version: ReleaseVersion, image: String, versions: [String], release: (String) -> VLLMServeArguments?
    ) -> [VLLMArgumentProblem] {
        guard let name = versions.first(where: { ReleaseVersion($0) == version }), let table = release(name) else { return [] }
        var problems: [VLLMArgumentProblem] = []
        for group in arguments {
            guard let flag = group.first else { continue }
            // One search of the table per flag: asking `accepts(flag:)`, then `choices(for:)`,
            // then `accepts(_:for:)` searched it three times (each a bisection of String
            // compares), for every flag of every model of a fleet.
            guard let choices = table.choices(for: flag) else {
                let older = versions.filter { ReleaseVersion($0).map { $0 < version } ?? false }
                let newer = versions.filter { ReleaseVersion($0).map { $0 > version } ?? false }
                if let last = older.last(where: { release($0)?.accepts(flag: flag) ?? false }) {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil,
                            message:
                                "\(image) runs vLLM \(table.version), which no longer accepts \(flag) (\(last) was the last release that did; \(table.source))",
                            help: "remove the setting, or pin a vLLM release up to \(last)"))
                } else if let first = newer.first(where: { release($0)?.accepts(flag: flag) ?? false }) {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil,
                            message: "\(image) runs vLLM \(table.version), which does not accept \(flag) yet (\(table.source))",
                            help: "pin vLLM \(first) or later, which accepts it"))
                } else {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil, message: "\(image) runs vLLM \(table.version), which does not accept \(flag) (\(table.source))",
                            help: "remove the setting"))
                }
                continue
            }
            guard group.count > 1, !choices.isEmpty else { continue }
            let value = group[1]
            guard !choices.contains(value) else { continue }
            let first = versions.first { name in
                ReleaseVersion(name).map { $0 > version } ?? false && release(name)?.accepts(value, for: flag) ?? false
            }
            problems.append(
                VLLMArgumentProblem(
                    flag: flag, value: value,
                    message: "\(image) runs vLLM \(table.version), whose \(flag) does not accept '\(value)'"
                        + (first.map { "; vLLM \($0) is the first release that does" } ?? "") + " (\(table.source))",
                    help: first.map { "pin vLLM \($0) or later (its image tag v\($0)), or choose one of: \(choices.joined(separator: ", "))" }
                        ?? "choose one of: \(choices.joined(separator: ", "))"))
        }
        return problems
    }
}

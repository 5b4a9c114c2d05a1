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
        guard let fact = ImageFacts.fact(of: image), fact.program == .vllm, let version = fact.version else { return [] }
        return problems(arguments, version: version, image: image, tables: VLLMServeArguments.all)
    }

    /// The same against given tables (oldest first), so a test can hold a release that drops a flag.
    public static func problems(
        _ arguments: [[String]], version: ReleaseVersion, image: String, tables: [VLLMServeArguments]
    ) -> [VLLMArgumentProblem] {
        guard let table = tables.first(where: { ReleaseVersion($0.version) == version }) else { return [] }
        var problems: [VLLMArgumentProblem] = []
        for group in arguments {
            guard let flag = group.first else { continue }
            if !table.accepts(flag: flag) {
                let older = tables.filter { ReleaseVersion($0.version).map { $0 < version } ?? false }
                let newer = tables.filter { ReleaseVersion($0.version).map { $0 > version } ?? false }
                if let last = older.last(where: { $0.accepts(flag: flag) }) {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil,
                            message:
                                "\(image) runs vLLM \(table.version), which no longer accepts \(flag) (\(last.version) was the last release that did; \(table.source))",
                            help: "remove the setting, or pin a vLLM release up to \(last.version)"))
                } else if let first = newer.first(where: { $0.accepts(flag: flag) }) {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil,
                            message: "\(image) runs vLLM \(table.version), which does not accept \(flag) yet (\(table.source))",
                            help: "pin vLLM \(first.version) or later, which accepts it"))
                } else {
                    problems.append(
                        VLLMArgumentProblem(
                            flag: flag, value: nil, message: "\(image) runs vLLM \(table.version), which does not accept \(flag) (\(table.source))",
                            help: "remove the setting"))
                }
                continue
            }
            guard group.count > 1, let choices = table.choices(for: flag) else { continue }
            let value = group[1]
            guard !table.accepts(value, for: flag) else { continue }
            let first = tables.first { table in
                ReleaseVersion(table.version).map { $0 > version } ?? false && table.accepts(value, for: flag)
            }
            problems.append(
                VLLMArgumentProblem(
                    flag: flag, value: value,
                    message: "\(image) runs vLLM \(table.version), whose \(flag) does not accept '\(value)'"
                        + (first.map { "; vLLM \($0.version) is the first release that does" } ?? "") + " (\(table.source))",
                    help: first.map { "pin vLLM \($0.version) or later (its image tag v\($0.version)), or choose one of: \(choices.joined(separator: ", "))" }
                        ?? "choose one of: \(choices.joined(separator: ", "))"))
        }
        return problems
    }
}

/// What `vllm serve` accepts at one vLLM release, extracted from its source by scripts/vllm-facts.py.
///
/// The releases themselves are in VLLMServeArguments+Table.swift, generated from
/// facts/vllm/<version>.json (each JSON names the tag and commit it was read from, and for every
/// enumerated flag where vLLM takes its values: a Literal type, argparse choices or a parser
/// registry). A flag's list is empty for a free-form value or a switch; a switch's `--no-` form
/// is a flag of its own, as argparse's BooleanOptionalAction registers it.
public struct VLLMServeArguments: Sendable {
    public let version: String  // "0.11.2"
    public let source: String  // "vllm-project/vllm@v0.11.2 (commit 0123abc…)"
    public let flags: [String: [String]]  // "--kv-cache-dtype" → accepted values; [] for a free-form value or a switch

    public init(version: String, source: String, flags: [String: [String]]) {
        self.version = version
        self.source = source
        self.flags = flags
    }

    /// The release extracted for exactly this version ("0.11.2"), or nil.
    public static func at(version: String) -> VLLMServeArguments? {
        all.first { $0.version == version }
    }

    public func accepts(flag: String) -> Bool {
        flags[flag] != nil
    }

    /// nil for an unknown flag, [] when free-form (or a switch).
    public func choices(for flag: String) -> [String]? {
        flags[flag]
    }

    /// True for a free-form flag; false for a flag this release does not have.
    public func accepts(_ value: String, for flag: String) -> Bool {
        guard let choices = flags[flag] else { return false }
        return choices.isEmpty || choices.contains(value)
    }

    /// The oldest extracted release that accepts value for flag, for "first accepted in vLLM X".
    /// Only extracted releases are known: the answer is exact when the release before it was extracted too.
    public static func firstVersion(accepting value: String, for flag: String) -> String? {
        all.first { $0.accepts(value, for: flag) }?.version
    }
}

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
    /// Every flag ("--kv-cache-dtype") with its accepted values ([] for a free-form value or a
    /// switch), sorted by flag. A lookup is a binary search: a table costs one array literal at
    /// first use, where a dictionary hashed its 265-444 flags on every run that read it.
    private let sortedFlags: [(flag: String, values: [String])]

    public init(version: String, source: String, flags: [String: [String]]) {
        self.init(version: version, source: source, sorted: flags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// `sorted` is in ascending order of flag, as the generated tables are.
    init(version: String, source: String, sorted: [(flag: String, values: [String])]) {
        self.version = version
        self.source = source
        self.sortedFlags = sorted
    }

    public func accepts(flag: String) -> Bool {
        choices(for: flag) != nil
    }

    /// nil for an unknown flag, [] when free-form (or a switch).
    public func choices(for flag: String) -> [String]? {
        var low = 0
        var high = sortedFlags.count
        while low < high {
            let middle = (low + high) / 2
            let entry = sortedFlags[middle].flag
            if entry == flag { return sortedFlags[middle].values }
            if entry < flag { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// True for a free-form flag; false for a flag this release does not have.
    public func accepts(_ value: String, for flag: String) -> Bool {
        guard let choices = choices(for: flag) else { return false }
        return choices.isEmpty || choices.contains(value)
    }

    /// Every extracted release, oldest first. Builds every table: for tests and listings; a check
    /// of one model asks `at(version:)`, which builds only the table it names.
    public static var all: [VLLMServeArguments] {
        versions.compactMap { at(version: $0) }
    }

    /// The oldest extracted release that accepts value for flag, for "first accepted in vLLM X".
    /// Only extracted releases are known: the answer is exact when the release before it was extracted too.
    public static func firstVersion(accepting value: String, for flag: String) -> String? {
        versions.first { at(version: $0)?.accepts(value, for: flag) ?? false }
    }
}

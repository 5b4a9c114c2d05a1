/// The stable id of one kind of input error, as swift-syntax's `MessageID` is: a stage (the
/// domain) and a name, with a short code (`SP002`) to print, search and `explain`.
///
/// Rule findings carry their rule's id; every other diagnostic carries one of these, so JSON
/// and SARIF consumers can filter on it and `spark-gen explain` can describe it. Codes are
/// written out by hand and never reused or renumbered: a new kind takes the next free number
/// of its domain, and a retired one keeps its number unused.
public struct DiagnosticID: Hashable, Sendable, CustomStringConvertible {
    /// The stage that finds the error; its prefix keeps codes clear of the rule groups
    /// (CL, HY, SC, ST, TR…).
    public enum Domain: String, Sendable, CaseIterable {
        /// The file could not be read, or spark-gen itself failed.
        case input = "IO"
        /// The text is not a YAML document spark-gen reads (SparkYAML).
        case yaml = "YA"
        /// A key or value does not fit the topology schema (SparkSpec, TopologyDecoder).
        case spec = "SP"
        /// The entries do not fit together: names, links, secrets (SparkPlan, PlanResolver).
        case resolve = "RS"

        public var title: String {
            switch self {
            case .input: return "Reading the file"
            case .yaml: return "YAML syntax"
            case .spec: return "Topology schema"
            case .resolve: return "References between entries"
            }
        }
    }

    /// The printed id, such as `SP002`.
    public let code: String
    public let domain: Domain
    /// A kebab-case name, stable like the code (`unknown-key`).
    public let name: String
    /// One line: what kind of error this is.
    public let title: String
    /// What it means and why spark-gen refuses it.
    public let meaning: String
    /// What the topology may hold instead.
    public let allowed: String
    /// How to fix the input.
    public let fix: String
    /// A short piece of bad input, when one shows it better than words.
    public let example: String?
    /// How it is reported: an error unless it only warns.
    public let severity: Severity

    init(
        _ code: String, _ domain: Domain, _ name: String, severity: Severity = .error, title: String,
        meaning: String, allowed: String, fix: String, example: String? = nil
    ) {
        precondition(code.hasPrefix(domain.rawValue), "\(code) is not in domain \(domain.rawValue)")
        self.code = code
        self.domain = domain
        self.name = name
        self.title = title
        self.meaning = meaning
        self.allowed = allowed
        self.fix = fix
        self.example = example
        self.severity = severity
    }

    public var description: String { code }

    public static func == (a: DiagnosticID, b: DiagnosticID) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Every id, by domain and then code. A new id must be added here too;
    /// DiagnosticIDTests checks the codes are unique and the docs list is current.
    public static let all: [DiagnosticID] = inputIDs + yamlIDs + specIDs + resolveIDs

    /// The id with this code (`sp002`) or name (`unknown-key`), if any.
    public static func lookup(_ text: String) -> DiagnosticID? {
        let upper = text.uppercased(), lower = text.lowercased()
        return all.first { $0.code == upper || $0.name == lower }
    }

    private static let byCode = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// The id with exactly this code.
    public static func withCode(_ code: String) -> DiagnosticID? { byCode[code] }

    static let inputIDs: [DiagnosticID] = [fileUnreadable, internalError]

    public static let fileUnreadable = DiagnosticID(
        "IO001", .input, "file-unreadable", title: "the topology file does not exist or cannot be read",
        meaning: "spark-gen could not open the file named on the command line.",
        allowed: "a path to a readable file, relative to the current directory or absolute.",
        fix: "check the path and the file's permissions.")

    public static let internalError = DiagnosticID(
        "IO002", .input, "internal-error", title: "spark-gen failed while writing artifacts",
        meaning: "The topology passed every check, but an emitter failed. This is a bug in spark-gen, not in the topology.",
        allowed: "any topology that passes lint should build.",
        fix: "report it with the topology (secrets are never in it) and the message.")
}

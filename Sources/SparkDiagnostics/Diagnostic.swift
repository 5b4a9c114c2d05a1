/// One finding for the user: what was found, where, and how to fix it.
///
/// A diagnostic produced above the YAML layer carries a `path`; the pipeline fills in
/// `location` from the document's marks before anything is printed.
public struct Diagnostic: Hashable, Sendable {
    public var severity: Severity
    /// The stable id of the finding: its rule's id (`ST001`), or for an error found before the
    /// rules the code of its `DiagnosticID` (`SP002`). Every diagnostic spark-gen emits has one.
    public var code: String?
    public var message: String
    public var help: String?
    public var file: String?
    public var location: SourceLocation?
    public var path: SpecPath?
    /// For a finding the topology accepts (`accept_risks`), the reason it gives.
    public var acceptedReason: String?

    public init(
        _ severity: Severity, _ message: String, code: String?, help: String? = nil,
        file: String? = nil, location: SourceLocation? = nil, path: SpecPath? = nil
    ) {
        self.severity = severity
        self.message = message
        self.code = code
        self.help = help
        self.file = file
        self.location = location
        self.path = path
    }

    /// An input error: the id is required, so no error reaches the user without one.
    public init(
        _ id: DiagnosticID, _ message: String, severity: Severity = .error, help: String? = nil,
        file: String? = nil, location: SourceLocation? = nil, path: SpecPath? = nil
    ) {
        self.init(severity, message, code: id.code, help: help, file: file, location: location, path: path)
    }

    public static func error(
        _ id: DiagnosticID, _ message: String, at path: SpecPath? = nil, location: SourceLocation? = nil,
        help: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, message, code: id.code, help: help, location: location, path: path)
    }

    /// A rule's finding (or an error a rule owns, such as SC003's literal secret): `code` is
    /// the rule's id, required like a DiagnosticID.
    public static func error(
        _ message: String, at path: SpecPath? = nil, location: SourceLocation? = nil,
        help: String? = nil, code: String
    ) -> Diagnostic {
        Diagnostic(.error, message, code: code, help: help, location: location, path: path)
    }

    public static func warning(
        _ message: String, at path: SpecPath? = nil, location: SourceLocation? = nil,
        help: String? = nil, code: String
    ) -> Diagnostic {
        Diagnostic(.warning, message, code: code, help: help, location: location, path: path)
    }

    /// The id of an error found before the rules (YAML, schema, references); nil for a rule's
    /// finding. Such an error means the input could not be read as a topology.
    public var inputID: DiagnosticID? { code.flatMap(DiagnosticID.withCode) }

    /// `file:line:col` (or just the file when the finding has no position).
    public var position: String {
        var text = file ?? "<input>"
        if let location { text += ":\(location.line):\(location.column)" }
        return text
    }

    /// The compiler-style one-line form: `file:line:col: error: message`.
    public var oneLine: String {
        let prefix = position
        let label = code.map { "\(severity.rawValue)[\($0)]" } ?? severity.rawValue
        return "\(prefix): \(label): \(message)"
    }
}

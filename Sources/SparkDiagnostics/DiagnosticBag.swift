/// Collects findings so the user sees every problem in one pass instead of one per run.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public mutating func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    /// Records an input error; its id is required (see DiagnosticID).
    public mutating func error(
        _ id: DiagnosticID, _ message: String, at path: SpecPath? = nil, location: SourceLocation? = nil,
        help: String? = nil
    ) {
        append(.error(id, message, at: path, location: location, help: help))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public var isEmpty: Bool { diagnostics.isEmpty }

    /// Findings ordered by file, position, then message, so output is stable.
    public var sorted: [Diagnostic] {
        diagnostics.sorted { a, b in
            let fa = a.file ?? "", fb = b.file ?? ""
            if fa != fb { return fa < fb }
            let la = a.location ?? SourceLocation(line: 0, column: 0)
            let lb = b.location ?? SourceLocation(line: 0, column: 0)
            if la != lb { return la < lb }
            if a.severity != b.severity { return a.severity < b.severity }
            return a.message < b.message
        }
    }
}

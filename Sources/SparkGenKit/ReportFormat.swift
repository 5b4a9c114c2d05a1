/// How findings are printed: for people, for scripts, for code scanning, for workflow annotations.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text
    case json
    case sarif
    case github
}

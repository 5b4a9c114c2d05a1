import SparkDiagnostics
import SparkGenKit
import Testing

@Suite struct TextReporterTests {
    private func render(_ line: String, column: Int = 5) -> String {
        let diagnostic = Diagnostic(
            .error, "message", code: "XX001", help: "fix it", file: "t.yaml", location: SparkDiagnostics.SourceLocation(line: 1, column: column))
        return TextReporter().render(diagnostic, sourceLines: [Substring(line)])
    }

    @Test func quotesTheLineWithACaretAndHelp() {
        #expect(
            render("    dac_ip: 198.51.100.9", column: 13) == """
                t.yaml:1:13: error[XX001]: message
                 1 |     dac_ip: 198.51.100.9
                   |             ^
                  help: fix it

                """)
    }

    @Test(arguments: [
        "    master_key: sk-abcdef123456", "  db_password: hunter2hunter2", "  api_token: abc123", "  - {key: sk-live-123}",
        "  whatever: sk-live-123456", "  DB_PASSWORD: hunter2hunter2", "  api_token -: abc123", "  whatever: {a: sk-live-123}",
    ])
    func secretLookingValuesAreHidden(_ line: String) {
        let output = render(line)
        #expect(output.contains("<redacted>"), "\(output)")
        for secret in ["sk-abcdef123456", "hunter2hunter2", "abc123", "sk-live-123"] {
            #expect(!output.contains(secret))
        }
    }

    @Test(arguments: ["      max_num_batched_tokens: 2048", "    max_tokens: 8192", "    master_key: {file: ~/.key}"])
    func ordinaryValuesStayVisible(_ line: String) {
        #expect(render(line).contains(line))
    }
}

/// The caret under a quoted line: lines of ASCII are measured on bytes, others on Characters;
/// both must put the caret under the same column, keep tabs and cut long lines alike.
@Suite struct TextReporterCaretTests {
    private func caret(_ line: String, column: Int) -> (line: String, caret: String) {
        let diagnostic = Diagnostic(
            .error, "m", code: "XX001", file: "t.yaml", location: SparkDiagnostics.SourceLocation(line: 1, column: column))
        let rendered = TextReporter().render(diagnostic, sourceLines: [Substring(line)]).split(separator: "\n")
        return (String(rendered[1].dropFirst(5)), String(rendered[2].dropFirst(5)))
    }

    @Test func aTabInTheLineIsATabInThePadding() {
        #expect(caret("\tname: value", column: 3) == ("\tname: value", "\t ^"))
    }

    @Test(arguments: [1, 50, 200, 201, 202, 400])
    func aLongLineIsCutAtTwoHundredCharactersInBothForms(_ column: Int) {
        let ascii = String(repeating: "a", count: 300)
        let accented = String(repeating: "é", count: 300)
        let (shownASCII, caretASCII) = caret(ascii, column: column)
        let (shownAccented, caretAccented) = caret(accented, column: column)
        #expect(shownASCII == String(repeating: "a", count: 200) + "…")
        #expect(shownAccented == String(repeating: "é", count: 200) + "…")
        #expect(caretASCII == caretAccented)
        #expect(caretASCII == String(repeating: " ", count: min(column - 1, 201)) + "^")
    }

    @Test func aColumnPastTheEndPutsTheCaretAfterTheLine() {
        #expect(caret("abc", column: 10) == ("abc", "   ^"))
        #expect(caret("äbc", column: 10) == ("äbc", "   ^"))
    }
}

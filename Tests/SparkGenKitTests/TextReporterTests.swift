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
        "  whatever: sk-live-123456",
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

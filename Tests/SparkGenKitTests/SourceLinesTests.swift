import SparkGenKit
import Testing

/// SourceLines keeps a file without carriage returns as bytes and line starts; its lines must be
/// the ones a split of the decoded text gives, for every kind of file a report may quote.
@Suite struct SourceLinesTests {
    private func split(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private func lines(_ bytes: [UInt8]) -> [String] {
        let lines = SourceLines(bytes: bytes)
        return (0..<lines.count).map { String(lines[$0]) }
    }

    @Test(arguments: [
        "", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "nodes:\n  n1:\n    dac_ip: 198.51.100.9\n",
        "\n\n\n", "tab\tseparated\nline",
    ])
    func asciiLinesMatchTheSplitText(_ text: String) {
        #expect(lines(Array(text.utf8)) == split(Array(text.utf8)))
    }

    /// A carriage return before a newline makes one Character, "\r\n", which is no line break
    /// for a split on the Character; non-ASCII text is cut at its line feeds, which are
    /// Characters of their own even before a combining mark.
    @Test(arguments: [
        "a\r\nb\r\n", "a\rb\nc", "naïve: é\nnext ✓\n", "a\n\u{301}b\n",
    ])
    func otherTextIsSplitOnTheCharacter(_ text: String) {
        #expect(lines(Array(text.utf8)) == split(Array(text.utf8)))
    }

    @Test func invalidUTF8IsRepairedAsInTheText() {
        let bytes: [UInt8] = [0x61, 0x0A, 0xFF, 0x62, 0x0A, 0x63]
        #expect(lines(bytes) == split(bytes))
        #expect(lines(bytes).count == 3)
        // A sequence a line feed cuts short is repaired in its line as in the whole text.
        let cut: [UInt8] = [0xE2, 0x82, 0x0A, 0xAC, 0x61, 0x0A, 0xE2, 0x82, 0xAC]
        #expect(lines(cut) == split(cut))
        #expect(lines(cut) == ["\u{FFFD}", "\u{FFFD}a", "€"])
    }

    @Test func anArrayOfLinesIsKeptAsGiven() {
        let lines: SourceLines = ["one", "two"]
        #expect(lines.count == 2)
        #expect(lines[1] == "two")
    }
}

import Foundation
import SparkDiagnostics
import SparkRules

extension Fixtures {
    /// A rule example's topology: its fixture with the edits applied, and the position
    /// (1-based) of its `↓` marker, which is removed from the text.
    public static func materialize(_ example: RuleExample) throws -> (text: String, marker: SparkDiagnostics.SourceLocation?) {
        let text = try example.applied().text
        var marker: SparkDiagnostics.SourceLocation?
        var line = 1, column = 1
        var clean = ""
        for character in text {
            if character == RuleExample.marker {
                marker = SparkDiagnostics.SourceLocation(line: line, column: column)
                continue
            }
            clean.append(character)
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (clean, marker)
    }

    public struct ExampleError: Error, CustomStringConvertible {
        public let description: String
    }
}

import Foundation
import SparkDiagnostics
import SparkRules

extension Fixtures {
    /// A rule example's topology: its base example with the edits applied, and the position
    /// (1-based) of its `↓` marker, which is removed from the text.
    public static func materialize(_ example: RuleExample) throws -> (text: String, marker: SparkDiagnostics.SourceLocation?) {
        let text: String
        switch example.source {
        case .fixture:
            text = try example.applied()!.text
        case .example(let base):
            text = try legacy(example, base: base)
        }
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

    /// The old form: edits of `examples/<base>/topology.yaml` as committed.
    private static func legacy(_ example: RuleExample, base: String) throws -> String {
        var text = try String(contentsOfFile: repositoryRoot + "/examples/\(base)/topology.yaml", encoding: .utf8)
        for edit in example.edits {
            guard text.contains(edit.old) else {
                throw ExampleError(description: "example edit does not apply to \(base): \(edit.old)")
            }
            text = text.replacingOccurrences(of: edit.old, with: edit.new)
        }
        return text
    }

    public struct ExampleError: Error, CustomStringConvertible {
        public let description: String
    }
}

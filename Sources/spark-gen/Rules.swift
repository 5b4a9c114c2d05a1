import ArgumentParser
import SparkGenKit
import SparkRules

/// `spark-gen rules`: the rule catalog, one line per rule.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "List every rule spark-gen enforces.")

    @Flag(help: "List the ids of the errors found before the rules (YAML, schema, references) instead.")
    var inputErrors = false

    @Flag(help: "Print the page in docs/: docs/rule-catalog.md, or with --input-errors docs/diagnostics.md.")
    var markdown = false

    func run() throws {
        if inputErrors {
            print(markdown ? DiagnosticsReference.markdown() : DiagnosticsReference.table(), terminator: "")
            if !markdown { print("\nspark-gen explain ID describes one.") }
            return
        }
        if markdown {
            print(RuleCatalogReference.markdown(), terminator: "")
            return
        }
        let rows = RuleCatalog.rules.map(\.description).map { ($0.id, $0.severity.rawValue, $0.title) }
        print("ID     SEVERITY  TITLE")
        for (id, severity, title) in rows {
            print("\(id)  \(severity.padding(to: 8))  \(title)")
        }
        print("\nspark-gen explain ID tells why a rule exists and shows its examples.")
        print("spark-gen rules --input-errors lists the ids of errors found before the rules.")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

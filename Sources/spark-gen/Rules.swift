import ArgumentParser
import SparkRules

/// `spark-gen rules`: the rule catalog, one line per rule.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "List every rule spark-gen enforces.")

    func run() throws {
        let rows = RuleCatalog.rules.map(\.description).map { ($0.id, $0.severity.rawValue, $0.title) }
        print("ID     SEVERITY  TITLE")
        for (id, severity, title) in rows {
            print("\(id)  \(severity.padding(to: 8))  \(title)")
        }
        print("\nspark-gen explain ID tells why a rule exists and shows its examples.")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

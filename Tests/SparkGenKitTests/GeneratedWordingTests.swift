import Foundation
import SparkEmit
import SparkGenKit
import SparkTestSupport
import Testing

/// What spark-gen writes speaks about the reader's lab only: no file of any example or starter
/// refers to the documents this project was built from ("document 003", "the guide", "source
/// document"), which a reader of a runbook never saw and cannot look up.
@Suite struct GeneratedWordingTests {
    /// Phrases that only make sense to the project's authors, case-insensitive.
    static let authorsOnly: [(pattern: String, why: String)] = [
        (#"\bdocuments? 0\d\d\b"#, "a numbered source document"),
        (#"\bsource documents?\b"#, "the project's source documents"),
        (#"\bseed documents?\b"#, "the project's seed documents"),
        (#"\bthe guide\b"#, "a guide the reader never saw"),
        (#"\bhand-written guide\b"#, "a guide the reader never saw"),
        (#"\bhomelab-router\b"#, "another project's router, by its name in a source document"),
    ]

    /// The author-only phrases in `text`, each with the line it is on.
    static func findings(in text: String) -> [String] {
        var found: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for (pattern, why) in authorsOnly where line.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil {
                found.append("line \(number + 1) (\(why)): \(line.prefix(160))")
            }
        }
        return found
    }

    @Test func theCheckFindsEachPhrase() {
        #expect(Self.findings(in: "LiteLLM (document 003's homelab-router) routes").count == 2)
        #expect(Self.findings(in: "## 1. Coming from the hand-written guide").count == 1)
        #expect(Self.findings(in: "ok\ninstead of the guide's 600").first?.hasPrefix("line 2") == true)
        #expect(Self.findings(in: "source documents 001").count == 2)
        #expect(Self.findings(in: "AMD's \"RDNA3.5 system optimization\" guide describes").isEmpty)
        #expect(Self.findings(in: "a discovery document, guided setup").isEmpty)
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func noExampleFileSpeaksOfTheProjectsSources(_ name: String) throws {
        let path = Fixtures.repositoryRoot + "/examples/" + name + "/topology.yaml"
        let artifacts = try #require(Compilation.run(path: path).artifacts)
        for artifact in artifacts {
            let found = Self.findings(in: artifact.contents)
            #expect(found.isEmpty, "out/\(name)/\(artifact.path): \(found.joined(separator: "; "))")
        }
    }

    @Test(arguments: StarterTopology.allCases)
    func noStarterFileSpeaksOfTheProjectsSources(_ starter: StarterTopology) throws {
        let found = Self.findings(in: starter.text)
        #expect(found.isEmpty, "spark-gen init \(starter.rawValue): \(found.joined(separator: "; "))")
        let artifacts = try #require(Compilation.run(bytes: Array(starter.text.utf8), file: "topology.yaml").artifacts)
        for artifact in artifacts {
            let found = Self.findings(in: artifact.contents)
            #expect(found.isEmpty, "\(starter.rawValue): \(artifact.path): \(found.joined(separator: "; "))")
        }
    }
}

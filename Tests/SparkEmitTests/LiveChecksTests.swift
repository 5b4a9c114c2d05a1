import Foundation
import SparkTestSupport
import Testing

/// The checks that prove a stack works, read from the committed trees (GoldenTreeTests keeps
/// them equal to a fresh build): every routed model gets a real completion in smoke.sh and
/// verify.sh, every runbook pulls its images before anything waits, waits stop on a container
/// that dies at start, and no hop of the way to LiteLLM has a shorter timeout than the one in
/// front of it. proof/litellm_check.py runs the scripts against the real LiteLLM
/// (RealToolTests); these hold the shape of every example.
@Suite struct LiveChecksTests {
    /// The files named `name` under out/<example>, by path.
    static func files(_ example: String, named name: String) -> [String] {
        let root = Fixtures.repositoryRoot + "/out/" + example
        let enumerator = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if (path as NSString).lastPathComponent == name { found.append(root + "/" + path) }
        }
        return found.sorted()
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).map { match in
            (0..<match.numberOfRanges).map { index in
                Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyRoutedModelGetsACompletion(_ example: String) throws {
        for config in Self.files(example, named: "litellm-config.yaml") {
            let stack = (config as NSString).deletingLastPathComponent
            let names = Self.matches(#"^- model_name: (\S+)$"#, in: try Self.read(config)).map { $0[1] }
            #expect(!names.isEmpty)
            for script in ["smoke.sh", "verify.sh"] {
                let text = try Self.read(stack + "/scripts/" + script)
                for name in names {
                    #expect(text.contains("completion ") && text.contains("'\"\(name)\"'"), "\(script) of \(stack) sends \(name) no completion")
                }
                // The key stays in a header file: no trace, no key on a command line.
                #expect(!text.contains("set -x"))
                #expect(Self.matches(#"^[^#]*curl [^\n]*Bearer"#, in: text).isEmpty, "\(script): a curl has the key in its arguments")
            }
            // The listing alone proves no backend: smoke.sh no longer reads it.
            #expect(!(try Self.read(stack + "/scripts/smoke.sh")).contains("/v1/models"))
        }
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func streamedThroughNginxWhereItIsInFront(_ example: String) throws {
        for conf in Self.files(example, named: "litellm.conf") where conf.contains("/nginx/") {
            let stack = ((conf as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            let listen = try #require(Self.matches(#"^\s*listen (\S+) ssl;"#, in: try Self.read(conf)).first?[1])
            for script in ["smoke.sh", "verify.sh"] {
                let text = try Self.read(stack + "/scripts/" + script)
                let calls = Self.matches(#"completion (\S+) \S+ \S+ (true|false)\)"#, in: text)
                #expect(!calls.isEmpty)
                for call in calls {
                    #expect(call[1] == "https://\(listen)" && call[2] == "true", "\(script): \(call[0]) does not stream through NGINX")
                }
            }
        }
    }

    /// The steps of a runbook: (title, text).
    static func steps(_ runbook: String) -> [(title: String, text: String)] {
        var steps: [(title: String, text: String)] = []
        for line in runbook.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## "), let dot = line.firstIndex(of: ".") {
                steps.append((String(line[line.index(dot, offsetBy: 2)...]), ""))
            } else if !steps.isEmpty {
                steps[steps.count - 1].text += line + "\n"
            }
        }
        return steps
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyRunbookPullsItsImagesFirst(_ example: String) throws {
        for runbook in Self.files(example, named: "RUNBOOK.md") {
            let stack = (runbook as NSString).deletingLastPathComponent
            var images = Set<String>()
            if FileManager.default.fileExists(atPath: stack + "/compose.yaml") {
                images.formUnion(Self.matches(#"^\s+image: (\S+)$"#, in: try Self.read(stack + "/compose.yaml")).map { $0[1] })
            }
            let dockerfiles = ((try? FileManager.default.contentsOfDirectory(atPath: stack)) ?? []).filter { $0.hasPrefix("Dockerfile.") }.sorted()
            for dockerfile in dockerfiles {
                images.formUnion(Self.matches(#"^FROM (\S+)"#, in: try Self.read(stack + "/" + dockerfile)).map { $0[1] })
            }
            guard !images.isEmpty else { continue }
            let steps = Self.steps(try Self.read(runbook))
            let prerequisites = try #require(steps.firstIndex { $0.title == "Prerequisites" })
            try #require(prerequisites + 1 < steps.count)
            let first = steps[prerequisites + 1]
            #expect(first.title == "Images", "\(runbook): the step after Prerequisites is '\(first.title)'")
            for image in images where !first.text.contains("docker pull \(image)\n") {
                // An image behind a registry login is pulled right after the login, before its wait.
                let later = steps.contains { $0.text.contains("docker login") && $0.text.contains("docker pull \(image)\n") }
                #expect(later, "\(runbook): \(image) is not pulled in the Images step")
            }
            for dockerfile in dockerfiles {
                #expect(
                    first.text.contains("docker build -f ") && first.text.contains("/\(dockerfile) -t "),
                    "\(runbook): \(dockerfile) is not built in the Images step")
            }
            #expect(steps.filter { $0.text.contains("docker build ") }.map(\.title) == (dockerfiles.isEmpty ? [] : ["Images"]))
        }
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func noHopCutsARequestTheOneInFrontWaitsFor(_ example: String) throws {
        for conf in Self.files(example, named: "litellm.conf") where conf.contains("/nginx/") {
            let stack = ((conf as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            let nginx = Self.matches(#"^\s*proxy_read_timeout (\d+)s;"#, in: try Self.read(conf)).compactMap { Int($0[1]) }
            let litellm = Self.matches(#"^  timeout: (\d+)$"#, in: try Self.read(stack + "/litellm-config.yaml")).compactMap { Int($0[1]) }
            #expect(!nginx.isEmpty && litellm.count == 1)
            for value in nginx {
                #expect(litellm.allSatisfy { $0 >= value }, "\(stack): LiteLLM's timeout \(litellm) s is shorter than NGINX's \(value) s in front of it")
            }
        }
    }

    /// A container started by compose is waited for by wait-ready.sh, never by a bare loop on its URL.
    @Test(arguments: Fixtures.examples.map(\.name))
    func runbookWaitsWatchTheContainer(_ example: String) throws {
        for runbook in Self.files(example, named: "RUNBOOK.md") {
            let lines = try Self.read(runbook).split(separator: "\n").map(String.init)
            for (index, line) in lines.enumerated() where line.contains("up -d ") && index + 1 < lines.count {
                let service = String(line.split(separator: " ").last ?? "")
                let next = lines[index + 1]
                #expect(!next.contains("until curl"), "\(runbook): after '\(line)' a wait that never looks at the container: '\(next)'")
                if next.contains("wait-ready.sh"), !service.hasPrefix("-") {
                    #expect(next.contains("/scripts/wait-ready.sh \(service) "), "\(runbook): after '\(line)' the wait is '\(next)'")
                }
            }
        }
    }
}

import Foundation
import SparkTestSupport
import Testing

/// The README is a front door: short enough to read in ten minutes, and every page, file and
/// heading it or a docs/ page links to exists, so moving text between pages cannot leave a
/// dead link behind.
@Suite struct DocumentationLinkTests {
    static let root = Fixtures.repositoryRoot

    /// README.md and every page under docs/, relative to the repository.
    static var pages: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/docs")) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// The targets of the Markdown links `[text](target)` in `text`, outside code blocks.
    static func links(in text: String) -> [String] {
        var targets: [String] = []
        var fenced = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { fenced.toggle() }
            if fenced { continue }
            // Inline code may hold brackets that are no link.
            let prose = line.replacing(/`[^`]*`/, with: "")
            for match in prose.matches(of: /\]\(([^)\s]+)\)/) { targets.append(String(match.1)) }
        }
        return targets
    }

    /// GitHub's anchor of a heading: lower case, punctuation but '-' dropped, spaces as '-'.
    static func anchor(of heading: String) -> String {
        let text = heading.replacing(/`/, with: "").lowercased()
        return String(
            text.compactMap { c -> Character? in
                if c == " " { return "-" }
                return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
            })
    }

    static func anchors(in text: String) -> Set<String> {
        var fenced = false
        var result: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("```") { fenced.toggle() }
            if !fenced, let match = line.wholeMatch(of: /#{1,6} (.+)/) { result.insert(anchor(of: String(match.1))) }
        }
        return result
    }

    /// Every broken link of `page` (repository-relative), as "target: why".
    static func brokenLinks(of page: String, text: String) -> [String] {
        let directory = URL(fileURLWithPath: root + "/" + page).deletingLastPathComponent()
        var broken: [String] = []
        for target in links(in: text) where !target.contains("://") && !target.hasPrefix("mailto:") {
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let file = parts[0].isEmpty ? URL(fileURLWithPath: root + "/" + page) : directory.appendingPathComponent(parts[0])
            guard FileManager.default.fileExists(atPath: file.path) else {
                broken.append("\(target): no such file")
                continue
            }
            if parts.count == 2, file.pathExtension == "md" {
                let anchors = anchors(in: (try? String(contentsOf: file, encoding: .utf8)) ?? "")
                if !anchors.contains(parts[1]) { broken.append("\(target): no heading with that anchor") }
            }
        }
        return broken
    }

    @Test func theCheckFindsABrokenLink() {
        let text =
            "[a](docs/nowhere.md), [b](docs/commands.md#no-such-heading), [c](docs/commands.md#exit-codes)\n"
            + "```\n[d](inside/a/fence.md)\n```\n`[e](in/code.md)` and [f](https://example.com/x)\n"
        #expect(
            Self.brokenLinks(of: "README.md", text: text).map { $0.components(separatedBy: ":")[0] }
                == ["docs/nowhere.md", "docs/commands.md#no-such-heading"])
        #expect(Self.anchor(of: "The `routes` key, and why!") == "the-routes-key-and-why")
    }

    @Test(arguments: pages)
    func everyLinkResolves(_ page: String) throws {
        let text = try String(contentsOfFile: Self.root + "/" + page, encoding: .utf8)
        let broken = Self.brokenLinks(of: page, text: text)
        #expect(broken.isEmpty, "\(page): \(broken.joined(separator: "; "))")
    }

    @Test func theReadmeIsShortAndLinksEveryPage() throws {
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(lines <= 250, "README.md has \(lines) lines; move detail into a docs/ page")
        let linked = Set(Self.links(in: readme).map { $0.split(separator: "#").first.map(String.init) ?? $0 })
        for page in Self.pages where page != "README.md" {
            #expect(linked.contains(page), "README.md does not link \(page)")
        }
    }
}

import SparkDiagnostics
import SparkGenKit
import SparkSpec
import SparkTestSupport
import Testing

@testable import SparkPlan

/// The devices a tailnet keeps open (`keep_members_open`, `keep_open_tags`) get one grant: the
/// reach of one grant per kept-open tag, each listing every kept-open tag as a source, in the
/// size of the list rather than its square.
@Suite struct KeptOpenGrantTests {
    private static let user = "client@example.com"

    /// The tailnet of the example with these kept-open devices.
    private static func text(keepMembers: Bool, tags: [String]) -> String {
        let kept = (keepMembers ? "    keep_members_open: true\n" : "") + (tags.isEmpty ? "" : "    keep_open_tags: [\(tags.joined(separator: ", "))]\n")
        return Fixtures.splitTrust(replacing: "    keep_members_open: true\n    keep_open_tags: [tag:hjp-dell-server]\n", with: kept)
    }

    private static func policy(_ text: String) throws -> TailnetPolicy {
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        return try #require(plan.tailnet(named: "client-net")).policy
    }

    /// The grants as spark-gen wrote them before: one to the members' devices, one per kept-open tag.
    private static func perTag(_ policy: TailnetPolicy, keepMembers: Bool, tags: [String]) -> TailnetPolicy {
        let sources = ["autogroup:member"] + tags
        var grants: [TailnetPolicy.Grant] = []
        if keepMembers { grants.append(.init(sources: sources, destinations: ["autogroup:member"], ports: nil, path: nil)) }
        for tag in tags { grants.append(.init(sources: sources, destinations: [tag], ports: nil, path: nil)) }
        return TailnetPolicy(tagOwners: policy.tagOwners, groups: policy.groups, grants: grants + policy.grants.dropFirst(), tests: policy.tests)
    }

    @Test(arguments: [
        (true, ["tag:hjp-dell-server"]), (false, ["tag:hjp-dell-server"]), (true, []),
        (true, ["tag:nas", "tag:printer", "tag:hjp-dell-server"]), (false, ["tag:nas", "tag:printer"]),
        // The nodes' own tag kept open: a mistake ST009 reports, and the same reach either way.
        (true, ["tag:nas", "tag:hjp-ai"]),
    ])
    func oneGrantAdmitsExactlyWhatTheGrantPerTagAdmitted(keepMembers: Bool, tags: [String]) throws {
        let policy = try Self.policy(Self.text(keepMembers: keepMembers, tags: tags))
        let kept = try #require(policy.grants.first)
        #expect(kept.sources == ["autogroup:member"] + tags)
        #expect(kept.destinations == (keepMembers ? ["autogroup:member"] : []) + tags)
        #expect(kept.ports == nil)
        #expect(!policy.grants.dropFirst().contains { $0.ports == nil }, "a second grant on every port")
        let before = Self.perTag(policy, keepMembers: keepMembers, tags: tags)
        let principals = [Self.user, "stranger@example.com", "tag:hjp-ai", "tag:hjp-ai-spark-02", "tag:other"] + tags
        for source in principals {
            for destination in principals {
                for port in [22, 443, 5432, 8001, 8080] {
                    let now = policy.allows(source, to: destination, port: port)
                    #expect(now == before.allows(source, to: destination, port: port), "\(source) → \(destination):\(port)")
                    // The index answers what reading every grant answers.
                    #expect(now == !policy.grants(admitting: source, to: destination, port: port).isEmpty, "\(source) → \(destination):\(port)")
                }
            }
        }
    }

    @Test func noKeptOpenDevicesNoGrant() throws {
        let policy = try Self.policy(Self.text(keepMembers: false, tags: []))
        #expect(!policy.grants.contains { $0.sources.contains("autogroup:member") && $0.ports == nil })
        #expect(!policy.allows(Self.user, to: "stranger@example.com", port: 22))
    }

    @Test func theGrantGrowsWithTheListNotItsSquare() throws {
        let tags = (0..<50).map { "tag:keep\($0)" }
        let policy = try Self.policy(Self.text(keepMembers: true, tags: tags))
        #expect(policy.grants.reduce(0) { $0 + $1.sources.count + $1.destinations.count } < 150)
        #expect(policy.allows("tag:keep3", to: "tag:keep49", port: 9))
        #expect(policy.allows("tag:keep49", to: Self.user, port: 9))
        #expect(!policy.allows("tag:hjp-ai", to: "tag:keep3", port: 22))
        #expect(policy.failingTests().isEmpty)
    }

    /// A test the kept-open grant fails is reported at the entry that kept the tag open, not at
    /// the list or at `keep_members_open`.
    @Test func aFailingTestPointsAtTheKeptOpenTagThatCausedIt() throws {
        let text = Self.text(keepMembers: true, tags: ["tag:nas", "tag:hjp-ai"])
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        let findings = compilation.diagnostics.filter { $0.code == "ST009" && $0.message.contains("tailnet 'client-net'") }
        // The nodes' tag reaches the members' ssh, and the users reach the nodes' denied ports.
        #expect(findings.contains { $0.message.contains("tag:hjp-ai reach client@example.com:22") })
        #expect(findings.contains { $0.message.contains("client@example.com reach tag:hjp-ai:5432") })
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[text.line(containing: "keep_open_tags:") - 1]
        let column = line.distance(from: line.startIndex, to: try #require(line.range(of: "tag:hjp-ai")).lowerBound) + 1
        for finding in findings {
            #expect(finding.path?.description == "tailnets.client-net.keep_open_tags[1]", "\(finding.oneLine)")
            #expect(finding.location?.line == text.line(containing: "keep_open_tags:"), "\(finding.oneLine)")
            #expect(finding.location?.column == column, "\(finding.oneLine)")
        }
    }
}

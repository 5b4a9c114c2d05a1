import Foundation
import SparkGenKit
import SparkPlan
import SparkSpec
import SparkTestSupport
import Testing

/// Each node's verify.sh probes its peers' ports over the links they share: `expect … answers`
/// or `refuse … is closed`. Read from the committed trees (GoldenTreeTests keeps them equal to a
/// fresh build), those probes must agree with what the peer's own firewall.sh admits and what its
/// own verify.sh says its listener binds, evaluated here from the script texts alone (ufw's first
/// match, default deny): a `refuse` of a port the peer admits this node to fails on a healthy
/// deployment, and an `expect` of a port it does not admit fails always. The node addresses and
/// interface names come from the plan; the verdicts never do.
@Suite struct VerifyFirewallAgreementTests {
    /// One `ufw allow|deny in …` line of a firewall.sh.
    struct Rule {
        let allow: Bool
        let interface: String?
        let source: String?
        let destination: String?
        let port: Int?
        let proto: String?

        func matches(interface arrival: String?, source from: IPv4Address, destination to: IPv4Address, port wanted: Int) -> Bool {
            if let interface, interface != arrival { return false }
            if let source, !Self.contains(source, from) { return false }
            if let destination, !Self.contains(destination, to) { return false }
            if let port, port != wanted { return false }
            if let proto, proto != "tcp" { return false }
            return true
        }

        static func contains(_ pattern: String, _ address: IPv4Address) -> Bool {
            if let network = IPv4Network(pattern) { return network.contains(address) }
            return IPv4Address(pattern) == address
        }
    }

    static func rules(_ firewall: String) -> [Rule] {
        let pattern = #"^ufw (allow|deny) in(?: on (\S+))?(?: from (\S+))?(?: to (\S+))?(?: port (\d+))?(?: proto (\w+))?"#
        return LiveChecksTests.matches(pattern, in: firewall).map { groups in
            let value = { (index: Int) -> String? in groups[index].isEmpty || groups[index] == "any" ? nil : groups[index] }
            return Rule(
                allow: groups[1] == "allow", interface: value(2), source: value(3), destination: value(4), port: value(5).flatMap { Int($0) },
                proto: value(6))
        }
    }

    /// Where each port listens, as the node's own verify.sh checks it: an address, or nil for every address.
    static func listeners(_ verify: String) -> [Int: String?] {
        var found: [Int: String?] = [22: nil]  // sshd binds every address
        for groups in LiveChecksTests.matches(#"^expect '[^']*' (listens_only_on|listens_only_on_if_up|listens_on) (\d+)(?: (\S+))?$"#, in: verify) {
            guard let port = Int(groups[2]) else { continue }
            let address = groups[3].isEmpty || groups[3] == "0.0.0.0" ? nil : groups[3]
            found[port] = address
        }
        return found
    }

    /// The script `name` of a node in the committed tree of `example`.
    static func script(_ example: String, _ node: String, _ name: String) throws -> String {
        let scripts = LiveChecksTests.files(example, named: name).filter { $0.contains("/nodes/\(node)/") }
        let path = try #require(scripts.count == 1 ? scripts.first : nil, "want one \(name) of \(node) in out/\(example)")
        return try LiveChecksTests.read(path)
    }

    /// The probes of one verify.sh that contradict the peer's firewall and listener.
    static func contradictions(_ example: String, _ plan: Plan, _ node: NodePlan) throws -> [String] {
        let verify = try script(example, node.name, "verify.sh")
        var found: [String] = []
        for groups in LiveChecksTests.matches(#"^(refuse|expect) ('[^']*') tcp_open (\S+) (\d+)$"#, in: verify) {
            let line = groups[0]
            guard let host = IPv4Address(groups[3]), let port = Int(groups[4]) else {
                found.append("unreadable probe: \(line)")
                continue
            }
            let peers = plan.nodes.flatMap { peer in peer.interfaces.filter { $0.address == host }.map { (peer, $0) } }
            guard let (peer, target) = peers.first, let own = node.interface(on: target.link.name) else {
                found.append("\(line): \(host) is no address of a node on a link \(node.name) is on")
                continue
            }
            let rules = Self.rules(try script(example, peer.name, "firewall.sh"))
            let admitted = rules.first { $0.matches(interface: target.device, source: own.address, destination: host, port: port) }?.allow ?? false
            let bound = Self.listeners(try script(example, peer.name, "verify.sh"))
            let listens = bound[port].map { $0 == nil || $0 == host.description } ?? false
            let answers = admitted && listens
            let expected = groups[1] == "expect"
            if expected != answers {
                let why =
                    !admitted
                    ? "its firewall.sh does not admit \(own.address)"
                    : !listens ? "nothing listens on \(host):\(port)" : "its firewall.sh admits \(own.address) and it listens there"
                found.append("\(node.name): \(line) — \(peer.name): \(why)")
            }
        }
        return found
    }

    @Test(arguments: Fixtures.examples.map(\.name))
    func everyProbeOfAPeerAgreesWithItsFirewall(_ example: String) throws {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml", encoding: .utf8)
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        for node in plan.nodes {
            let wrong = try Self.contradictions(example, plan, node)
            #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
        }
    }

    /// A refusal passes whenever the connection fails: with this node off the link, or the peer
    /// down, all would pass. So before the refusals of a link the node checks its own address
    /// on it, and each peer's refusals follow a port of that peer that must answer, or a comment
    /// that says none does.
    @Test(arguments: Fixtures.examples.map(\.name))
    func everyRefusalIsPairedWithAPositiveProbe(_ example: String) throws {
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/examples/\(example)/topology.yaml", encoding: .utf8)
        let plan = try #require(Compilation.run(bytes: Array(text.utf8), file: "topology.yaml").plan)
        for node in plan.nodes {
            let verify = try Self.script(example, node.name, "verify.sh")
            let lines = verify.split(separator: "\n").map(String.init)
            for (index, line) in lines.enumerated() {
                let groups = LiveChecksTests.matches(#"^refuse '[^']*' tcp_open (\S+) \d+$"#, in: line)
                guard let host = groups.first.flatMap({ IPv4Address($0[1]) }) else { continue }
                let before = lines[..<index]
                let link = try #require(plan.nodes.lazy.compactMap { $0.interfaces.first { $0.address == host } }.first).link.name
                let own = try #require(node.interface(on: link))
                #expect(
                    before.contains { $0.hasSuffix(" has_address \(own.device ?? "") \(own.address)") || $0.hasSuffix(" owns_address \(own.address)") },
                    "\(node.name): \(line) comes before no check that \(node.name) has \(own.address)")
                let section = before.lastIndex { $0.hasPrefix("echo '== ") }.map { lines[$0..<index] } ?? before
                #expect(
                    section.contains { $0.hasPrefix("expect ") && $0.contains(" tcp_open \(host) ") }
                        || section.contains { $0.hasPrefix("# Nothing of ") },
                    "\(node.name): \(line) has no port of \(host) that must answer before it, and no note that none does")
            }
        }
    }
}

import Foundation
import SparkEmit
import SparkGenKit
import SparkPlan
import SparkTestSupport
import Testing

/// A fresh DGX Spark's QSFP ports have no address: every node on a direct link or fabric gets a
/// netplan file for it, its runbook installs and applies it before the firewall, and verify.sh
/// checks each address and MTU. The real netplan reads the files in RealToolTests (checker
/// `netplan`, proof/netplan_check.py).
@Suite struct ClusterLinkTests {
    private static func artifacts(_ example: String) throws -> [Artifact] {
        let path = try #require(Fixtures.examples.first { $0.name == example }).path
        return try #require(Compilation.run(path: path).artifacts)
    }

    @Test func everyClusterPortGetsItsAddressPrefixAndMTU() throws {
        let artifacts = try Self.artifacts("three-node-lab")
        let netplan = try #require(artifacts.first { $0.path == "nodes/gpu-c/etc/netplan/60-spark-gen-dac.yaml" })
        #expect(netplan.mode == .privateFile, "netplan warns about a file others can read")
        #expect(netplan.contents.contains("    enp1s0f0np0:\n      addresses: [198.51.100.3/29]\n      mtu: 9216\n      optional: true\n"))
        #expect(netplan.contents.contains("    enP2p1s0f0np0:\n      addresses: [198.51.100.11/29]\n      mtu: 9216\n      optional: true\n"))
        for word in ["gateway", "routes", "renderer", "nameservers", "dhcp"] {
            #expect(!netplan.contents.contains(word), "only what the topology says: \(word)")
        }
        // The LAN (mgmt) is the operator's: no file for it on any node.
        #expect(!artifacts.contains { $0.path.contains("/etc/netplan/") && $0.path.contains("mgmt") })
        #expect(artifacts.filter { $0.path.contains("/etc/netplan/") }.count == 3)
    }

    @Test func aNodeOnNoDirectLinkOrFabricGetsNoFile() throws {
        for example in ["one-box", "homelab", "multi-model"] {
            #expect(!(try Self.artifacts(example)).contains { $0.path.contains("/etc/netplan/") }, "\(example)")
        }
    }

    @Test func theRunbookAppliesItBeforeTheFirewall() throws {
        let artifacts = try Self.artifacts("two-links")
        let runbook = try #require(artifacts.first { $0.path == "nodes/spark-a/home/ops/rack-lab/RUNBOOK.md" }).contents
        let step = try #require(runbook.range(of: "## 7. Cluster links\n"))
        let firewall = try #require(runbook.range(of: ". Firewall\n"))
        #expect(step.upperBound < firewall.lowerBound)
        for link in ["dac-ab", "dac-ac"] {
            let path = "/etc/netplan/60-spark-gen-\(link).yaml"
            let file = try #require(artifacts.first { $0.path == "nodes/spark-a" + path }).contents
            // Made 0600 before a byte is written, then the tree's very bytes.
            #expect(runbook.contains("sudo install -m 600 -o root -g root /dev/null \(path)\nsudo tee \(path) >/dev/null <<'EOF'\n\(file)EOF\n"))
        }
        #expect(runbook.contains("sudo netplan apply\n"))
        #expect(runbook.contains("ip -br addr show dev enp1s0f1np1"))
    }

    @Test func verifyChecksEveryClusterAddressAndMTU() throws {
        // gpu-c runs a one-node model: no RDMA section, yet its DAC addresses are checked.
        let verify = try #require(try Self.artifacts("three-node-lab").first { $0.path == "nodes/gpu-c/home/bob/gpu-lab/scripts/verify.sh" }).contents
        for line in [
            "expect 'enp1s0f0np0 has 198.51.100.3' has_address enp1s0f0np0 198.51.100.3",
            "expect 'enp1s0f0np0 has MTU 9216' mtu_is enp1s0f0np0 9216",
            "expect 'enP2p1s0f0np0 has 198.51.100.11' has_address enP2p1s0f0np0 198.51.100.11",
            "expect 'enP2p1s0f0np0 has MTU 9216' mtu_is enP2p1s0f0np0 9216",
        ] {
            #expect(verify.contains(line + "\n"), "\(line)")
        }
        #expect(!verify.contains("has_address 192.0.2."), "the LAN's address is the operator's")
    }

    @Test func thePlaybookAppliesAChangedFileBeforeTheFirewall() throws {
        let site = try #require(try Self.artifacts("split-trust").first { $0.path == "ansible/site.yml" }).contents
        #expect(
            site.contains(
                "dest: \"/etc/netplan/60-spark-gen-dac.yaml\"\n        mode: \"0600\"\n        owner: \"root\"\n        group: \"root\"\n      notify: \"Apply netplan\"\n"
            ))
        let apply = try #require(site.range(of: "    - name: \"Apply netplan\"\n      ansible.builtin.command:\n        cmd: \"netplan apply\"\n"))
        let firewall = try #require(site.range(of: "    - name: \"Run /home/cameron/sparky-ai-stack/scripts/firewall.sh\"\n"))
        #expect(apply.upperBound < firewall.lowerBound, "handlers run in the order listed")
    }
}

import Foundation
import SparkGenKit
import SparkRules
import Testing

/// CL002 on a port's second half: the subnet the half is in comes first (its own, free, the same
/// as the link's other halves), then whether the address is a usable host of it, used once.
@Suite struct AddressPlanTests {
    static func findings(replacing old: String, with new: String) -> [String] {
        let fixture = RuleExampleFixture.sparkPair.yaml
        #expect(fixture.contains(old))
        let text = fixture.replacingOccurrences(of: old, with: new)
        let compilation = Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
        return compilation.diagnostics.filter { $0.code == "CL002" }.map(\.message)
    }

    /// 198.51.100.12 is the network address of 198.51.100.12/30, but the finding that matters is
    /// that spark-01's half is in 198.51.100.8/30: moving to .13 would only trade one finding for it.
    @Test func aHalfInAnotherSubnetThanItsPeerIsToldSoFirst() {
        let found = Self.findings(replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: 198.51.100.12")
        #expect(
            found == [
                "address 198.51.100.12 of node 'spark-02' on the second half of the DAC is in 198.51.100.12/30, and node 'spark-01''s second half on that link is in 198.51.100.8/30: the two never reach each other"
            ], "\(found)")
    }

    /// Inside the peers' subnet, the broadcast address is still refused.
    @Test func theBroadcastAddressOfTheHalvesSubnetIsRefused() {
        let found = Self.findings(replacing: "dac_second_ip: 198.51.100.10", with: "dac_second_ip: 198.51.100.11")
        #expect(
            found == ["address 198.51.100.11 of node 'spark-02' on the second half of the DAC is the broadcast address of 198.51.100.8/30"],
            "\(found)")
    }
}

import SparkDiagnostics
import SparkSpec

/// A link as the plan uses it: its kind, subnet and the words output uses for it.
public struct LinkPlan: Sendable {
    public let name: String
    public let kind: Link.Kind
    public let subnet: IPv4Network
    public let mtu: Int?
    public let path: SpecPath

    public init(_ link: Link) {
        name = link.name
        kind = link.kind
        subnet = link.subnet
        mtu = link.mtu
        path = link.path
    }

    /// A short label for tables and pictures: `DAC` and `mgmt` for the two links of a version-1
    /// topology, else the link's name.
    public var label: String {
        name == "dac" ? "DAC" : name
    }

    /// The link in a sentence: "the DAC", "the mgmt LAN", "direct link dac-bc", "fabric ib", "LAN home".
    public var phrase: String {
        switch (kind, name) {
        case (_, "dac"): return "the DAC"
        case (.lan, "mgmt"): return "the mgmt LAN"
        case (.direct, _): return "direct link \(name)"
        case (.fabric, _): return "fabric \(name)"
        case (.lan, _): return "LAN \(name)"
        }
    }
}

import SparkDiagnostics
import SparkYAML

/// Decoding of `links` and of the addresses nodes and hosts have on them (interfaces, RDMA
/// devices, a port's second half, and version 1's `mgmt_ip`/`dac_ip` short form).
extension TopologyDecoder.SectionDecoder {
    func link(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Link? {
        let what = "link '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        var kind = Link.legacyKinds[name]
        let kinds = Link.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        var kindHelp = "use direct (a cable between two nodes), fabric (a switch for cluster traffic) or lan (ssh and everything else)"
        if kind == nil, let nearest = Suggestion.nearest(to: name, in: Link.legacyKinds.keys.sorted()) {
            kindHelp = "did you mean '\(nearest)'? links named dac or mgmt may leave the kind out; others \(kindHelp)"
        }
        if let text = map.string("kind", required: kind == nil, what: what, grammar: .word, help: kindHelp) {
            kind = Link.Kind(rawValue: text)
            if kind == nil, let location = map.value("kind")?.location {
                let hint = Suggestion.hint(for: text, in: Link.Kind.allCases.map(\.rawValue))
                context.error(
                    .specUnknownChoice, "unknown link kind '\(YAMLScalar.abbreviated(text))'", at: location, path: path / "kind", help: "\(hint)kinds: \(kinds)"
                )
            }
        }
        let subnet = map.network("subnet", what: what)
        let interface = map.string("interface", grammar: .interfaceName)
        var mtu = map.int("mtu", in: 576...65535)
        if mtu == nil, let kind, kind.carriesClusterTraffic { mtu = map.defaulted("mtu", 9000) }
        let hcas = rdmaDevices(map, at: path)
        let secondInterface = map.string("second_interface", grammar: .interfaceName)
        for key in ["hca", "second_interface"] where kind == .lan {
            guard let location = map.value(key)?.location else { continue }
            context.error(
                .specConflictingKeys, key == "hca" ? "a LAN has no RDMA device" : "a LAN has no second half of a port", at: location, path: path / key,
                help: "'\(key)' describes a RoCE port for NCCL; set it on the direct link or fabric the cluster uses")
        }
        guard let kind, let subnet else { return nil }
        var link = Link(name: name, kind: kind, subnet: subnet, interface: interface, mtu: mtu, hcas: hcas, path: path)
        link.secondInterface = secondInterface
        return link
    }

    /// `hca`: one RDMA device or a list of them (a DGX Spark port's two halves).
    func rdmaDevices(_ map: MappingReader, at path: SpecPath, key: String = "hca") -> [String] {
        guard let node = map.value(key) else { return [] }
        if let items = node.sequence {
            if items.isEmpty {
                context.error(
                    .specEmptyValue, "'\(key)' lists no RDMA device", at: node.location, path: path / key,
                    help: "name the port's devices (ibdev2netdev lists them), such as [rocep1s0f0, roceP2p1s0f0], or remove '\(key)'")
                return []
            }
            return map.strings(key, grammar: .interfaceName) ?? []
        }
        return map.string(key, grammar: .interfaceName).map { [$0] } ?? []
    }

    /// A node's addresses: `links: {L: IP | {ip, interface, hca, second_ip}}`, and the short form of a
    /// version-1 topology, `mgmt_ip` and `dac_ip` (with `dac_interface`, `dac_hca`) for the
    /// links named `mgmt` and `dac`.
    func addresses(_ map: MappingReader, at path: SpecPath, shortForm: Bool = true) -> [LinkAddress] {
        var addresses: [LinkAddress] = []
        if !shortForm { return linkAddresses(map, at: path, into: addresses) }
        if let ip = map.ipv4("mgmt_ip", required: false, what: "") {
            addresses.append(LinkAddress(link: "mgmt", ip: ip, path: path / "mgmt_ip"))
        }
        let dacInterface = map.string("dac_interface", grammar: .interfaceName)
        let dacHCA = rdmaDevices(map, at: path, key: "dac_hca")
        if let ip = map.ipv4("dac_ip", required: false, what: "") {
            addresses.append(
                LinkAddress(
                    link: "dac", ip: ip, interface: dacInterface, hcas: dacHCA, path: path / "dac_ip",
                    interfacePath: dacInterface == nil ? nil : path / "dac_interface"))
        } else if map.value("dac_ip") == nil {
            for key in ["dac_interface", "dac_hca"] {
                guard let location = map.value(key)?.location else { continue }
                context.error(
                    .specMissingCompanionKey, "'\(key)' without 'dac_ip'", at: location, path: path / key, help: "add the node's address on the DAC as 'dac_ip'"
                )
            }
        }
        addresses = linkAddresses(map, at: path, into: addresses)
        // The DAC's other half, for the node's address on the DAC however it is written.
        if let second = map.ipv4("dac_second_ip", required: false, what: ""), let location = map.value("dac_second_ip")?.location {
            if let index = addresses.firstIndex(where: { $0.link == "dac" }) {
                addresses[index].secondIP = second
                addresses[index].secondIPPath = path / "dac_second_ip"
            } else {
                context.error(
                    .specMissingCompanionKey, "'dac_second_ip' without an address on the DAC", at: location, path: path / "dac_second_ip",
                    help: "add the node's address on the DAC as 'dac_ip'")
            }
        }
        return addresses
    }

    /// The `links: {L: IP | {ip, interface, hca}}` mapping of a node or host.
    func linkAddresses(_ map: MappingReader, at path: SpecPath, into found: [LinkAddress]) -> [LinkAddress] {
        var addresses = found
        guard let node = map.value("links") else { return addresses }
        guard let pairs = node.mapping else {
            context.error(
                .specWrongType, "'links' of a node must be a mapping, found \(node.kindName)", at: node.location, path: path / "links",
                help: "write it as {dac-ab: 10.0.0.1} or {dac-ab: {ip: 10.0.0.1, interface: enp1s0f0np0}}")
            return addresses
        }
        for pair in pairs {
            guard let link = pair.key.scalar else { continue }
            let linkPath = path / "links" / link
            if addresses.contains(where: { $0.link == link }) {
                context.error(
                    .specConflictingKeys, "link '\(link)' has two addresses for this node", at: pair.key.location, path: linkPath,
                    help: "give it once: either '\(link)_ip' or under 'links'")
                continue
            }
            if pair.value.mapping != nil {
                let what = "the address of the node on link '\(link)'"
                guard let entry = MappingReader(pair.value, at: linkPath, what: what, context: context) else { continue }
                defer { entry.finish() }
                let ip = entry.ipv4("ip", what: what)
                let interface = entry.string("interface", grammar: .interfaceName)
                let hcas = rdmaDevices(entry, at: linkPath)
                let second = entry.ipv4("second_ip", required: false, what: what)
                guard let ip else { continue }
                var address = LinkAddress(
                    link: link, ip: ip, interface: interface, hcas: hcas, path: linkPath,
                    interfacePath: interface == nil ? nil : linkPath / "interface")
                address.secondIP = second
                address.secondIPPath = second == nil ? nil : linkPath / "second_ip"
                addresses.append(address)
            } else if pair.value.scalar == nil {
                context.error(
                    .specWrongType, "the node's address on link '\(link)' must be an IPv4 address or {ip, interface, hca}, found \(pair.value.kindName)",
                    at: pair.value.location, path: linkPath, help: "write it as '\(link): 10.0.0.1' or '\(link): {ip: 10.0.0.1, interface: NAME}'")
            } else if let ip = MappingReader.address(pair.value, key: link, path: linkPath, context: context) {
                addresses.append(LinkAddress(link: link, ip: ip, path: linkPath))
            }
        }
        return addresses
    }
}

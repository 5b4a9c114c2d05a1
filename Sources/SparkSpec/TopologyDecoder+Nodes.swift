import SparkDiagnostics
import SparkYAML

/// Decoding of `nodes`: identity, addresses, firewall rules and hardware (apps are in
/// TopologyDecoder+Apps.swift).
extension TopologyDecoder.SectionDecoder {
    func node(_ name: String, _ node: YAMLNode, _ path: SpecPath, stack: Stack?) -> Node? {
        let what = "node '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let owner = map.string("owner", required: true, what: what, grammar: .identifier)
        let user = map.string("user", required: true, what: what, grammar: .username)
        let home = map.nodePath("home")
        if let home, !home.text.hasPrefix("/"), let location = map.value("home")?.location {
            context.error(.specInvalidValue, "'home' must be an absolute path", at: location, path: path / "home", help: "write it as /home/\(user ?? "user")")
        }
        let uid = map.int("uid", in: 0...4_294_967_294) ?? map.defaulted("uid", 1000)
        let gid = map.int("gid", in: 0...4_294_967_294) ?? map.defaulted("gid", uid)
        let hardware = map.required("hardware", what: what).flatMap { self.hardware($0, at: path / "hardware") }
        let addresses = addresses(map, at: path)
        let tailnetHostname = map.string("tailnet_hostname", grammar: .hostname) ?? name
        let tailnetIP = map.ipv4("tailnet_ip", required: false, what: "")
        if let tailnetIP, !IPv4Network("100.64.0.0/10")!.contains(tailnetIP), let location = map.value("tailnet_ip")?.location {
            context.error(
                .specInvalidAddress, "'tailnet_ip' \(tailnetIP) is not a tailnet address", at: location, path: path / "tailnet_ip",
                help: "Tailscale gives nodes addresses in 100.64.0.0/10: write the one the admin console shows for the node")
        }
        let apps = map.value("apps").flatMap { self.apps($0, at: path / "apps") } ?? []
        let python = map.string("python", grammar: .version) ?? map.defaulted("python", "3.12")
        let tailnet = map.string("tailnet", grammar: .identifier)
        let routes = map.networks("advertise_routes") ?? []
        let firewall = list(map.value("firewall"), at: path / "firewall", what: "firewall") { item, itemPath in firewallRule(item, at: itemPath) }
        guard let owner, let user, let hardware else { return nil }
        return Node(
            name: name, owner: owner, user: user, home: home?.text ?? "/home/\(user)", uid: uid, gid: gid, hardware: hardware,
            addresses: addresses, tailnetHostname: tailnetHostname, apps: apps.map(\.app),
            appOptions: Dictionary(uniqueKeysWithValues: apps.compactMap { entry in entry.options.map { (entry.app, $0) } }),
            tailnet: tailnet, advertiseRoutes: routes, firewall: firewall, python: python, path: path, tailnetIP: tailnetIP)
    }

    func firewallRule(_ node: YAMLNode, at path: SpecPath) -> FirewallRule? {
        let what = "a firewall rule"
        guard let map = MappingReader(node, at: path, what: what, context: context)
        else { return nil }
        defer { map.finish() }
        let port = map.int("allow", required: true, what: what, in: 1...65535)
        var proto = FirewallRule.Proto.tcp
        if let text = map.string("proto", grammar: .word) {
            if let value = FirewallRule.Proto(rawValue: text) {
                proto = value
            } else if let location = map.value("proto")?.location {
                context.error(.specUnknownChoice, "unknown protocol '\(text)'", at: location, path: path / "proto", help: "use tcp or udp")
            }
        }
        let interface = map.string("interface", grammar: .interfaceName).flatMap { $0 == "any" ? nil : $0 }
        var from: IPv4Network?
        if let node = map.value("from"), let text = MappingReader.text(node, key: "from", path: path / "from", grammar: nil, context: context),
            text != "any"
        {
            from = IPv4Network(text) ?? IPv4Address(text).flatMap { IPv4Network("\($0)/32") }
            if from == nil || from!.hasHostBits {
                context.error(
                    .specInvalidAddress, "'\(YAMLScalar.abbreviated(text))' is not an IPv4 address or network", at: node.location, path: path / "from",
                    help: "write an address such as 192.0.2.10, a network such as 192.0.2.0/24, or any")
                from = nil
            }
        }
        let comment = map.string("comment", grammar: .word)
        guard let port else { return nil }
        return FirewallRule(port: port, proto: proto, interface: interface, from: from, comment: comment, path: path)
    }

    func hardware(_ node: YAMLNode, at path: SpecPath) -> Hardware? {
        let what = "'hardware'"
        guard let map = MappingReader(node, at: path, what: what, context: context)
        else { return nil }
        defer { map.finish() }
        let kind = map.string("kind", grammar: .word) ?? "generic"
        let arch = map.string("arch", grammar: .word) ?? "arm64"
        let memory = map.double("memory_gb", required: true, what: what, in: 1...65536)
        let usable = map.double("usable_gb", in: 1...65536)
        let vram = map.ints("gpu_memory_gb", in: 1...4096)
        var gpus = map.int("gpus", in: 0...64)
        if let vram, let count = gpus, count != vram.count, let location = map.value("gpus")?.location {
            context.error(
                .specInconsistentCounts, "'gpus' is \(count), but 'gpu_memory_gb' gives \(vram.count) GPU\(vram.count == 1 ? "" : "s")", at: location,
                path: path / "gpus",
                help: "give each GPU's memory once in 'gpu_memory_gb', by index, and leave 'gpus' out")
        }
        gpus = gpus ?? vram.map(\.count) ?? map.defaulted("gpus", 1)
        let vendor = map.choice("gpu", Hardware.GPUVendor.self, noun: "GPU vendor") ?? .nvidia
        if let memory, let usable, usable > memory, let location = map.value("usable_gb")?.location {
            context.error(
                .specInconsistentCounts, "usable_gb (\(usable)) is larger than memory_gb (\(memory))", at: location, path: path / "usable_gb",
                help: "usable memory is what is left after the OS; it cannot exceed the installed memory")
        }
        guard let memory else { return nil }
        return Hardware(
            kind: kind, arch: arch, memoryGB: memory, usableGB: usable ?? memory, gpus: gpus ?? 1, gpuVendor: vendor, path: path,
            gpuMemoryGB: vram?.isEmpty == false ? vram : nil)
    }

}

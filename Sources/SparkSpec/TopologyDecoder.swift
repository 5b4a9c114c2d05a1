import SparkDiagnostics
import SparkYAML

/// Turns a YAML tree into a `Topology`, reporting every structural problem in one pass:
/// unknown keys (with the nearest valid one), wrong types, missing fields, bad addresses.
///
/// References between sections (a node's owner, a model's head) are checked by the resolver.
public enum TopologyDecoder {
    /// The decoded topology, or nil when any error was found, and every finding. `partial` is what
    /// could be decoded despite errors (entries with errors left out), and `declared` every name the
    /// file gives an owner, tailnet, node or model, so references can still be checked in the same
    /// run without calling a name unknown only because its entry had an error.
    public static func decode(_ root: YAMLNode?) -> (topology: Topology?, diagnostics: [Diagnostic], partial: Topology?, declared: Set<String>) {
        let context = DecodingContext()
        guard let root else {
            context.error(
                .specEmptyTopology, "the topology is empty", at: SourceLocation(line: 1, column: 1), path: .root,
                help: "start from examples/split-trust/topology.yaml; a topology needs version, stack, owners, tailnets, nodes and models")
            return (nil, context.diagnostics.diagnostics, nil, [])
        }
        var decoder = SectionDecoder(context: context)
        let topology = decoder.topology(root)
        // A reader left open would let its unknown keys pass unreported.
        assert(context.openReaders == 0, "a MappingReader was not finished")
        let diagnostics = context.diagnostics
        return (diagnostics.hasErrors ? nil : topology, diagnostics.diagnostics, topology, declaredNames(root))
    }

    /// The keys of the owners, tailnets, nodes and models mappings, as written.
    private static func declaredNames(_ root: YAMLNode) -> Set<String> {
        var names = Set<String>()
        guard let sections = root.mapping else { return names }
        for pair in sections
        where ["owners", "tailnets", "links", "nodes", "models", "hosts", "catalogs", "backends"].contains(pair.key.scalar ?? "") {
            guard let entries = pair.value.mapping else { continue }
            for entry in entries {
                if let name = entry.key.scalar { names.insert(name) }
            }
        }
        return names
    }
}

extension TopologyDecoder {
    /// Decodes the sections of one topology into the model, every finding going to one shared
    /// `DecodingContext`; each section's decoding is in the TopologyDecoder+<Section>.swift files.
    struct SectionDecoder {
        let context: DecodingContext

        /// The catalog id of the literal-secret finding, reported here so the value never enters the model.
        static let literalSecretRule = "SC003"

        mutating func topology(_ root: YAMLNode) -> Topology? {
            guard let top = MappingReader(root, at: .root, what: "the topology", context: context) else { return nil }
            defer { top.finish() }
            let version = top.int(
                "version", required: true, what: "the topology", in: 0...Int.max,
                expected: "a whole number (this spark-gen reads version \(Topology.supportedVersions.map(String.init).joined(separator: ", ")))")
            if let version, !Topology.supportedVersions.contains(version), let node = top.value("version") {
                context.error(
                    .specUnsupportedVersion, "topology version \(version) is not supported", at: node.location, path: SpecPath.root / "version",
                    help: "this spark-gen reads version \(Topology.supportedVersions.map(String.init).joined(separator: ", "))")
            }
            let stack = top.required("stack", what: "the topology").flatMap { self.stack($0, at: SpecPath.root / "stack") }
            let owners = top.namedEntries("owners", what: "owner", grammar: .identifier).compactMap { owner($0.name, $0.node, $0.path) }
            let tailnets = top.namedEntries("tailnets", what: "tailnet", grammar: .identifier).compactMap { tailnet($0.name, $0.node, $0.path) }
            var inferredKinds = Set<String>()
            var links = top.namedEntries("links", what: "link", grammar: .identifier, required: false).compactMap { entry -> Link? in
                if entry.node.mapping?.contains(where: { $0.key.scalar == "kind" }) == false { inferredKinds.insert(entry.name) }
                return link(entry.name, entry.node, entry.path)
            }
            let nodes = top.namedEntries("nodes", what: "node", grammar: .hostname).compactMap { node($0.name, $0.node, $0.path, stack: stack) }
            // A version-1 'dac' link without a kind was a cable for a pair and a switch for more.
            if let index = links.firstIndex(where: { $0.name == "dac" && $0.kind == .direct }), inferredKinds.contains("dac"),
                nodes.filter({ $0.address(on: "dac") != nil }).count > 2
            {
                links[index].kind = .fabric
            }
            let hosts = top.namedEntries("hosts", what: "host", grammar: .hostname, required: false).compactMap { entry -> Host? in
                guard let map = MappingReader(entry.node, at: entry.path, what: "host '\(entry.name)'", context: context) else { return nil }
                defer { map.finish() }
                let addresses = addresses(map, at: entry.path, shortForm: false)
                let tailnet = map.string("tailnet", grammar: .identifier)
                let tag = map.string("tag", grammar: .tailscaleTag)
                let hostname = map.string("tailnet_hostname", grammar: .hostname)
                let os = map.choice("os", HostOS.self, noun: "operating system")
                if addresses.isEmpty, map.value("links") == nil, tailnet == nil {
                    context.error(
                        .specMissingCompanionKey, "host '\(entry.name)' has no address", at: entry.node.location, path: entry.path,
                        help: "add 'links: {lan: 192.168.1.10}' (its address on a LAN), or 'tailnet: NAME' with its 'tag' (a device of a tailnet)")
                }
                if tailnet != nil, tag == nil, map.value("tag") == nil {
                    context.error(
                        .specMissingCompanionKey, "host '\(entry.name)' is on tailnet '\(tailnet!)' without a tag", at: entry.node.location, path: entry.path,
                        help: "add 'tag: tag:NAME', the tag the device advertises: the policy grants the tailnet's nodes its ports by it")
                }
                var host = Host(name: entry.name, addresses: addresses, path: entry.path)
                host.tailnet = tailnet
                host.tag = tag
                host.tailnetHostname = hostname
                host.os = os
                return host
            }
            let catalogs = top.namedEntries("catalogs", what: "catalog", grammar: .identifier, required: false).compactMap {
                catalog($0.name, $0.node, $0.path)
            }
            var catalogIndex: [String: Catalog] = [:]
            for catalog in catalogs where catalogIndex[catalog.name] == nil { catalogIndex[catalog.name] = catalog }
            let models = top.namedEntries("models", what: "model", grammar: .identifier).compactMap { model($0.name, $0.node, $0.path, catalogs: catalogIndex) }
            let backends = top.namedEntries("backends", what: "backend", grammar: .identifier, required: false).compactMap {
                backend($0.name, $0.node, $0.path)
            }
            let routes = top.namedEntries("routes", what: "route", grammar: .routeName, required: false).compactMap { route($0.name, $0.node, $0.path) }
            let risks = top.value("accept_risks").map { acceptedRisks($0, at: SpecPath.root / "accept_risks") } ?? []
            guard let version, let stack else { return nil }
            var topology = Topology(
                version: version, stack: stack, owners: owners, tailnets: tailnets, links: links, nodes: nodes, models: models,
                acceptedRisks: risks, defaults: context.defaults, hosts: hosts, catalogs: catalogs)
            topology.routes = routes
            topology.backends = backends
            return topology
        }

        func acceptedRisks(_ node: YAMLNode, at path: SpecPath) -> [AcceptedRisk] {
            guard let items = node.sequence else {
                context.error(
                    .specWrongType, "'accept_risks' must be a list, found \(node.kindName)", at: node.location, path: path,
                    help: "write it as '- {rule: TR001, reason: \"…\"}' lines")
                return []
            }
            return items.enumerated().compactMap { index, item in
                let what = "an accept_risks entry"
                guard let map = MappingReader(item, at: path / index, what: what, context: context) else { return nil }
                defer { map.finish() }
                let rule = map.string("rule", required: true, what: what, grammar: .ruleID)
                let reason = map.string("reason", required: true, what: what, help: "say why this risk is acceptable here")
                guard let rule, let reason else { return nil }
                if reason.trimmingSpaces.count < 10, let location = map.value("reason")?.location {
                    context.error(
                        .specWeakAcceptance, "the reason for accepting \(rule) is too short to explain anything", at: location, path: path / index / "reason",
                        help: "write a sentence a reviewer can judge: who agreed, and why the risk is acceptable")
                    return nil
                }
                return AcceptedRisk(rule: rule, reason: reason, path: path / index)
            }
        }

        func stack(_ node: YAMLNode, at path: SpecPath) -> Stack? {
            guard let map = MappingReader(node, at: path, what: "'stack'", context: context) else { return nil }
            defer { map.finish() }
            let name = map.string("name", required: true, what: "'stack'", grammar: .identifier)
            let dir = map.nodePath("dir")
            let timezone = map.string("timezone", grammar: .timezone)
            guard let name else { return nil }
            return Stack(name: name, dir: dir ?? map.defaulted("dir", NodePath("~/" + name)!), timezone: timezone, path: path)
        }

        /// Decodes each item of an optional list with `item`, reporting a non-list once.
        func list<T>(_ node: YAMLNode?, at path: SpecPath, what: String, _ item: (YAMLNode, SpecPath) -> T?) -> [T] {
            guard let node else { return [] }
            guard let items = node.sequence else {
                context.error(
                    .specWrongType, "'\(what)' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write one '- …' entry per line")
                return []
            }
            return items.enumerated().compactMap { index, child in item(child, path / index) }
        }
    }
}

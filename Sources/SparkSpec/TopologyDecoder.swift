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
        var decoder = Decoder(context: context)
        let topology = decoder.topology(root)
        // A reader left open would let its unknown keys pass unreported.
        assert(context.openReaders == 0, "a MappingReader was not finished")
        let diagnostics = context.diagnostics
        return (diagnostics.hasErrors ? nil : topology, diagnostics.diagnostics, topology, declaredNames(root))
    }

    /// The keys of the owners, tailnets, nodes and models mappings, as written.
    private static func declaredNames(_ root: YAMLNode) -> Set<String> {
        var names = Set<String>()
        for pair in root.mapping ?? [] where ["owners", "tailnets", "links", "nodes", "models", "hosts", "catalogs", "backends"].contains(pair.key.scalar ?? "") {
            for entry in pair.value.mapping ?? [] {
                if let name = entry.key.scalar { names.insert(name) }
            }
        }
        return names
    }
}

private struct Decoder {
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
            nodes.filter({ $0.address(on: "dac") != nil }).count > 2 {
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
        let catalogs = top.namedEntries("catalogs", what: "catalog", grammar: .identifier, required: false).compactMap { catalog($0.name, $0.node, $0.path) }
        var catalogIndex: [String: Catalog] = [:]
        for catalog in catalogs where catalogIndex[catalog.name] == nil { catalogIndex[catalog.name] = catalog }
        let models = top.namedEntries("models", what: "model", grammar: .identifier).compactMap { model($0.name, $0.node, $0.path, catalogs: catalogIndex) }
        let backends = top.namedEntries("backends", what: "backend", grammar: .identifier, required: false).compactMap { backend($0.name, $0.node, $0.path) }
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

    /// `routes.NAME: MODEL`, or `{model, keywords, promote: [{over, to}]}`.
    func route(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> RouteAlias? {
        guard node.mapping != nil else {
            guard let model = MappingReader.text(node, key: name, path: path, grammar: .identifier, context: context) else { return nil }
            return RouteAlias(name: name, model: model, path: path)
        }
        let what = "route '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let model = map.string("model", required: true, what: what, grammar: .identifier)
        let keywords = map.strings("keywords", grammar: .phrase) ?? []
        let promotions = list(map.value("promote"), at: path / "promote", what: "promote") { item, itemPath -> RouteAlias.Promotion? in
            guard let entry = MappingReader(item, at: itemPath, what: "a promotion", context: context) else { return nil }
            defer { entry.finish() }
            let over = entry.int("over", required: true, what: "a promotion", in: 1...16_777_216)
            let to = entry.string("to", required: true, what: "a promotion", grammar: .identifier)
            guard let over, let to else { return nil }
            return RouteAlias.Promotion(overTokens: over, model: to, path: itemPath)
        }
        guard let model else { return nil }
        var route = RouteAlias(name: name, model: model, path: path / "model")
        route.keywords = keywords
        route.promotions = promotions.sorted { $0.overTokens < $1.overTokens }
        return route
    }

    /// `backends.NAME: {host, port, model, slots, vision, max_parallel_requests, fallbacks, senior}`.
    func backend(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Backend? {
        let what = "backend '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let host = map.string("host", required: true, what: what, grammar: .hostname, help: "name the host (under 'hosts') the server runs on")
        let port = map.int("port", in: 1...65535) ?? map.defaulted("port", Backend.defaultPort)
        let model = map.string("model", grammar: .word) ?? name
        let slots = map.int("slots", in: 1...100_000)
        let vision = map.bool("vision") ?? false
        let cap = map.int("max_parallel_requests", in: 1...100_000)
        let fallbacks = map.strings("fallbacks", grammar: .identifier) ?? []
        let senior = map.bool("senior") ?? false
        let textFallbacks = map.strings("text_fallbacks", grammar: .identifier) ?? []
        let apiKey = map.value("api_key").flatMap { secret($0, at: path / "api_key", what: "the api_key of \(what)", variable: Backend.apiKeyVariable) }
        let contextLength = map.int("context_length", in: 256...16_777_216)
        guard let host else { return nil }
        var backend = Backend(
            name: name, host: host, port: port, model: model, slots: slots, vision: vision, maxParallelRequests: cap, fallbacks: fallbacks,
            senior: senior, path: path)
        backend.textFallbacks = textFallbacks
        backend.apiKey = apiKey
        backend.contextLength = contextLength
        return backend
    }

    /// `catalogs.NAME: {port, active, panel}`.
    func catalog(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Catalog? {
        let what = "catalog '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let port = map.int("port", in: 1...65535) ?? map.defaulted("port", Catalog.defaultPort)
        let active = map.string("active", required: true, what: what, grammar: .identifier, help: "name the model that runs now: 'active: MODEL'")
        let panel = map.string("panel", grammar: .hostname)
        let panelURL = map.string("panel_url")
        if let panelURL, !Self.isPanelURL(panelURL), let location = map.value("panel_url")?.location {
            context.error(
                .specInvalidValue, "catalog '\(name)': panel_url '\(panelURL)' is not an http or https URL of a host (and port) alone", at: location,
                path: path / "panel_url", help: "write the panel's address without a path, such as 'https://spark-control'")
        }
        guard let active else { return nil }
        var catalog = Catalog(name: name, port: port, active: active, panel: panel, path: path)
        catalog.panelURL = panelURL.flatMap { Self.isPanelURL($0) ? $0 : nil }
        return catalog
    }

    /// `http(s)://HOST[:PORT]`, no path: endpoints.json appends /v1 to it.
    static func isPanelURL(_ text: String) -> Bool {
        let rest: Substring
        if text.hasPrefix("https://") { rest = text.dropFirst(8) } else if text.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty, host.count <= 253,
            host.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }),
            host.first != "-", host.first != ".", host.last != "-", host.last != "."
        else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port), parts[1].count <= 5 else { return false }
        }
        return true
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

    func owner(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Owner? {
        let what = "owner '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context)
        else { return nil }
        defer { map.finish() }
        let tailnet = map.string("tailnet", required: true, what: what, grammar: .identifier)
        let masterKey = map.value("master_key")
            .flatMap { secret($0, at: path / "master_key", what: "the master_key of \(what)", variable: "LITELLM_MASTER_KEY") }
        let dbPassword = map.value("db_password")
            .flatMap { secret($0, at: path / "db_password", what: "the db_password of \(what)", variable: "POSTGRES_PASSWORD") }
        let redisPassword = map.value("redis_password")
            .flatMap { secret($0, at: path / "redis_password", what: "the redis_password of \(what)", variable: "REDIS_PASSWORD") }
        let saltKey = map.value("salt_key")
            .flatMap { secret($0, at: path / "salt_key", what: "the salt_key of \(what)", variable: "LITELLM_SALT_KEY") }
        let ngcAPIKey = map.value("ngc_api_key")
            .flatMap { secret($0, at: path / "ngc_api_key", what: "the ngc_api_key of \(what)", variable: "NGC_API_KEY") }
        let models = map.strings("models", grammar: .identifier)
        let offers = list(map.value("offers"), at: path / "offers", what: "offers") { item, itemPath in offer(item, at: itemPath, from: name) }
        guard let tailnet else { return nil }
        return Owner(
            name: name, tailnet: tailnet, masterKey: masterKey, saltKey: saltKey, dbPassword: dbPassword, redisPassword: redisPassword,
            ngcAPIKey: ngcAPIKey, models: models, path: path, offers: offers)
    }

    /// One offer of an owner's gateway to another owner.
    func offer(_ node: YAMLNode, at path: SpecPath, from owner: String) -> GatewayOffer? {
        let what = "an offer of owner '\(owner)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let to = map.string("to", required: true, what: what, grammar: .identifier)
        let models = map.required("models", what: what).flatMap { _ in map.strings("models", grammar: .identifier) }
        let via = map.required("via", what: what, help: "write 'via: lan' (a LAN both gateways are on) or 'via: tailnet'")
            .flatMap { _ in map.choice("via", GatewayOffer.Via.self, noun: "network") }
        let key = map.required("key", what: what, help: "name the file that keeps the minted key, e.g. key: {file: ~/.offer-key.env}")
            .flatMap { secret($0, at: path / "key", what: "the key of \(what)", variable: GatewayOffer.keyVariable) }
        guard let to, let models, let via, let key else { return nil }
        return GatewayOffer(to: to, models: models, via: via, key: key, path: path)
    }

    /// A secret reference. A literal value is refused without ever being echoed back.
    func secret(_ node: YAMLNode, at path: SpecPath, what: String, variable: String) -> SecretRef? {
        if node.sequence != nil {
            context.error(
                .specWrongType, "\(what) must be a reference such as {file: \"~/.litellm.env\"}, found a list", at: node.location, path: path,
                help: "write it as {file: \"~/.name.env\"}; the file on the node defines \(variable)")
            return nil
        }
        guard node.mapping != nil else {
            // A literal secret is rule SC003's finding, so it carries the rule's id.
            context.diagnostics.append(.error(
                "\(what) must be a reference to an environment file, found a literal value (not shown)", at: path, location: node.location,
                help: "secrets are never written in the topology: use '{file: \"~/.litellm.env\"}' and put '\(variable)=…' in that file on the node (mode 0600)",
                code: Self.literalSecretRule))
            return nil
        }
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let file = map.nodePath("file", required: true, what: what)
        let name = map.string("var", grammar: .envVariable) ?? variable
        let sha256 = map.string("sha256", grammar: .sha256)
        guard let file else { return nil }
        return SecretRef(file: file, variable: name, sha256: sha256, path: path)
    }

    func tailnet(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Tailnet? {
        let what = "tailnet '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let tag = map.string("tag", required: true, what: what, grammar: .tailscaleTag)
        // The policy's tests need a real user to run as, so a tailnet names at least one.
        let users = map.required("users", what: what, help: "add 'users: [you@example.com]': the users allowed to reach the apps")
            .flatMap { _ in map.strings("users", grammar: .email) } ?? []
        if let node = map.value("users"), node.sequence?.isEmpty == true {
            context.error(
                .specEmptyValue, "'users' of \(what) is empty", at: node.location, path: path / "users",
                help: "list the users allowed to reach the apps, such as [you@example.com]")
        }
        let admins = map.value("admins").flatMap { adminList($0, at: path / "admins") } ?? ["autogroup:admin"]
        let keepOpen = map.strings("keep_open_tags", grammar: .tailscaleTag) ?? []
        let keepMembers = map.bool("keep_members_open") ?? false
        let ssh = map.bool("ssh") ?? false
        let grants = list(map.value("grants"), at: path / "grants", what: "grants") { item, itemPath in grant(item, at: itemPath) }
        let shares = list(map.value("share"), at: path / "share", what: "share") { item, itemPath in share(item, at: itemPath, sharing: true) }
        let accepts = list(map.value("accept"), at: path / "accept", what: "accept") { item, itemPath in share(item, at: itemPath, sharing: false) }
        guard let tag else { return nil }
        return Tailnet(
            name: name, tag: tag, users: users, admins: admins, keepOpenTags: keepOpen, keepMembersOpen: keepMembers, ssh: ssh,
            grants: grants, shares: shares, accepts: accepts, path: path)
    }

    /// Decodes each item of an optional list with `item`, reporting a non-list once.
    func list<T>(_ node: YAMLNode?, at path: SpecPath, what: String, _ item: (YAMLNode, SpecPath) -> T?) -> [T] {
        guard let node else { return [] }
        guard let items = node.sequence else {
            context.error(.specWrongType, "'\(what)' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write one '- …' entry per line")
            return []
        }
        return items.enumerated().compactMap { index, child in item(child, path / index) }
    }

    func grant(_ node: YAMLNode, at path: SpecPath) -> TailnetGrant? {
        let what = "a grant"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let sources = map.required("src", what: what, help: "add 'src: [group:…]': who the grant is for")
            .flatMap { selectors($0, key: "src", at: path / "src", role: "source") }
        let destinations = map.value("dst").flatMap { selectors($0, key: "dst", at: path / "dst", role: "destination") }
        let ports = map.ints("ports", in: 1...65535, required: true, what: what)
        guard let sources, let ports else { return nil }
        return TailnetGrant(sources: sources, destinations: destinations, ports: ports, path: path)
    }

    /// A list of policy selectors (users, groups, autogroups, tags or `*`).
    func selectors(_ node: YAMLNode, key: String, at path: SpecPath, role: String) -> [String]? {
        guard let items = node.sequence else {
            context.error(.specWrongType, "'\(key)' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write it as [group:admins]")
            return nil
        }
        return items.enumerated().compactMap { index, item in
            guard let text = MappingReader.text(item, key: key, path: path / index, grammar: nil, context: context) else { return nil }
            guard Self.isPolicySelector(text) else {
                context.error(
                    .specInvalidValue, "'\(YAMLScalar.abbreviated(text))' is not a policy \(role)", at: item.location, path: path / index,
                    help: "use a user's email, 'group:name', 'autogroup:member', 'tag:name' or '*'")
                return nil
            }
            return text
        }
    }

    static func isPolicySelector(_ text: String) -> Bool {
        if text == "*" || Grammar.email.matches(text) || Grammar.tailscaleTag.matches(text) { return true }
        for prefix in ["group:", "autogroup:"] where text.hasPrefix(prefix) {
            return Grammar.word.matches(String(text.dropFirst(prefix.count)))
        }
        return false
    }

    func share(_ node: YAMLNode, at path: SpecPath, sharing: Bool) -> TailnetShare? {
        let what = sharing ? "a share" : "an accepted share"
        let other = sharing ? "with" : "from"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let tailnet = map.string(other, required: true, what: what, grammar: .identifier)
        let nodes = map.required("nodes", what: what).flatMap { _ in map.strings("nodes", grammar: .hostname) }
        let ports = sharing ? map.ints("ports", in: 1...65535, required: true, what: what) : []
        guard let tailnet, let nodes, let ports else { return nil }
        return TailnetShare(tailnet: tailnet, nodes: nodes, ports: ports, path: path)
    }

    /// Tag owners: emails, `group:…` or `autogroup:admin`.
    func adminList(_ node: YAMLNode, at path: SpecPath) -> [String]? {
        guard let items = node.sequence else {
            context.error(.specWrongType, "'admins' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write it as [\"autogroup:admin\"]")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = MappingReader.text(item, key: "admins", path: path / index, grammar: nil, context: context) else { continue }
            let isGroup = (text.hasPrefix("group:") || text.hasPrefix("autogroup:")) && Grammar.word.matches(String(text.split(separator: ":", maxSplits: 1).last ?? ""))
            guard isGroup || Grammar.email.matches(text) else {
                context.error(
                    .specInvalidValue, "'\(YAMLScalar.abbreviated(text))' is not a valid tag owner", at: item.location, path: path / index,
                    help: "use an email address, 'group:name' or 'autogroup:admin'")
                continue
            }
            result.append(text)
        }
        return result
    }

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
                context.error(.specUnknownChoice, "unknown link kind '\(YAMLScalar.abbreviated(text))'", at: location, path: path / "kind", help: "\(hint)kinds: \(kinds)")
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
            addresses.append(LinkAddress(
                link: "dac", ip: ip, interface: dacInterface, hcas: dacHCA, path: path / "dac_ip",
                interfacePath: dacInterface == nil ? nil : path / "dac_interface"))
        } else if map.value("dac_ip") == nil {
            for key in ["dac_interface", "dac_hca"] {
                guard let location = map.value(key)?.location else { continue }
                context.error(.specMissingCompanionKey, "'\(key)' without 'dac_ip'", at: location, path: path / key, help: "add the node's address on the DAC as 'dac_ip'")
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
                .specInconsistentCounts, "'gpus' is \(count), but 'gpu_memory_gb' gives \(vram.count) GPU\(vram.count == 1 ? "" : "s")", at: location, path: path / "gpus",
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

    func apps(_ node: YAMLNode, at path: SpecPath) -> [(app: App, options: AppOptions?)]? {
        guard let items = node.sequence else {
            context.error(.specWrongType, "'apps' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write it as [litellm, open-webui]")
            return nil
        }
        var apps: [(app: App, options: AppOptions?)] = []
        for (index, item) in items.enumerated() {
            // An app is a name, or a one-key mapping from the name to its settings.
            var settings: YAMLNode?
            var nameNode = item
            if let pairs = item.mapping {
                guard pairs.count == 1 else {
                    context.error(
                        .specWrongType, "an app with settings must be a single 'name: {…}' entry", at: item.location, path: path / index,
                        help: "write it as '- open-webui: {listen: 127.0.0.1}'")
                    continue
                }
                nameNode = pairs[0].key
                settings = pairs[0].value
            }
            guard let text = MappingReader.text(nameNode, key: "apps", path: path / index, grammar: nil, context: context) else { continue }
            guard let app = App(rawValue: text) else {
                let names = App.allCases.map(\.rawValue)
                let hint = Suggestion.hint(for: text, in: names)
                context.error(
                    .specUnknownChoice, "unknown app '\(YAMLScalar.abbreviated(text))'", at: item.location, path: path / index,
                    help: "\(hint)known apps: \(names.joined(separator: ", "))")
                continue
            }
            if apps.contains(where: { $0.app == app }) {
                context.error(.specDuplicateEntry, "app '\(text)' is listed twice", at: item.location, path: path / index, help: "list each app once")
                continue
            }
            apps.append((app, settings.flatMap { appOptions($0, app: app, at: path / index / text) }))
        }
        return apps
    }

    func appOptions(_ node: YAMLNode, app: App, at path: SpecPath) -> AppOptions? {
        let what = "the settings of app '\(app.rawValue)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        var listen: IPv4Address?
        if let node = map.value("listen"), let text = MappingReader.text(node, key: "listen", path: path / "listen", grammar: nil, context: context) {
            listen = IPv4Address(text)
            if listen == nil {
                context.error(.specInvalidAddress, IPv4Address.explain(text), at: node.location, path: path / "listen", help: "write the address to bind, such as 127.0.0.1")
            }
        }
        // What an app may set depends on the app: a key it does not read is an unknown key.
        let port = app.port != nil ? map.int("port", in: 1...65535) : nil
        let litellm = app.usesLiteLLM ? map.string("litellm", grammar: .hostname) : nil
        let key = app == .openWebUI
            ? map.value("key").flatMap { secret($0, at: path / "key", what: "the key of app '\(app.rawValue)'", variable: "OPENAI_API_KEY") } : nil
        let password = app == .hermesWebUI
            ? map.value("password").flatMap { secret($0, at: path / "password", what: "the password of app '\(app.rawValue)'", variable: "HERMES_WEBUI_PASSWORD") }
            : nil
        var runner = AppOptions.Runner.systemd
        var image: String?
        if app == .litellm {
            runner = map.choice("runner", AppOptions.Runner.self, noun: "runner") ?? .systemd
            if runner == .compose {
                let digest = map.string("digest", grammar: .digest)
                image = map.string("image", grammar: .image).map { Self.pinned($0, digest: digest) }
                    ?? Self.pinned(map.defaulted("image", AppOptions.litellmImage), digest: digest)
            }
        }
        var tls: AppOptions.TLSFiles?
        if app == .nginx, let node = map.value("tls") {
            tls = tlsFiles(node, at: path / "tls")
        }
        var clients: [String]?
        if app.isSpeech, listen != nil, let location = map.value("listen")?.location {
            context.error(
                .specConflictingKeys, "\(app.rawValue) cannot be given a listen address", at: location, path: path / "listen",
                help: "NVIDIA's NIM binds every address whatever it is told; spark-gen keeps it in with ufw and the tailnet policy. Remove 'listen'")
            listen = nil
        }
        if app.isSpeech {
            clients = map.strings("clients", grammar: .hostname)
        }
        // Every other containerised app's image may be named, and any image pinned by digest;
        // the app's kind falls back to its default (cited in SparkPlan/Facts/DefaultImages).
        var digest: String?
        if app.isContainerised, app != .litellm {
            digest = map.string("digest", grammar: .digest)
            image = map.string("image", grammar: .image).map { Self.pinned($0, digest: digest) }
        }
        var options = AppOptions(
            listen: listen, port: port, litellm: litellm, key: key, password: password, runner: runner, image: image, tls: tls, path: path,
            clients: clients)
        options.digest = digest
        return options
    }

    /// `tls: {cert: PATH, key: PATH}`: files on the node, never read here.
    func tlsFiles(_ node: YAMLNode, at path: SpecPath) -> AppOptions.TLSFiles? {
        guard let map = MappingReader(node, at: path, what: "'tls'", context: context) else { return nil }
        defer { map.finish() }
        let certificate = map.nodePath("cert", required: true, what: "'tls'")
        let key = map.nodePath("key", required: true, what: "'tls'")
        guard let certificate, let key else { return nil }
        return AppOptions.TLSFiles(certificate: certificate, key: key, path: path)
    }

    func model(_ name: String, _ node: YAMLNode, _ path: SpecPath, catalogs: [String: Catalog]) -> Model? {
        let what = "model '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        // The runtime decides which other keys the model may have.
        let runtimeNode = map.required("runtime", what: what)
        let runtime = runtimeNode.flatMap { self.runtime($0, at: path / "runtime") }
        // The kind as written, even when another key of the runtime is wrong (reported there).
        let kind = runtime?.kind ?? runtimeNode?.mapping?.first { $0.key.scalar == "kind" }?.value.scalar.flatMap(Runtime.Kind.init)
        // An unknown kind is reported with the runtime; the source is then held to no grammar.
        let source = map.string(
            "source", required: true, what: what, grammar: kind == nil ? nil : kind == .ollama ? .ollamaTag : .huggingFaceRepo)
        let servedName = map.string("served_name", grammar: .identifier) ?? name
        let revision = map.string("revision", grammar: .revision)
        if kind == .ollama, let written = map.value("revision") {
            // Ollama's registry resolves a name and a tag; its names parse a digest
            // (types/model/name.go) but `ollama pull` has no pull by digest (ollama/ollama#6886).
            context.error(
                .specConflictingKeys, "model '\(name)' runs on Ollama, which pulls by tag only: 'ollama pull' takes no revision or digest", at: written.location,
                path: path / "revision",
                help: "remove 'revision' and write the tag in 'source' (such as 'qwen3-coder:30b'); HY007 explains what a tag pins")
        }
        let weights = map.double("weights_gb", required: true, what: what, in: 0.001...100_000)
        let cluster = placement(map, what: what, at: path)
        // A catalog's models share its port and take turns: the catalog decides both.
        let catalogName = map.string("catalog", grammar: .identifier)
        let catalog = catalogName.flatMap { catalogs[$0] }
        if let catalogName {
            for key in ["port", "start"] {
                guard let location = map.value(key)?.location else { continue }
                let why = key == "port" ? "serves on the catalog's port" : "runs when it is the catalog's 'active' model"
                context.error(
                    .specConflictingKeys, "model '\(name)' is in catalog '\(catalogName)', which decides its '\(key)'", at: location, path: path / key,
                    help: "remove '\(key)': a model of a catalog \(why)")
            }
        }
        let port = catalog?.port ?? map.int("port", in: 1...65535) ?? (catalogName != nil ? Catalog.defaultPort : map.defaulted("port", kind?.defaultPort ?? Runtime.Kind.vllm.defaultPort))
        var listen: ListenAddress?
        if let node = map.value("listen"), let text = MappingReader.text(node, key: "listen", path: path / "listen", grammar: nil, context: context) {
            listen = ListenAddress(text)
            if listen == nil {
                context.error(
                    .specInvalidAddress, "'\(YAMLScalar.abbreviated(text))' is not a listen address", at: node.location, path: path / "listen",
                    help: "use dac, loopback or an IPv4 address")
            }
        }
        // A runtime's own settings block is a key of the model only under that runtime.
        let vllm = kind == .vllm || kind == nil ? vllmOptions(map.value("vllm"), at: path / "vllm") : vllmOptions(nil, at: path / "vllm")
        var llamaCpp: LlamaCppOptions?
        if kind == nil { _ = map.value("llama_cpp") }  // the runtime's error is enough
        if kind == .llamaCpp {
            llamaCpp = map.required("llama_cpp", what: what, help: "add 'llama_cpp: {gguf: /srv/models/NAME.gguf, ctx_size: 32768}'")
                .flatMap { llamaCppOptions($0, at: path / "llama_cpp", model: name) }
        }
        var ollama: OllamaOptions?
        if kind == nil { _ = map.value("ollama") }  // the runtime's error is enough
        if kind == .ollama, let node = map.value("ollama") {
            ollama = ollamaOptions(node, at: path / "ollama")
        }
        let start: StartPolicy = catalogName != nil ? (catalog?.active == name ? .auto : .manual)
            : map.choice("start", StartPolicy.self, noun: "start policy") ?? .auto
        // Only a compose service can be given some GPUs; launch scripts give a node's all.
        let gpuIDs = runtime.map { $0.runner == .compose } == true ? map.ints("gpu_ids", in: 0...63) : nil
        let gpuUUIDs = GPUUUIDs.read(map, ids: gpuIDs, compose: runtime?.runner == .compose, context: context)
        let maxTokens = map.int("max_tokens", in: 1...10_000_000)
        let sharedWith = map.strings("shared_with", grammar: .identifier) ?? []
        let apiKey = map.value("api_key").flatMap { secret($0, at: path / "api_key", what: "the api_key of \(what)", variable: "VLLM_API_KEY") }
        let vision = map.bool("vision") ?? false
        let cap = map.int("max_parallel_requests", in: 1...100_000)
        let fallbacks = map.strings("fallbacks", grammar: .identifier) ?? []
        let senior = map.bool("senior") ?? false
        let textFallbacks = map.strings("text_fallbacks", grammar: .identifier) ?? []
        guard let source, let weights, let runtime, let cluster, let vllm, kind != .llamaCpp || llamaCpp != nil else { return nil }
        if runtime.kind != .vllm || runtime.runner == .compose, !cluster.workers.isEmpty {
            let what = runtime.kind == .vllm ? "vLLM run by compose" : runtime.kind.title
            let workers = map.value("cluster")?.mapping?.first { $0.key.scalar == "workers" }?.value.location ?? node.location
            context.error(
                .specConflictingKeys, "model '\(name)' has workers, but \(what) runs on one node", at: workers, path: cluster.path / "workers",
                help: runtime.kind == .vllm ? "remove 'runner: compose' (a cluster of nodes runs from docker run scripts), or the workers"
                    : "remove 'workers'; a model split across nodes runs on vLLM")
        }
        var model = Model(
            name: name, source: source, servedName: servedName, weightsGB: weights, runtime: runtime, cluster: cluster, port: port,
            listen: listen, vllm: vllm, llamaCpp: llamaCpp, start: start, gpuIDs: gpuIDs, maxTokens: maxTokens, sharedWith: sharedWith,
            path: path, catalog: catalogName, vision: vision, maxParallelRequests: cap, fallbacks: fallbacks, senior: senior, textFallbacks: textFallbacks, apiKey: apiKey)
        model.ollama = ollama
        model.gpuUUIDs = gpuUUIDs
        model.revision = kind == .ollama ? nil : revision
        return model
    }

    func ollamaOptions(_ node: YAMLNode, at path: SpecPath) -> OllamaOptions? {
        guard let map = MappingReader(node, at: path, what: "'ollama'", context: context) else { return nil }
        defer { map.finish() }
        return OllamaOptions(contextLength: map.int("context_length", in: 256...16_777_216), path: path)
    }

    /// Where the model runs: `cluster: {head, workers, …}`, or `node: NAME` for one node.
    func placement(_ map: MappingReader, what: String, at path: SpecPath) -> Cluster? {
        if let name = map.string("node", grammar: .hostname) {
            if let other = map.value("cluster") {
                context.error(
                    .specConflictingKeys, "\(what) has both 'node' and 'cluster'", at: other.location, path: path / "cluster",
                    help: "keep 'node: \(name)' for a model on one node, or 'cluster: {head: \(name), workers: […]}' for several")
                return nil
            }
            return Cluster(head: name, workers: [], link: nil, tensorParallel: 1, pipelineParallel: 1, rayPort: 6379, path: path / "node")
        }
        return map.required("cluster", what: what, help: "add 'node: NAME' (one node) or 'cluster: {head: NAME, workers: […]}'")
            .flatMap { self.cluster($0, at: path / "cluster") }
    }

    func runtime(_ node: YAMLNode, at path: SpecPath) -> Runtime? {
        let what = "'runtime'"
        guard let map = MappingReader(node, at: path, what: what, context: context)
        else { return nil }
        defer { map.finish() }
        var kind: Runtime.Kind?
        if map.value("kind") != nil {
            kind = map.choice("kind", Runtime.Kind.self, noun: "runtime kind")
        } else {
            _ = map.required("kind", what: what, help: "add 'kind: vllm', 'kind: ollama' or 'kind: llama-cpp'")
        }
        guard let kind else { return nil }
        let digest = map.string("digest", grammar: .digest)
        switch kind {
        case .vllm:
            let runner = map.choice("runner", Runtime.Runner.self, noun: "runner") ?? .dockerRun
            let baseImage = map.string("base_image", required: true, what: what, grammar: .image)
            // A single node runs the upstream image; only a cluster of nodes needs the image with Ray.
            let image = map.string("image", grammar: .image)
            let ray = map.string("ray_version", grammar: .version)
            let token = map.value("ray_token").flatMap { secret($0, at: path / "ray_token", what: "the Ray token", variable: "RAY_AUTH_TOKEN") }
            guard let baseImage else { return nil }
            let pinned = Self.pinned(baseImage, digest: digest)
            return Runtime(
                kind: kind, runner: runner, baseImage: pinned, image: image ?? pinned, rayVersion: ray, rayToken: token, path: path)
        case .ollama, .llamaCpp:
            guard let image = map.string("image", required: true, what: what, grammar: .image) else { return nil }
            let pinned = Self.pinned(image, digest: digest)
            return Runtime(kind: kind, runner: .compose, baseImage: pinned, image: pinned, rayVersion: nil, rayToken: nil, path: path)
        }
    }

    /// `image@digest` when a digest pins a tag that moves.
    static func pinned(_ image: String, digest: String?) -> String {
        guard let digest, !image.contains("@") else { return image }
        return image + "@" + digest
    }

    func llamaCppOptions(_ node: YAMLNode, at path: SpecPath, model: String) -> LlamaCppOptions? {
        let what = "'llama_cpp'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        var gguf = map.string("gguf", required: true, what: what, grammar: .repositoryFile)
        if let file = gguf, !file.hasSuffix(".gguf"), let location = map.value("gguf")?.location {
            context.error(
                .specInvalidValue, "'\(file)' is not a GGUF file", at: location, path: path / "gguf",
                help: "name the model's .gguf file in its repository (for a split model, its first part, …-00001-of-0000N.gguf)")
            gguf = nil
        }
        let directory = map.nodePath("dir") ?? map.defaulted("dir", NodePath("~/models/" + model) ?? NodePath("~/models")!)
        let contextSize = map.int("ctx_size", required: true, what: what, in: 256...16_777_216)
        let parallel = map.int("parallel", in: 1...1024) ?? map.defaulted("parallel", 1)
        let gpuLayers = map.int("gpu_layers", in: 0...100_000) ?? map.defaulted("gpu_layers", 999)
        guard let gguf, let contextSize else { return nil }
        return LlamaCppOptions(
            gguf: gguf, directory: directory, contextSize: contextSize, parallel: parallel, gpuLayers: gpuLayers, path: path)
    }

    func cluster(_ node: YAMLNode, at path: SpecPath) -> Cluster? {
        let what = "'cluster'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let head = map.string("head", required: true, what: what, grammar: .hostname)
        let workers = map.strings("workers", grammar: .hostname) ?? []
        let link = map.string("link", grammar: .identifier)
        let tp = map.int("tensor_parallel", in: 1...1024) ?? 1
        let pp = map.int("pipeline_parallel", in: 1...1024) ?? 1
        let rayPort = map.int("ray_port", in: 1...65535) ?? map.defaulted("ray_port", 6379)
        guard let head else { return nil }
        return Cluster(head: head, workers: workers, link: link, tensorParallel: tp, pipelineParallel: pp, rayPort: rayPort, path: path)
    }

    func vllmOptions(_ node: YAMLNode?, at path: SpecPath) -> VLLMOptions? {
        var options = VLLMOptions(
            dtype: "auto", gpuMemoryUtilization: 0.9, maxModelLen: nil, maxNumBatchedTokens: nil, maxNumSeqs: nil,
            enablePrefixCaching: false, enableChunkedPrefill: false, toolCallParser: nil, reasoningParser: nil, quantization: nil,
            kvCacheDtype: nil, distributedExecutorBackend: nil, defaultChatTemplateKwargs: [], path: path)
        guard let node else { return options }
        guard let map = MappingReader(node, at: path, what: "'vllm'", context: context) else { return nil }
        defer { map.finish() }
        options.dtype = map.string("dtype", grammar: .word) ?? map.defaulted("dtype", options.dtype)
        options.gpuMemoryUtilization = map.double("gpu_memory_utilization", in: 0.05...1.0) ?? map.defaulted("gpu_memory_utilization", options.gpuMemoryUtilization)
        options.maxModelLen = map.int("max_model_len", in: 1...16_777_216)
        options.maxNumBatchedTokens = map.int("max_num_batched_tokens", in: 1...16_777_216)
        options.maxNumSeqs = map.int("max_num_seqs", in: 1...65536)
        options.enablePrefixCaching = map.bool("enable_prefix_caching") ?? false
        options.enableChunkedPrefill = map.bool("enable_chunked_prefill") ?? false
        options.toolCallParser = map.string("tool_call_parser", grammar: .parserName)
        options.reasoningParser = map.string("reasoning_parser", grammar: .parserName)
        options.quantization = map.string("quantization", grammar: .word)
        options.kvCacheDtype = map.string("kv_cache_dtype", grammar: .word)
        options.loadFormat = map.string("load_format", grammar: .word)
        if let backend = map.string("distributed_executor_backend", grammar: .word) {
            if ["ray", "mp"].contains(backend) {
                options.distributedExecutorBackend = backend
            } else if let location = map.value("distributed_executor_backend")?.location {
                context.error(
                    .specUnknownChoice, "unknown executor backend '\(backend)'", at: location, path: path / "distributed_executor_backend",
                    help: "use ray (needed across nodes) or mp (one node)")
            }
        }
        if let kwargs = map.value("default_chat_template_kwargs") {
            options.defaultChatTemplateKwargs = templateKwargs(kwargs, at: path / "default_chat_template_kwargs")
        }
        options.trustRemoteCode = map.bool("trust_remote_code") ?? false
        if let overrides = map.value("hf_overrides") {
            options.hfOverrides = passThrough(
                overrides, at: path / "hf_overrides", key: "hf_overrides",
                example: "{rope_scaling: {rope_type: yarn, factor: 4.0, original_max_position_embeddings: 32768}}")
        }
        if let speculative = map.value("speculative_config") {
            options.speculativeConfig = passThrough(
                speculative, at: path / "speculative_config", key: "speculative_config",
                example: "{method: ngram, num_speculative_tokens: 4, prompt_lookup_max: 4}")
        }
        // vllm-project/vllm#28006 removed both flags in vLLM 0.11.1: `vllm serve` stops at
        // "unrecognized arguments" before it loads anything.
        for key in ["rope_scaling", "rope_theta"] {
            map.retire(
                key,
                help: "vLLM 0.11.1 removed --\(key.replacingAll("_", with: "-")); write it under hf_overrides, as "
                    + "'hf_overrides: {\(key): …}' (newer vLLM with Transformers 5 reads 'rope_parameters' instead)")
        }
        return options
    }

    /// A mapping passed to vLLM as JSON: keys and nesting as written, plain scalars typed as
    /// YAML types them (true, 4, 4.0), quoted ones as text; null is refused, since leaving the
    /// key out says the same.
    func passThrough(_ node: YAMLNode, at path: SpecPath, key: String, example: String) -> [(String, YAMLValue)] {
        guard node.mapping != nil else {
            context.error(.specWrongType, "'\(key)' must be a mapping, found \(node.kindName)", at: node.location, path: path, help: "write it as \(example)")
            return []
        }
        guard case .mapping(let pairs) = passThroughValue(node, named: key, at: path) else { return [] }
        return pairs
    }

    private func passThroughValue(_ node: YAMLNode, named name: String, at path: SpecPath) -> YAMLValue? {
        if let pairs = node.mapping {
            var members: [(String, YAMLValue)] = []
            for pair in pairs {
                guard let name = pair.key.scalar else { continue }
                guard Grammar.configKey.matches(name) else {
                    context.error(
                        .specInvalidValue, "'\(YAMLScalar.abbreviated(name))' is not a valid setting name", at: pair.key.location, path: path / name,
                        help: "use \(Grammar.configKey.expectation)")
                    continue
                }
                if let value = passThroughValue(pair.value, named: name, at: path / name) { members.append((name, value)) }
            }
            return .mapping(members)
        }
        if let items = node.sequence {
            return .sequence(items.enumerated().compactMap { passThroughValue($1, named: "\(name)[\($0)]", at: path / $0) })
        }
        guard let text = node.scalar, !node.isNull else {
            context.error(.specNullValue, "'\(name)' is null", at: node.location, path: path, help: "give it a value, or leave the key out")
            return nil
        }
        guard node.isPlain else { return .string(text) }
        if let flag = YAMLScalar.bool(text) { return .bool(flag) }
        if let number = YAMLScalar.int(text) { return .int(number) }
        if let number = YAMLScalar.double(text), number.isFinite { return .double(number) }
        return .string(text)
    }

    func templateKwargs(_ node: YAMLNode, at path: SpecPath) -> [(String, VLLMOptions.TemplateValue)] {
        guard let pairs = node.mapping else {
            context.error(
                .specWrongType, "'default_chat_template_kwargs' must be a mapping, found \(node.kindName)", at: node.location, path: path,
                help: "write it as {enable_thinking: false}")
            return []
        }
        var result: [(String, VLLMOptions.TemplateValue)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            guard Grammar.parserName.matches(key) else {
                context.error(.specInvalidValue, "'\(YAMLScalar.abbreviated(key))' is not a valid keyword name", at: pair.key.location, path: path / key, help: "use lowercase letters, digits and '_'")
                continue
            }
            let value = pair.value
            if let text = value.scalar, value.isPlain, let flag = YAMLScalar.bool(text) {
                result.append((key, .bool(flag)))
            } else if let text = value.scalar, value.isPlain, let number = YAMLScalar.int(text) {
                result.append((key, .int(number)))
            } else if let text = value.scalar, !value.isNull {
                result.append((key, .string(text)))
            } else {
                context.error(
                    .specWrongType, "'\(key)' must be true, false, a number or text, found \(value.kindName)", at: value.location, path: path / key,
                    help: "chat-template keyword arguments are simple values")
            }
        }
        return result
    }
}

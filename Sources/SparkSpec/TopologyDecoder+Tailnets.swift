import SparkDiagnostics
import SparkYAML

/// Decoding of `tailnets`: tag, users, admins, grants, shares and the policy selectors they name.
extension TopologyDecoder.SectionDecoder {
    func tailnet(_ name: String, _ node: YAMLNode, _ path: SpecPath) -> Tailnet? {
        let what = "tailnet '\(name)'"
        guard let map = MappingReader(node, at: path, what: what, context: context) else { return nil }
        defer { map.finish() }
        let tag = map.string("tag", required: true, what: what, grammar: .tailscaleTag)
        // The policy's tests need a real user to run as, so a tailnet names at least one.
        let users =
            map.required("users", what: what, help: "add 'users: [you@example.com]': the users allowed to reach the apps")
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
            context.error(
                .specWrongType, "'admins' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write it as [\"autogroup:admin\"]")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = MappingReader.text(item, key: "admins", path: path / index, grammar: nil, context: context) else { continue }
            let isGroup =
                (text.hasPrefix("group:") || text.hasPrefix("autogroup:")) && Grammar.word.matches(String(text.split(separator: ":", maxSplits: 1).last ?? ""))
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
}

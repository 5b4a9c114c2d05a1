import SparkDiagnostics
import SparkYAML

/// Decoding of `owners` (their gateway offers included) and of secret references, whose
/// literal values are refused without ever being echoed back.
extension TopologyDecoder.SectionDecoder {
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
            context.diagnostics.append(
                .error(
                    "\(what) must be a reference to an environment file, found a literal value (not shown)", at: path, location: node.location,
                    help:
                        "secrets are never written in the topology: use '{file: \"~/.litellm.env\"}' and put '\(variable)=…' in that file on the node (mode 0600)",
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
}

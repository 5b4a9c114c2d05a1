import SparkDiagnostics
import SparkYAML

/// Decoding of a node's `apps` list and each app's options (image, runner, listen, TLS files).
extension TopologyDecoder.SectionDecoder {
    func apps(_ node: YAMLNode, at path: SpecPath) -> [(app: App, options: AppOptions?)]? {
        guard let items = node.sequence else {
            context.error(
                .specWrongType, "'apps' must be a list, found \(node.kindName)", at: node.location, path: path, help: "write it as [litellm, open-webui]")
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
                context.error(
                    .specInvalidAddress, IPv4Address.explain(text), at: node.location, path: path / "listen",
                    help: "write the address to bind, such as 127.0.0.1")
            }
        }
        // What an app may set depends on the app: a key it does not read is an unknown key.
        let port = app.port != nil ? map.int("port", in: 1...65535) : nil
        let litellm = app.usesLiteLLM ? map.string("litellm", grammar: .hostname) : nil
        let key =
            app == .openWebUI
            ? map.value("key").flatMap { secret($0, at: path / "key", what: "the key of app '\(app.rawValue)'", variable: "OPENAI_API_KEY") } : nil
        let password =
            app == .hermesWebUI
            ? map.value("password").flatMap {
                secret($0, at: path / "password", what: "the password of app '\(app.rawValue)'", variable: "HERMES_WEBUI_PASSWORD")
            }
            : nil
        var runner = AppOptions.Runner.systemd
        var image: String?
        if app == .litellm {
            runner = map.choice("runner", AppOptions.Runner.self, noun: "runner") ?? .systemd
            if runner == .compose {
                let digest = map.string("digest", grammar: .digest)
                image =
                    map.string("image", grammar: .image).map { Self.pinned($0, digest: digest) }
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
}

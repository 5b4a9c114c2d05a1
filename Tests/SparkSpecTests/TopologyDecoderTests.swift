import SparkDiagnostics
import SparkGenKit
import SparkTestSupport
import Testing

@Suite struct TopologyDecoderTests {
    private func compile(_ text: String) -> Compilation {
        Compilation.run(bytes: Array(text.utf8), file: "topology.yaml")
    }

    private func firstError(_ text: String) -> Diagnostic? {
        compile(text).diagnostics.first { $0.severity == .error }
    }

    @Test func exampleCompilesWithoutFindings() {
        let compilation = compile(Fixtures.splitTrust)
        // The example accepts one risk on purpose (TR001, a note) and has nothing else to say.
        #expect(compilation.diagnostics.map { "\($0.severity.rawValue) \($0.code ?? "")" } == ["note TR001"])
        #expect(compilation.artifacts?.isEmpty == false)
    }

    @Test func typoKeySuggestsTheNearestKey() throws {
        let text = Fixtures.splitTrust(replacing: "    dac_ip: 198.51.100.2", with: "    dac_ipp: 198.51.100.2")
        let compilation = compile(text)
        let unknown = try #require(compilation.diagnostics.first { $0.message.contains("unknown key") })
        #expect(unknown.message == "unknown key 'dac_ipp' in node 'spark-02'")
        #expect(unknown.location == SourceLocation(line: text.line(containing: "dac_ipp"), column: 5))
        #expect(unknown.help?.hasPrefix("did you mean 'dac_ip'?") == true)
        #expect(unknown.oneLine.hasPrefix("topology.yaml:\(text.line(containing: "dac_ipp")):5: error[SP002]: "))
        #expect(compilation.artifacts == nil)
    }

    @Test func wrongTypeNamesWhatWasFound() throws {
        let text = Fixtures.splitTrust(replacing: "    port: 8000", with: "    port: \"8000\"")
        let error = try #require(firstError(text))
        #expect(error.message == "'port' must be a whole number from 1 to 65535, found the string '8000'")
        #expect(error.location == SourceLocation(line: text.line(containing: "port: \"8000\""), column: 11))
    }

    @Test func duplicateKeyPointsAtTheSecond() throws {
        let text = Fixtures.splitTrust(
            replacing: "    user: cameron\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.22",
            with: "    user: cameron\n    hardware: {kind: dgx-spark, arch: arm64, memory_gb: 128, usable_gb: 121}\n    mgmt_ip: 192.0.2.22\n    user: cameron")
        let error = try #require(firstError(text))
        #expect(error.message.hasPrefix("duplicate key 'user' (first defined at line"))
        #expect(error.location?.line == text.line(containing: "mgmt_ip: 192.0.2.22") + 1)
    }

    @Test(arguments: [
        ("198.51.100.300", "'198.51.100.300' is not an IPv4 address"),
        ("fe80::1", "'fe80::1' looks like an IPv6 address or has a port; spark-gen expects an IPv4 address"),
        ("198.51.100.1/30", "'198.51.100.1/30' is a network (CIDR), not a single address"),
        ("198.051.100.1", "'198.051.100.1' is not an IPv4 address"),
    ])
    func invalidAddressesAreNamed(_ value: String, _ message: String) throws {
        let text = Fixtures.splitTrust(replacing: "dac_ip: 198.51.100.1", with: "dac_ip: \(value)")
        let error = try #require(firstError(text))
        #expect(error.message == message)
        #expect(error.location?.line == text.line(containing: "dac_ip: \(value)"))
    }

    @Test func networkWithHostBitsNamesTheNetworkAddress() throws {
        let text = Fixtures.splitTrust(replacing: "subnet: 198.51.100.0/30", with: "subnet: 198.51.100.1/30")
        let error = try #require(firstError(text))
        #expect(error.message == "'198.51.100.1/30' has host bits set")
        #expect(error.help == "the network address of this range is 198.51.100.0/30")
    }

    @Test func tabIndentedFileIsOneClearError() throws {
        let text = Fixtures.splitTrust(replacing: "  name: sparky-ai-stack", with: "\tname: sparky-ai-stack")
        let compilation = compile(text)
        #expect(compilation.diagnostics.count == 1)
        #expect(
            compilation.diagnostics[0].oneLine == "topology.yaml:\(text.line(containing: "\tname")):1: error[YA002]: tab character where YAML expects spaces")
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n"])
    func emptyFileIsAnError(_ text: String) throws {
        let error = try #require(firstError(text))
        #expect(error.oneLine == "topology.yaml:1:1: error[SP014]: the topology is empty")
    }

    @Test func literalSecretIsRefusedWithoutEchoingIt() throws {
        let secret = "sk-verysecretvalue123456"
        let text = Fixtures.splitTrust(replacing: "master_key: {file: ~/.sparky01-litellm-key}", with: "master_key: \(secret)")
        let compilation = compile(text)
        let error = try #require(compilation.diagnostics.first)
        #expect(error.message.contains("found a literal value (not shown)"))
        let rendered = TextReporter().render(compilation.diagnostics, sourceLines: compilation.sourceLines)
        #expect(!rendered.contains(secret))
        #expect(rendered.contains("master_key: <redacted>"))
    }

    @Test func referenceErrorsComeInTheSameRunAsStructuralOnes() {
        let text = Fixtures.splitTrust(replacing: "weights_gb: 68", with: "weights_gbb: 68")
            .replacingOccurrences(of: "    owner: client", with: "    owner: clinet")
        let errors = compile(text).diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(errors == ["unknown owner 'clinet'", "unknown key 'weights_gbb' in model 'qwen3.5-122b'"])
    }

    @Test func aNameWhoseEntryHasAnErrorIsNotCalledUnknown() {
        // Tailnet client-net's entry fails to decode; owner 'client' still names it.
        let text = Fixtures.splitTrust(replacing: "    tag: tag:hjp-ai\n", with: "    tagg: tag:hjp-ai\n")
        let errors = compile(text).diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(errors.contains("unknown key 'tagg' in tailnet 'client-net'"))
        #expect(!errors.contains { $0.hasPrefix("unknown tailnet") }, "\(errors)")
    }

    @Test func unknownAppSuggestsTheNearest() throws {
        let text = Fixtures.splitTrust(
            replacing: "apps: [litellm, litellm-db, {open-webui: {key: {file: ~/.sparky02-open-webui.env}}}, n8n]",
            with: "apps: [litellm, litellm-db, openwebui, n8n]")
        let error = try #require(firstError(text))
        #expect(error.message == "unknown app 'openwebui'")
        #expect(error.help?.hasPrefix("did you mean 'open-webui'?") == true)
    }

    @Test func unknownOwnerIsReportedAtTheReference() throws {
        let text = Fixtures.splitTrust(replacing: "    owner: client", with: "    owner: clinet")
        let error = try #require(firstError(text))
        #expect(error.message == "unknown owner 'clinet'")
        #expect(error.help?.hasPrefix("did you mean 'client'?") == true)
        #expect(error.location == SourceLocation(line: text.line(containing: "owner: clinet"), column: 12))
    }

    @Test func missingRequiredKeyIsNamed() throws {
        let text = Fixtures.splitTrust(replacing: "    owner: client\n", with: "")
        let error = try #require(firstError(text))
        #expect(error.message == "missing required key 'owner' in node 'spark-02'")
    }

    @Test func everyErrorIsCollectedInOnePass() {
        var text = Fixtures.splitTrust(replacing: "    dac_ip: 198.51.100.2", with: "    dac_ipp: 198.51.100.2")
        text = text.replacingOccurrences(of: "mtu: 9216", with: "mtu: big")
        text = text.replacingOccurrences(of: "    port: 8000", with: "    port: 70000")
        let errors = compile(text).diagnostics.filter { $0.severity == .error }
        #expect(errors.count >= 3)
        let lines = errors.compactMap { $0.location?.line }
        #expect(lines == lines.sorted())
    }
}

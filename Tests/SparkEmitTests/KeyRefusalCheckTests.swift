import Foundation
import SparkTestSupport
import Testing

/// A virtual key minted for some models (an offer's, in secrets.json) is checked both ways by
/// the node's verify.sh: accepted, and refused for a model the LiteLLM routes outside its list,
/// by the 403 LiteLLM answers in its auth step before any backend is called. Read from the
/// committed trees (GoldenTreeTests keeps them equal to a fresh build).
@Suite struct KeyRefusalCheckTests {
    @Test(arguments: Fixtures.examples.map(\.name))
    func aKeyLimitedToSomeModelsIsRefusedTheOthers(_ example: String) throws {
        for manifest in LiveChecksTests.files(example, named: "secrets.json") {
            let stack = (manifest as NSString).deletingLastPathComponent
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any]
            let files = json?["files"] as? [[String: Any]] ?? []
            for file in files {
                guard let source = file["source"] as? [String: Any], source["kind"] as? String == "virtual-key",
                    let app = source["app"] as? String, let models = source["models"] as? [String]
                else { continue }
                let config = try LiveChecksTests.read(stack + "/litellm-config.yaml")
                let routed = LiveChecksTests.matches(#"^- model_name: (\S+)$"#, in: config).map { $0[1] }
                let others = routed.filter { !models.contains($0) }
                guard !others.isEmpty else { continue }
                let verify = try LiveChecksTests.read(stack + "/scripts/verify.sh")
                // A completion with the key for a model outside its list, that passes on 403 alone.
                let probe = LiveChecksTests.matches(
                    #"^if why=\$\(completion \S+ "\$headers/"#
                        + NSRegularExpression.escapedPattern(for: app)
                        + #"" '"(\S+)"' false\); then fail .*\n^elif \[\[ \$why == 'HTTP 403: '\* \]\]; then pass "#, in: verify)
                #expect(probe.count == 1 && others.contains(probe.first?[1] ?? ""), "\(stack): verify.sh never sees key \(app) refused for \(others)")
            }
        }
    }
}

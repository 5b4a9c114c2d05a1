import Testing

@testable import SparkSpec

/// The grammars and values that cut their text at a separator, which is done on the bytes:
/// empty parts, separators first and last, and texts that are not ASCII.
@Suite struct GrammarSplitTests {
    @Test func partsAreCutAtEverySeparatorWithEmptyPartsKept() {
        let cases: [(Grammar, String, Bool)] = [
            (.huggingFaceRepo, "Qwen/Qwen3.5-122B", true), (.huggingFaceRepo, "Qwen//x", false), (.huggingFaceRepo, "Qwen/", false),
            (.huggingFaceRepo, "/Qwen", false), (.huggingFaceRepo, "a/b/c", false), (.huggingFaceRepo, "Qwen/Qwé", false),
            (.routeName, "homelab/code", true), (.routeName, "a/b/c/d", false), (.routeName, "a//b", false),
            (.repositoryFile, "UD/Model-00001.gguf", true), (.repositoryFile, "UD//x.gguf", false), (.repositoryFile, "x/", false),
            (.ollamaTag, "library/qwen3:8b", true), (.ollamaTag, "qwen3:", false), (.ollamaTag, "a:b:c", false),
            (.ollamaTag, "a/b/c:1", false), (.email, "you@example.com", true), (.email, "@x", false), (.email, "a@b@c", false),
            (.phrase, "tool use", true), (.phrase, "tool  use", false), (.phrase, " tool", false),
            (.gpuUUID, "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a", true), (.gpuUUID, "GPU-3a23c669-1f69-c64e-cf85--44e9b07e7a2a", false),
        ]
        for (grammar, text, expected) in cases {
            #expect(grammar.matches(text) == expected, "\(grammar) \(text)")
        }
    }

    @Test func pathsAndAddressesAreCutOnTheirBytes() {
        #expect(NodePath("~/a/b")?.text == "~/a/b")
        #expect(NodePath("/a/b/")?.text == "/a/b")
        #expect(NodePath("/a/../b") == nil)
        #expect(NodePath("/a/./b") == nil)
        #expect(NodePath("/a//b") == nil)
        #expect(IPv4Address("192.0.2.22")?.value == 0xC000_0216)
        #expect(IPv4Address("192.0.2.022") == nil)
        #expect(IPv4Address("192.0..2") == nil)
        #expect(IPv4Address("192.0.2.2.") == nil)
        #expect(IPv4Address("192.0.2.２") == nil)
        #expect(IPv4Address("192.0.2.2\u{301}") == nil)
    }
}

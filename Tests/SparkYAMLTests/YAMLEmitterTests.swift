import Testing

@testable import SparkYAML

@Suite struct YAMLEmitterTests {
    /// Strings that a YAML reader would take for another type must come back as the same strings.
    @Test(arguments: [
        "8000", "0.80", "yes", "no", "on", "off", "null", "~", "", "true", "1e3", "0755", "1:20", "-c", ".inf", "2026-11-23", "a: b # c", "tag:owner",
        "line one\nline two",
    ])
    func typedLookingStringsRoundTripAsStrings(_ text: String) throws {
        let emitted = try YAMLEmitter.emit(.mapping([("k", .string(text))]))
        let root = try #require(YAMLParser.parse(Array(emitted.utf8)).root?.mapping)
        #expect(root[0].value.scalar == text)
        if YAMLScalar.needsQuoting(text) {
            #expect(root[0].value.isPlain == false, "\(text) was written plain: \(emitted)")
        }
    }

    /// The decision itself, read on bytes: number-like and typed words quoted, names, paths,
    /// words with a space and digits outside ASCII plain.
    @Test(arguments: [
        ("8000", true), ("1.2.3.4", true), ("0x1F", true), ("+1", true), ("-c", true), (".5", true), ("12ab", true), ("1_000", true),
        ("Yes", true), ("NULL", true), ("", true), ("12g", false), ("8000 tcp", false), ("\u{0661}\u{0662}", false), ("1\u{0301}", false),
        ("nginx", false), ("on-call", false), ("/opt/stack", false), ("litellm", false), ("é", false), ("-", true), ("a-1", false),
    ])
    func quotingDecision(_ text: String, _ quoted: Bool) {
        #expect(YAMLScalar.needsQuoting(text) == quoted, "\(text)")
    }

    @Test func numbersAndBooleansArePlain() throws {
        let emitted = try YAMLEmitter.emit(.mapping([("port", .int(8000)), ("on", .bool(true)), ("list", .sequence(["a"]))]))
        #expect(emitted == "port: 8000\n\"on\": true\nlist:\n- a\n")
    }

    @Test func emptyCollectionsAreFlow() throws {
        #expect(try YAMLEmitter.emit(.mapping([("volumes", .mapping([("data", .mapping([]))]))])) == "volumes:\n  data: {}\n")
    }
}

import SparkDiagnostics
import Testing

@testable import SparkYAML

@Suite struct YAMLParserTests {
    private func parse(_ text: String) -> YAMLParser.Result { YAMLParser.parse(Array(text.utf8)) }

    @Test func positionsAreOneBased() throws {
        let result = parse("a: 1\nb:\n  c: hello\n")
        let root = try #require(result.root)
        let pairs = try #require(root.mapping)
        #expect(pairs[0].key.location == SourceLocation(line: 1, column: 1))
        let inner = try #require(pairs[1].value.mapping)
        #expect(inner[0].key.location == SourceLocation(line: 3, column: 3))
        #expect(inner[0].value.location == SourceLocation(line: 3, column: 6))
        #expect(inner[0].value.scalar == "hello")
    }

    @Test func quotedScalarsAreNotPlain() throws {
        let root = try #require(parse("a: \"8000\"\nb: 8000\n").root?.mapping)
        #expect(root[0].value.isPlain == false)
        #expect(root[1].value.isPlain == true)
    }

    @Test func duplicateKeysAreAllReportedAtTheSecondKey() {
        let result = parse("a: 1\nb: 2\na: 3\nb: 4\n")
        #expect(result.errors.count == 2)
        #expect(result.errors[0].message.contains("duplicate key 'a' (first defined at line 1, column 1)"))
        #expect(result.errors[0].location == SourceLocation(line: 3, column: 1))
    }

    @Test func aliasesAreRefused() {
        let result = parse("a: &x [1, 2]\nb: *x\n")
        #expect(result.root == nil)
        #expect(result.errors.first?.message.contains("aliases are not supported") == true)
        #expect(result.errors.first?.location == SourceLocation(line: 2, column: 4))
    }

    @Test func secondDocumentIsRefused() {
        let result = parse("a: 1\n---\nb: 2\n")
        #expect(result.root == nil)
        #expect(result.errors.first?.message.contains("second YAML document") == true)
        #expect(result.errors.first?.location.line == 2)
    }

    @Test func tabIndentationIsNamed() {
        let result = parse("a:\n\tb: 1\n")
        #expect(result.root == nil)
        #expect(result.errors.first?.message == "tab character where YAML expects spaces")
        #expect(result.errors.first?.location.line == 2)
    }

    @Test func deepNestingStopsAtTheLimit() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let result = parse(text)
        #expect(result.root == nil)
        #expect(result.errors.first?.message.contains("deeper than \(YAMLParser.maxDepth)") == true)
    }

    @Test func invalidUTF8IsPositioned() {
        var bytes = Array("a: ok\nb: ".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        let result = YAMLParser.parse(bytes)
        #expect(result.root == nil)
        #expect(result.errors.first?.message.contains("not valid UTF-8") == true)
        #expect(result.errors.first?.location.line == 2)
    }

    @Test func emptyInputHasNoRootAndNoError() {
        let result = parse("")
        #expect(result.root == nil)
        #expect(result.errors.isEmpty)
    }

    @Test func treeKeepsTextTagsAndShapes() throws {
        let result = parse("a: !!str 1\nb: [x, \"y\", {c: ~}]\nlong_key_of_more_than_fifteen_bytes: \"é\"\nd: |\n  one\n  two\n")
        let root = try #require(result.root?.mapping)
        #expect(root.count == 4)
        #expect(root[0].value.tag == "tag:yaml.org,2002:str")
        #expect(root[0].value.scalar == "1")
        #expect(root[1].value.tag == nil)
        let items = try #require(root[1].value.sequence)
        #expect(items.map(\.isPlain) == [true, false, true])
        #expect(items.compactMap(\.scalar) == ["x", "y"])
        #expect(items[2].mapping?[0].value.isNull == true)
        #expect(items[2].location == SourceLocation(line: 2, column: 13))
        #expect(root[2].value.scalar == "é")
        #expect(root[3].value.scalar == "one\ntwo\n")
        #expect(root.firstIndex(ofKey: "long_key_of_more_than_fifteen_bytes") == 2)
        #expect(root.firstIndex(ofKey: "long_key_of_more_than_fifteen_byte") == nil)
        #expect(root[3].key.isScalar("d") && !root[3].key.isScalar("dd") && !root[1].value.isScalar("x"))
    }

    @Test func duplicateKeysOfALargeMappingAreFoundByItsIndex() {
        let keys = (0..<20).map { "k\($0): \($0)\n" }.joined()
        let result = parse(keys + "k3: 9\nk19: 1\n")
        #expect(
            result.errors.map(\.message) == [
                "duplicate key 'k3' (first defined at line 4, column 1)", "duplicate key 'k19' (first defined at line 20, column 1)",
            ])
        #expect(result.errors.map(\.location.line) == [21, 22])
    }

    @Test func collectionKeysAreRefusedByKind() {
        let result = parse("[a]: 1\n{b: 2}: 3\n")
        #expect(result.errors.map(\.message) == ["a mapping key must be plain text, found a list", "a mapping key must be plain text, found a mapping"])
    }
}

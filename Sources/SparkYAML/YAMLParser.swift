import CYAML
import SparkDiagnostics

/// Reads one YAML document into a `YAMLNode` tree with libyaml's event API.
///
/// What a topology never needs is refused with a positioned error rather than supported
/// half-way: aliases (which also rules out "billion laughs"), several documents, and nesting
/// deeper than `maxDepth`. Duplicate keys are collected, so a file with several gets them all.
public enum YAMLParser {
    public static let maxDepth = 64

    /// The outcome of reading a file: the root (nil for an empty file) and every error found.
    public struct Result: Sendable {
        public let root: YAMLNode?
        public let errors: [YAMLError]
    }

    public static func parse(_ bytes: [UInt8]) -> Result {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return Result(root: nil, errors: [YAMLError(.yamlSyntax, "libyaml could not start", at: SourceLocation(line: 1, column: 1))])
        }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer -> Result in
            yaml_parser_set_input_string(&parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count)
            var builder = TreeBuilder()
            return builder.run(&parser, bytes: buffer)
        }
    }
}

/// Turns the event stream into a tree with an explicit stack, so deep input cannot overflow ours.
private struct TreeBuilder {
    /// An open mapping or sequence. A class, so appending to the innermost collection happens in
    /// place: with enum frames every append copied the collection, quadratic in its length.
    private final class Frame {
        let isMapping: Bool
        let location: SourceLocation
        let tag: String?
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Where each key was first written, kept from 16 pairs on; a smaller mapping (most of
        /// them: a fleet has about 100,000) is searched instead, cheaper than hashing its keys.
        private var seen: [String: SourceLocation]?
        var items: [YAMLNode] = []

        init(isMapping: Bool, location: SourceLocation, tag: String?) {
            self.isMapping = isMapping
            self.location = location
            self.tag = tag
        }

        /// Where the mapping first wrote `name`, if it already holds it.
        func firstLocation(of name: String) -> SourceLocation? {
            if let seen { return seen[name] }
            for pair in pairs where pair.key.scalar == name { return pair.key.location }
            return nil
        }

        /// Records a key written for the first time.
        func remember(_ name: String, at location: SourceLocation) {
            if seen == nil, pairs.count >= 16 {
                var index: [String: SourceLocation] = [:]
                for pair in pairs { if let key = pair.key.scalar, index[key] == nil { index[key] = pair.key.location } }
                seen = index
            }
            seen?[name] = location
        }
    }

    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var errors: [YAMLError] = []
    private var documents = 0

    mutating func run(_ parser: inout yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> YAMLParser.Result {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                errors.append(Self.syntaxError(parser, bytes: bytes))
                return YAMLParser.Result(root: nil, errors: errors)
            }
            defer { yaml_event_delete(&event) }
            let location = Self.location(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return YAMLParser.Result(root: root, errors: errors)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    errors.append(
                        YAMLError(
                            .yamlSecondDocument, "found a second YAML document; a topology file holds exactly one", at: location,
                            help: "remove the '---' separator and everything after it, or split it into its own file"))
                    return YAMLParser.Result(root: nil, errors: errors)
                }
            case YAML_ALIAS_EVENT:
                errors.append(
                    YAMLError(
                        .yamlAlias, "YAML aliases are not supported in a topology", at: location,
                        help: "write the value out in full instead of referring to an anchor with '*'"))
                return YAMLParser.Result(root: nil, errors: errors)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let node = YAMLNode(
                    .scalar(text), location: location,
                    isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.string(scalar.tag))
                add(node)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLParser.maxDepth else {
                    errors.append(
                        YAMLError(
                            .yamlTooDeep, "nesting is deeper than \(YAMLParser.maxDepth) levels", at: location,
                            help: "a topology never needs more than a few levels; flatten the structure"))
                    return YAMLParser.Result(root: nil, errors: errors)
                }
                if event.type == YAML_MAPPING_START_EVENT {
                    stack.append(Frame(isMapping: true, location: location, tag: Self.string(event.data.mapping_start.tag)))
                } else {
                    stack.append(Frame(isMapping: false, location: location, tag: Self.string(event.data.sequence_start.tag)))
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                add(YAMLNode(frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items), location: frame.location, tag: frame.tag))
            default:
                break
            }
        }
    }

    private mutating func add(_ node: YAMLNode) {
        guard let top = stack.last else {
            root = node
            return
        }
        guard top.isMapping else {
            top.items.append(node)
            return
        }
        guard let key = top.pendingKey else {
            top.pendingKey = node
            return
        }
        top.pendingKey = nil
        if let name = key.scalar {
            if let first = top.firstLocation(of: name) {
                errors.append(
                    YAMLError(
                        .yamlDuplicateKey, "duplicate key '\(YAMLScalar.abbreviated(name))' (first defined at line \(first.line), column \(first.column))",
                        at: key.location, help: "keep one of the two entries"))
            } else {
                top.remember(name, at: key.location)
            }
        } else {
            errors.append(
                YAMLError(
                    .yamlComplexKey, "a mapping key must be plain text, found \(key.kindName)", at: key.location,
                    help: "use a name as the key"))
        }
        top.pairs.append(YAMLPair(key: key, value: node))
    }

    private static func location(_ mark: yaml_mark_t) -> SourceLocation {
        // libyaml counts from 0; every position the user sees counts from 1.
        SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func syntaxError(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset, not a mark.
            let location = Self.location(ofByte: Int(parser.problem_offset), in: bytes)
            if problem.contains("control characters") {
                return YAMLError(
                    .yamlControlCharacter, "the file contains a control character, which YAML does not allow", at: location,
                    help: "remove it; write special characters as escapes inside double quotes")
            }
            return YAMLError(
                .yamlEncoding, "the file is not valid UTF-8 text (\(problem))", at: location,
                help: "save the topology as UTF-8")
        }
        let mark = parser.problem_mark
        let location = Self.location(mark)
        let offset = Int(mark.index)
        if offset < bytes.count, bytes[offset] == 0x09 || problem.contains("tab") {
            return YAMLError(
                .yamlTab, "tab character where YAML expects spaces", at: location,
                help: "indent with spaces only; YAML does not allow tabs for indentation")
        }
        var message = "invalid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        return YAMLError(.yamlSyntax, message, at: location, help: "check the indentation and quoting around this position")
    }

    private static func location(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes.prefix(min(offset, bytes.count)) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(line: line, column: column)
    }
}

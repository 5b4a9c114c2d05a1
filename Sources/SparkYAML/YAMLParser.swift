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
            var builder = TreeBuilder(capacity: buffer.count)
            return builder.run(&parser, bytes: buffer)
        }
    }
}

/// Turns the event stream into a flat `YAMLTree` with an explicit stack, so deep input cannot
/// overflow ours.
private struct TreeBuilder {
    /// An open mapping or sequence: its record (reserved when it opened, so a parent's id is
    /// smaller than its children's) and where its children start in `pending`.
    private struct Frame {
        let id: Int
        let isMapping: Bool
        let pendingStart: Int
        /// Where each key was first written, kept from 16 pairs on; a smaller mapping (most of
        /// them: a fleet has about 100,000) is searched instead, cheaper than hashing its keys.
        var seen: [String: SourceLocation]?
    }

    private var records: [YAMLTree.Record] = []
    private var children: [Int] = []
    private var bytes: [UInt8] = []
    /// The children of every open collection, innermost last: a collection's run is moved to
    /// `children` when it closes, so each collection's children are one run there.
    private var pending: [Int] = []
    private var stack: [Frame] = []
    private var root: Int?
    private var errors: [YAMLError] = []
    private var documents = 0

    init(capacity: Int) {
        // About one node per 12 bytes of a topology, and a third of the file in scalar text.
        records.reserveCapacity(capacity / 12 + 16)
        children.reserveCapacity(capacity / 12 + 16)
        bytes.reserveCapacity(capacity / 2 + 16)
    }

    private func result(_ root: Int?) -> YAMLParser.Result {
        guard let root else { return YAMLParser.Result(root: nil, errors: errors) }
        let tree = YAMLTree(records: records, children: children, bytes: bytes)
        return YAMLParser.Result(root: YAMLNode(tree, root), errors: errors)
    }

    mutating func run(_ parser: inout yaml_parser_t, bytes input: UnsafeBufferPointer<UInt8>) -> YAMLParser.Result {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                errors.append(Self.syntaxError(parser, bytes: input))
                return result(nil)
            }
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return result(root)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    errors.append(
                        YAMLError(
                            .yamlSecondDocument, "found a second YAML document; a topology file holds exactly one", at: Self.location(mark),
                            help: "remove the '---' separator and everything after it, or split it into its own file"))
                    return result(nil)
                }
            case YAML_ALIAS_EVENT:
                errors.append(
                    YAMLError(
                        .yamlAlias, "YAML aliases are not supported in a topology", at: Self.location(mark),
                        help: "write the value out in full instead of referring to an anchor with '*'"))
                return result(nil)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let start = bytes.count
                if scalar.length > 0 { bytes.append(contentsOf: UnsafeBufferPointer(start: scalar.value, count: scalar.length)) }
                let tag = appendTag(scalar.tag)
                records.append(
                    YAMLTree.Record(
                        kind: .scalar, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                        start: start, count: scalar.length, tagStart: tag.start, tagCount: tag.count))
                add(records.count - 1)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < YAMLParser.maxDepth else {
                    errors.append(
                        YAMLError(
                            .yamlTooDeep, "nesting is deeper than \(YAMLParser.maxDepth) levels", at: Self.location(mark),
                            help: "a topology never needs more than a few levels; flatten the structure"))
                    return result(nil)
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let tag = appendTag(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
                records.append(
                    YAMLTree.Record(
                        kind: isMapping ? .mapping : .sequence, isPlain: true, line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                        start: 0, count: 0, tagStart: tag.start, tagCount: tag.count))
                stack.append(Frame(id: records.count - 1, isMapping: isMapping, pendingStart: pending.count))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let start = children.count
                children.append(contentsOf: pending[frame.pendingStart...])
                let written = pending.count - frame.pendingStart
                pending.removeSubrange(frame.pendingStart...)
                records[frame.id].start = start
                records[frame.id].count = frame.isMapping ? written / 2 : written
                add(frame.id)
            default:
                break
            }
        }
    }

    /// Copies a tag's text into `bytes`: its start and length, or -1 for no tag.
    private mutating func appendTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> (start: Int, count: Int) {
        guard let pointer else { return (-1, 0) }
        var count = 0
        while pointer[count] != 0 { count += 1 }
        let start = bytes.count
        bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
        return (start, count)
    }

    private func text(_ id: Int) -> String {
        let record = records[id]
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[record.start..<record.start + record.count]), as: UTF8.self)
        }
    }

    private func location(of id: Int) -> SourceLocation {
        SourceLocation(line: records[id].line, column: records[id].column)
    }

    /// True when nodes `a` and `b` are scalars with the same text.
    private func sameScalar(_ a: Int, _ b: Int) -> Bool {
        let first = records[a]
        let second = records[b]
        guard first.kind == .scalar, second.kind == .scalar, first.count == second.count else { return false }
        var index = 0
        while index < first.count {
            if bytes[first.start + index] != bytes[second.start + index] { return false }
            index += 1
        }
        return true
    }

    private mutating func add(_ node: Int) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            pending.append(node)
            return
        }
        let pairStart = stack[top].pendingStart
        // A key waits in `pending` for its value: an even count there means `node` is a key.
        guard (pending.count - pairStart) % 2 == 1 else {
            pending.append(node)
            return
        }
        let key = pending[pending.count - 1]
        let completed = (pending.count - 1 - pairStart) / 2
        if records[key].kind == .scalar {
            if let first = firstLocation(ofKey: key, frame: top, completed: completed) {
                let name = text(key)
                errors.append(
                    YAMLError(
                        .yamlDuplicateKey,
                        "duplicate key '\(YAMLScalar.abbreviated(name))' (first defined at line \(first.line), column \(first.column))",
                        at: location(of: key), help: "keep one of the two entries"))
            } else {
                remember(key, frame: top, completed: completed)
            }
        } else {
            errors.append(
                YAMLError(
                    .yamlComplexKey, "a mapping key must be plain text, found \(records[key].kind == .mapping ? "a mapping" : "a list")", at: location(of: key),
                    help: "use a name as the key"))
        }
        pending.append(node)
    }

    /// Where the open mapping `frame` first wrote the scalar key `key`, among its `completed` pairs.
    private func firstLocation(ofKey key: Int, frame: Int, completed: Int) -> SourceLocation? {
        if let seen = stack[frame].seen { return seen[text(key)] }
        var at = stack[frame].pendingStart
        for _ in 0..<completed {
            if sameScalar(pending[at], key) { return location(of: pending[at]) }
            at += 2
        }
        return nil
    }

    /// Records a key written for the first time.
    private mutating func remember(_ key: Int, frame: Int, completed: Int) {
        if stack[frame].seen == nil, completed >= 16 {
            var index: [String: SourceLocation] = [:]
            var at = stack[frame].pendingStart
            for _ in 0..<completed {
                let earlier = pending[at]
                if records[earlier].kind == .scalar {
                    let name = text(earlier)
                    if index[name] == nil { index[name] = location(of: earlier) }
                }
                at += 2
            }
            stack[frame].seen = index
        }
        if stack[frame].seen != nil { stack[frame].seen![text(key)] = location(of: key) }
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

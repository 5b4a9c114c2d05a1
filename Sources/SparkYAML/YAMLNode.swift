import SparkDiagnostics

/// A YAML node as read from a file, with the 1-based position where it starts: a position in
/// the flat arrays of its `YAMLTree`, so a node is a reference and an index, and its scalar
/// text is made into a String only when asked.
public struct YAMLNode: Sendable {
    /// The shape of a node's content.
    public enum Content: Sendable {
        case scalar(String)
        case mapping(YAMLPairs)
        case sequence(YAMLItems)
    }

    let tree: YAMLTree
    let id: Int

    init(_ tree: YAMLTree, _ id: Int) {
        self.tree = tree
        self.id = id
    }

    private var record: YAMLTree.Record { tree.records[id] }

    public var content: Content {
        let record = record
        switch record.kind {
        case .scalar: return .scalar(tree.string(record.start, record.count))
        case .mapping: return .mapping(YAMLPairs(tree: tree, start: record.start, count: record.count))
        case .sequence: return .sequence(YAMLItems(tree: tree, start: record.start, count: record.count))
        }
    }

    public var location: SourceLocation {
        let record = record
        return SourceLocation(line: record.line, column: record.column)
    }

    /// True for an unquoted scalar: only plain scalars may be read as numbers, booleans or null.
    public var isPlain: Bool { record.isPlain }

    /// An explicit tag such as `!!str`, if the author wrote one.
    public var tag: String? {
        let record = record
        return record.tagStart < 0 ? nil : tree.string(record.tagStart, record.tagCount)
    }

    /// True when the author wrote no tag (without making the tag's String).
    public var isUntagged: Bool { record.tagStart < 0 }

    public var scalar: String? {
        let record = record
        return record.kind == .scalar ? tree.string(record.start, record.count) : nil
    }

    public var isScalar: Bool { record.kind == .scalar }

    /// True for a scalar whose text is `text`, compared as bytes: no String is made.
    public func isScalar(_ text: String) -> Bool {
        let record = record
        return record.kind == .scalar && tree.equals(record.start, record.count, text)
    }

    public var mapping: YAMLPairs? {
        let record = record
        return record.kind == .mapping ? YAMLPairs(tree: tree, start: record.start, count: record.count) : nil
    }

    public var sequence: YAMLItems? {
        let record = record
        return record.kind == .sequence ? YAMLItems(tree: tree, start: record.start, count: record.count) : nil
    }

    /// True for a plain `null`, `~` or empty scalar, which YAML reads as no value.
    public var isNull: Bool {
        let record = record
        guard record.isPlain, record.tagStart < 0, record.kind == .scalar else { return false }
        return record.count == 0 || tree.equals(record.start, record.count, "~") || tree.equals(record.start, record.count, "null")
            || tree.equals(record.start, record.count, "Null") || tree.equals(record.start, record.count, "NULL")
    }

    /// A word for the kind of node, for "expected X, found Y" messages.
    public var kindName: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text):
            if isNull { return "an empty value" }
            if isPlain && tag == nil {
                if YAMLScalar.bool(text) != nil { return "the boolean '\(text)'" }
                if YAMLScalar.int(text) != nil || YAMLScalar.double(text) != nil { return "the number \(text)" }
            }
            return "the string '\(YAMLScalar.abbreviated(text))'"
        }
    }
}

/// One key and value of a YAML mapping, in source order.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode
}

/// The pairs of one mapping, in source order.
public struct YAMLPairs: RandomAccessCollection, Sendable {
    let tree: YAMLTree
    let start: Int
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> YAMLPair {
        precondition(position >= 0 && position < count, "pair index out of range")
        let at = start + 2 * position
        return YAMLPair(key: YAMLNode(tree, tree.children[at]), value: YAMLNode(tree, tree.children[at + 1]))
    }

    /// The position of the first pair whose key is the scalar `text`, compared as bytes.
    public func firstIndex(ofKey text: String) -> Int? {
        var position = 0
        var at = start
        while position < count {
            let record = tree.records[tree.children[at]]
            if record.kind == .scalar, tree.equals(record.start, record.count, text) { return position }
            position += 1
            at += 2
        }
        return nil
    }

    /// True when the key of pair `position` is a scalar.
    public func hasScalarKey(_ position: Int) -> Bool {
        tree.records[tree.children[start + 2 * position]].kind == .scalar
    }

    /// True when the keys of pairs `a` and `b` are scalars with the same text, compared as bytes.
    public func sameKey(_ a: Int, _ b: Int) -> Bool {
        tree.scalarsEqual(tree.children[start + 2 * a], tree.children[start + 2 * b])
    }
}

/// The items of one sequence, in source order.
public struct YAMLItems: RandomAccessCollection, Sendable {
    let tree: YAMLTree
    let start: Int
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> YAMLNode {
        precondition(position >= 0 && position < count, "item index out of range")
        return YAMLNode(tree, tree.children[start + position])
    }
}

import SparkDiagnostics

/// An immutable YAML node as read from a file, with the 1-based position where it starts.
public struct YAMLNode: Sendable {
    /// The shape of a node's content.
    public enum Content: Sendable {
        case scalar(String)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public let content: Content
    public let location: SourceLocation
    /// True for an unquoted scalar: only plain scalars may be read as numbers, booleans or null.
    public let isPlain: Bool
    /// An explicit tag such as `!!str`, if the author wrote one.
    public let tag: String?

    public init(_ content: Content, location: SourceLocation, isPlain: Bool = true, tag: String? = nil) {
        self.content = content
        self.location = location
        self.isPlain = isPlain
        self.tag = tag
    }

    public var scalar: String? {
        if case .scalar(let text) = content { return text }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// True for a plain `null`, `~` or empty scalar, which YAML reads as no value.
    public var isNull: Bool {
        guard isPlain, tag == nil, let text = scalar else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
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

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// What a container mounts: a Docker named volume or a folder or file of the node, at a path
/// in the container, read-only or not. Kinds and runtimes build these; only the renderers
/// (compose's and `docker run`'s short syntax) turn them into text, so nothing splits a
/// mount string again to learn what it was.
public struct Mount: Hashable, Sendable {
    /// Where the mounted data lives.
    public enum Source: Hashable, Sendable {
        /// A Docker named volume, which the compose file declares.
        case volume(String)
        /// An absolute path on the node.
        case bind(String)
    }

    public let source: Source
    /// The path in the container.
    public let target: String
    public let readOnly: Bool

    public init(_ source: Source, at target: String, readOnly: Bool = false) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    /// A named volume at `target`.
    public static func volume(_ name: String, at target: String, readOnly: Bool = false) -> Mount {
        Mount(.volume(name), at: target, readOnly: readOnly)
    }

    /// A path of the node at `target`.
    public static func bind(_ path: String, at target: String, readOnly: Bool = false) -> Mount {
        Mount(.bind(path), at: target, readOnly: readOnly)
    }

    /// The volume's name, for a named volume.
    public var volumeName: String? {
        if case .volume(let name) = source { return name }
        return nil
    }

    /// The node's path, for a bind mount.
    public var hostPath: String? {
        if case .bind(let path) = source { return path }
        return nil
    }
}

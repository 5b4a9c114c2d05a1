/// A container image reference split as registries read it: `[registry[:port]/]repository[:tag][@digest]`.
public struct ImageReference: Sendable, Equatable {
    /// Everything before the tag and digest, registry included.
    public let repository: String
    /// The tag, if one is written (a pull without one takes `latest`).
    public let tag: String?
    /// The digest after `@`, such as `sha256:…`, if one is written.
    public let digest: String?

    public init(_ text: String) {
        var rest = Substring(text)
        var digest: Substring?
        if let at = rest.firstIndex(of: "@") {
            digest = rest[rest.index(after: at)...]
            rest = rest[..<at]
        }
        // A tag follows the last ':' after the last '/' (a registry may have a port).
        var tag: Substring?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
        }
        self.repository = String(rest)
        self.tag = tag.map(String.init)
        self.digest = digest.map(String.init)
    }
}

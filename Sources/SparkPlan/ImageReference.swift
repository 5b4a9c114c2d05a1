/// A container image reference split as registries read it: `[registry[:port]/]repository[:tag][@digest]`.
public struct ImageReference: Sendable, Equatable {
    /// Everything before the tag and digest, registry included.
    public let repository: String
    /// The tag, if one is written (a pull without one takes `latest`).
    public let tag: String?
    /// The digest after `@`, such as `sha256:…`, if one is written.
    public let digest: String?

    public init(_ text: String) {
        // ASCII (every image a topology may name, spark-gen's defaults too): search the bytes.
        // The Character search gives the same split and costs a grapheme walk per call;
        // rules parse each model's and app's image several times.
        let (repository, tag, digest) = text.utf8.allSatisfy({ $0 < 0x80 }) ? Self.splitBytes(text) : Self.splitCharacters(text)
        self.repository = String(repository)
        self.tag = tag.map(String.init)
        self.digest = digest.map(String.init)
    }

    private static func splitCharacters(_ text: String) -> (Substring, Substring?, Substring?) {
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
        return (rest, tag, digest)
    }

    private static func splitBytes(_ text: String) -> (Substring, Substring?, Substring?) {
        let utf8 = text.utf8
        var end = utf8.endIndex
        var digest: Substring?
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")) {
            digest = text[utf8.index(after: at)...]
            end = at
        }
        var tag: Substring?
        if let colon = utf8[..<end].lastIndex(of: UInt8(ascii: ":")), !utf8[colon..<end].contains(UInt8(ascii: "/")) {
            tag = text[utf8.index(after: colon)..<end]
            end = colon
        }
        return (text[..<end], tag, digest)
    }
}

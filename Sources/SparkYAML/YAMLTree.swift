/// The nodes of one YAML document stored flat: one record per node, the children of every
/// mapping and sequence as runs of one array of node ids, and every scalar's and tag's text as
/// runs of one byte array.
///
/// A fleet of 2000 nodes reads about 300,000 YAML nodes. As a tree of enums, each node was
/// boxes of arrays and Strings, allocated, retained on every copy and freed one by one; here
/// a node is an index, and a scalar becomes a String only when the decoder asks for it (keys are
/// compared as bytes and never become Strings).
public final class YAMLTree: Sendable {
    enum Kind: UInt8, Sendable {
        case scalar, mapping, sequence
    }

    struct Record: Sendable {
        var kind: Kind
        var isPlain: Bool
        var line: Int
        var column: Int
        /// A scalar's text in `bytes`; a mapping's pairs (key and value ids, alternating) or a
        /// sequence's items in `children`. `count` is the number of pairs for a mapping.
        var start: Int
        var count: Int
        /// The tag's text in `bytes`; -1 when the author wrote no tag.
        var tagStart: Int
        var tagCount: Int
    }

    let records: [Record]
    let children: [Int]
    let bytes: [UInt8]

    init(records: [Record], children: [Int], bytes: [UInt8]) {
        self.records = records
        self.children = children
        self.bytes = bytes
    }

    func string(_ start: Int, _ count: Int) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<start + count]), as: UTF8.self)
        }
    }

    /// True when `bytes[start..<start+count]` is the UTF-8 of `text`.
    func equals(_ start: Int, _ count: Int, _ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == count else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            if let equal = utf8.withContiguousStorageIfAvailable({ other -> Bool in
                count == 0 || memcmpEqual(buffer.baseAddress! + start, other.baseAddress!, count)
            }) {
                return equal
            }
            var at = start
            for byte in utf8 {
                guard buffer[at] == byte else { return false }
                at += 1
            }
            return true
        }
    }

    /// True when nodes `a` and `b` are both scalars with the same text.
    func scalarsEqual(_ a: Int, _ b: Int) -> Bool {
        let first = records[a]
        let second = records[b]
        guard first.kind == .scalar, second.kind == .scalar, first.count == second.count else { return false }
        if first.count == 0 { return true }
        return bytes.withUnsafeBufferPointer { buffer in
            memcmpEqual(buffer.baseAddress! + first.start, buffer.baseAddress! + second.start, first.count)
        }
    }
}

/// Byte equality of two runs of `count` bytes (a loop: the runs are keys, a few bytes long).
@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        if a[index] != b[index] { return false }
        index += 1
    }
    return true
}

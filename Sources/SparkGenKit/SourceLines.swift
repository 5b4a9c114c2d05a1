/// The lines of a topology file, for quoting under a finding.
///
/// A report quotes a few lines of a file that may have 100,000 of them, so ASCII text without
/// a carriage return (every topology in practice) keeps its bytes and the offset where each
/// line starts, and makes a String only of a line that is quoted: splitting the whole file
/// into Substrings, after decoding all 4 MB of a fleet's text, was a fifth of reporting its
/// 6000 warnings. The lines are the same as splitting on the newline byte. Other text is
/// split on the Character, where "\r\n" is one Character and so not a line break.
public struct SourceLines: Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case ascii(bytes: [UInt8], starts: [Int])
        case lines([Substring])
    }

    private let storage: Storage

    public init(_ lines: [Substring]) {
        storage = .lines(lines)
    }

    public init(arrayLiteral lines: Substring...) {
        storage = .lines(lines)
    }

    /// The lines of a file's bytes, decoded as UTF-8 (invalid bytes repaired) when not ASCII.
    public init(bytes: [UInt8]) {
        var starts = [0]
        let ascii = bytes.withUnsafeBufferPointer { buffer in
            for (offset, byte) in buffer.enumerated() {
                if byte >= 0x80 || byte == UInt8(ascii: "\r") { return false }
                if byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
            }
            return true
        }
        if ascii {
            storage = .ascii(bytes: bytes, starts: starts)
        } else {
            storage = .lines(String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false))
        }
    }

    public var count: Int {
        switch storage {
        case .ascii(_, let starts): return starts.count
        case .lines(let lines): return lines.count
        }
    }

    /// The line at `index`, counted from 0, without its newline.
    public subscript(index: Int) -> Substring {
        switch storage {
        case .ascii(let bytes, let starts):
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count
            return Substring(String(decoding: bytes[starts[index]..<end], as: UTF8.self))
        case .lines(let lines):
            return lines[index]
        }
    }
}

/// The lines of a topology file, for quoting under a finding.
///
/// A report quotes a few lines of a file that may have 100,000 of them, so text without a
/// carriage return (every topology in practice) keeps its bytes and the offset where each
/// line starts, and makes a String only of a line that is quoted: splitting the whole file
/// into Substrings, after decoding all 4 MB of a fleet's text, was a fifth of reporting its
/// 6000 warnings, and splitting a small file with one "…" in a comment on Characters was a
/// tenth of linting it. The lines are the same as splitting the decoded text on "\n": a line
/// feed is a Character of its own unless a carriage return comes before it, and it is never
/// part of a UTF-8 sequence, so an invalid sequence is repaired the same within its line.
/// Text with a carriage return is split on the Character, where "\r\n" is one Character and
/// so not a line break.
public struct SourceLines: Sendable, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case bytes([UInt8], starts: [Int])
        case lines([Substring])
    }

    private let storage: Storage

    public init(_ lines: [Substring]) {
        storage = .lines(lines)
    }

    public init(arrayLiteral lines: Substring...) {
        storage = .lines(lines)
    }

    /// The lines of a file's bytes, decoded as UTF-8 (invalid bytes repaired).
    public init(bytes: [UInt8]) {
        var starts = [0]
        let lineFeedsOnly = bytes.withUnsafeBufferPointer { buffer in
            for (offset, byte) in buffer.enumerated() {
                if byte == UInt8(ascii: "\r") { return false }
                if byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
            }
            return true
        }
        if lineFeedsOnly {
            storage = .bytes(bytes, starts: starts)
        } else {
            storage = .lines(String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false))
        }
    }

    public var count: Int {
        switch storage {
        case .bytes(_, let starts): return starts.count
        case .lines(let lines): return lines.count
        }
    }

    /// The line at `index`, counted from 0, without its newline.
    public subscript(index: Int) -> Substring {
        switch storage {
        case .bytes(let bytes, let starts):
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count
            return Substring(String(decoding: bytes[starts[index]..<end], as: UTF8.self))
        case .lines(let lines):
            return lines[index]
        }
    }
}

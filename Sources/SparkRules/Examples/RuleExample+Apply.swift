extension RuleExample {
    /// A fixture-based example with its edits applied: the topology (still holding its `↓`
    /// marker) and, for `spark-gen explain`, each edit as whole lines with their context.
    public struct Applied: Sendable {
        public let text: String
        public let hunks: [Hunk]
    }

    /// One edit as a reader sees it: the lines it removes and adds, between the unchanged
    /// parts of the lines it touches.
    public struct Hunk: Sendable {
        /// The keys the edit sits under (`tailnets:`, `  you-net:`), outermost first, so the
        /// reader knows where a line such as `ssh: true` is.
        public let parents: [String]
        /// Whether lines between the last parent and the edit are left out.
        public let gap: Bool
        public let before: [String]
        public let removed: [String]
        public let added: [String]
        public let after: [String]
    }

    public struct ApplyError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Applies the edits to `text` in order. Each edit's `old` must occur exactly once, so an
    /// example cannot change more than it shows.
    public static func apply(_ edits: [Edit], to base: String, name: String) throws -> Applied {
        var text = base
        var hunks: [Hunk] = []
        for edit in edits {
            guard !edit.old.isEmpty else { throw ApplyError(description: "\(name): an edit replaces nothing") }
            let ranges = occurrences(of: edit.old, in: text)
            let count = ranges.count
            guard count == 1, let range = ranges.first else {
                throw ApplyError(description: "\(name): '\(edit.old)' occurs \(count) times, not once")
            }
            let start = text[..<range.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
            let end: String.Index
            if edit.old.hasSuffix("\n") {
                end = range.upperBound
            } else {
                end = text[range.upperBound...].firstIndex(of: "\n") ?? text.endIndex
            }
            let oldBlock = String(text[start..<end])
            let newBlock = String(text[start..<range.lowerBound]) + edit.new + String(text[range.upperBound..<end])
            let (parents, gap) = enclosingKeys(above: text[..<start], indent: indentation(oldBlock))
            hunks.append(hunk(from: lines(oldBlock), to: lines(newBlock), parents: parents, gap: gap))
            text.replaceSubrange(start..<end, with: newBlock)
        }
        return Applied(text: text, hunks: hunks)
    }

    /// The example applied to its fixture.
    public func applied() throws -> Applied {
        try Self.apply(edits, to: fixture.yaml, name: fixture.name)
    }

    /// Where `needle` occurs in `text`, overlaps included (no Foundation in this module).
    private static func occurrences(of needle: String, in text: String) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        var start = text.startIndex
        while start < text.endIndex {
            if text[start...].hasPrefix(needle) {
                found.append(start..<text.index(start, offsetBy: needle.count))
            }
            start = text.index(after: start)
        }
        return found
    }

    private static func lines(_ block: String) -> [String] {
        var parts = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if block.hasSuffix("\n") { parts.removeLast() }
        return block.isEmpty ? [] : parts
    }

    private static func indentation<S: StringProtocol>(_ line: S) -> Int {
        line.prefix { $0 == " " }.count
    }

    /// The less indented lines above `indent`, nearest last: the YAML keys an edit is under.
    private static func enclosingKeys(above text: Substring, indent: Int) -> ([String], Bool) {
        var keys: [String] = []
        var limit = indent
        var gap = false
        var adjacent = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().reversed() where limit > 0 {
            let trimmed = line.drop { $0 == " " }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), indentation(line) < limit else {
                if keys.isEmpty, !trimmed.isEmpty { adjacent = false }
                continue
            }
            if keys.isEmpty { gap = !adjacent }
            keys.insert(String(line), at: 0)
            limit = indentation(line)
        }
        return (keys, gap)
    }

    private static func hunk(from old: [String], to new: [String], parents: [String], gap: Bool) -> Hunk {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        return Hunk(
            parents: parents, gap: gap, before: Array(old[..<prefix]), removed: Array(old[prefix..<(old.count - suffix)]),
            added: Array(new[prefix..<(new.count - suffix)]), after: Array(old[(old.count - suffix)...]))
    }
}

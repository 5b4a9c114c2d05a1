extension String {
    /// Replaces every occurrence of `target` without pulling in Foundation.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        // Appending Strings, not Substrings: `+= Substring` is the generic append(contentsOf:),
        // whose first call in a run looks up Sequence witnesses (docs/performance.md).
        while let range = rest.range(of: target) {
            result += String(rest[..<range.lowerBound])
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += String(rest)
        return result
    }
}

extension Substring {
    fileprivate func range(of target: String) -> Range<Substring.Index>? {
        guard let first = target.first else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index] == first, self[index...].hasPrefix(target) {
                return index..<self.index(index, offsetBy: target.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}

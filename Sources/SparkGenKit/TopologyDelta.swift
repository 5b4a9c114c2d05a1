import SparkDiagnostics
import SparkYAML

/// Where two versions of a topology differ under one spec path: the deepest entries whose
/// written values differ (a changed scalar, an added or removed key or list item), so review
/// can name `models.m.max_tokens` rather than the whole model.
enum TopologyDelta {
    /// At most `limit` paths, in the head's order; the path itself when the kinds differ.
    static func differences(_ base: TopologySource, _ head: TopologySource, under path: SpecPath, limit: Int = 8) -> [SpecPath] {
        var found: [SpecPath] = []
        compare(base.node(at: path), head.node(at: path), at: path, into: &found, limit: limit)
        return found
    }

    private static func compare(_ old: YAMLNode?, _ new: YAMLNode?, at path: SpecPath, into found: inout [SpecPath], limit: Int) {
        guard found.count < limit else { return }
        switch (old?.content, new?.content) {
        case (nil, nil):
            return
        case (.scalar(let a)?, .scalar(let b)?):
            if a != b || old?.tag != new?.tag { found.append(path) }
        case (.mapping(let a)?, .mapping(let b)?):
            let oldValues = Dictionary(a.compactMap { pair in pair.key.scalar.map { ($0, pair.value) } }, uniquingKeysWith: { first, _ in first })
            var seen = Set<String>()
            for pair in b {
                guard let key = pair.key.scalar, seen.insert(key).inserted else { continue }
                compare(oldValues[key], pair.value, at: path / key, into: &found, limit: limit)
            }
            for pair in a {
                guard let key = pair.key.scalar, seen.insert(key).inserted else { continue }
                compare(pair.value, nil, at: path / key, into: &found, limit: limit)
            }
        case (.sequence(let a)?, .sequence(let b)?):
            for index in 0..<max(a.count, b.count) {
                compare(index < a.count ? a[index] : nil, index < b.count ? b[index] : nil, at: path / index, into: &found, limit: limit)
            }
        default:
            found.append(path)
        }
    }
}

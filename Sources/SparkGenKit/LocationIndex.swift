import SparkDiagnostics
import SparkYAML

/// Maps spec paths back to where they are written in the file, so findings reported at
/// paths (by the resolver and rules) can name a line and column.
public struct LocationIndex: Sendable {
    private var values: [SpecPath: SourceLocation] = [:]

    public init(_ root: YAMLNode?) {
        guard let root else { return }
        var stack: [(YAMLNode, SpecPath)] = [(root, .root)]
        while let (node, path) = stack.popLast() {
            values[path] = node.location
            switch node.content {
            case .scalar:
                break
            case .sequence(let items):
                for (index, item) in items.enumerated() { stack.append((item, path / index)) }
            case .mapping(let pairs):
                for pair in pairs {
                    guard let key = pair.key.scalar else { continue }
                    let child = path / key
                    // An empty value has the key's position; a missing one falls back to the parent.
                    values[child] = pair.key.location
                    stack.append((pair.value, child))
                }
            }
        }
    }

    /// The position of the value at `path`, or of its nearest written ancestor.
    public func location(of path: SpecPath) -> SourceLocation? {
        var current: SpecPath? = path
        while let candidate = current {
            if let location = values[candidate] { return location }
            current = candidate.parent
        }
        return nil
    }
}

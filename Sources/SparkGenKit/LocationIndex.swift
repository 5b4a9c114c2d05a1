import SparkDiagnostics
import SparkYAML

/// Maps spec paths back to where they are written in the file, so findings reported at
/// paths (by the resolver and rules) can name a line and column.
///
/// Only the paths asked for are looked up, in one walk that enters just the branches they
/// name: a clean fleet of thousands of nodes costs nothing, and its accepted findings cost
/// what they name, not the size of the file.
public struct LocationIndex: Sendable {
    private var values: [SpecPath: SourceLocation] = [:]

    /// The branches of the tree that the wanted paths go through.
    private final class Branches {
        var children: [SpecPath.Component: Branches] = [:]

        func add(_ components: ArraySlice<SpecPath.Component>) {
            guard let first = components.first else { return }
            let child = children[first] ?? Branches()
            children[first] = child
            child.add(components.dropFirst())
        }
    }

    public init(_ root: YAMLNode?, paths: [SpecPath]) {
        guard let root, !paths.isEmpty else { return }
        let branches = Branches()
        for path in paths { branches.add(path.components[...]) }
        visit(root, at: .root, branches)
    }

    private mutating func visit(_ node: YAMLNode, at path: SpecPath, _ branches: Branches) {
        values[path] = node.location
        switch node.content {
        case .scalar:
            break
        case .sequence(let items):
            for (index, item) in items.enumerated() {
                guard let next = branches.children[.index(index)] else { continue }
                visit(item, at: path / index, next)
            }
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar, let next = branches.children[.key(key)] else { continue }
                let child = path / key
                // An empty value has the key's position; a missing one falls back to the parent.
                values[child] = pair.key.location
                visit(pair.value, at: child, next)
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

import SparkDiagnostics
import SparkYAML

/// Maps spec paths back to where they are written in the file, so findings reported at
/// paths (by the resolver and rules) can name a line and column.
///
/// Only the paths asked for are looked up, in one walk that enters just the branches they
/// name: a clean fleet of thousands of nodes costs nothing, and its accepted findings cost
/// what they name, not the size of the file. The walk keeps each position in the branch it
/// found it in, and a lookup walks the branches down its path: hashing whole paths (each
/// visited one, then each lookup and its ancestors) was most of locating a fleet's 6000
/// warnings.
public struct LocationIndex: Sendable {
    private let root: Branches?

    /// The branches of the tree that the wanted paths go through, each with the position of
    /// the value written there once the walk has found it.
    private final class Branches: @unchecked Sendable {
        var children: [SpecPath.Component: Branches] = [:]
        var location: SourceLocation?

        func add(_ components: ArraySlice<SpecPath.Component>) {
            guard let first = components.first else { return }
            let child = children[first] ?? Branches()
            children[first] = child
            child.add(components.dropFirst())
        }
    }

    public init(_ root: YAMLNode?, paths: [SpecPath]) {
        guard let root, !paths.isEmpty else {
            self.root = nil
            return
        }
        let branches = Branches()
        for path in paths { branches.add(path.components[...]) }
        Self.visit(root, branches)
        self.root = branches
    }

    private static func visit(_ node: YAMLNode, _ branches: Branches) {
        branches.location = node.location
        switch node.content {
        case .scalar:
            break
        case .sequence(let items):
            for (index, item) in items.enumerated() {
                guard let next = branches.children[.index(index)] else { continue }
                visit(item, next)
            }
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar, let next = branches.children[.key(key)] else { continue }
                visit(pair.value, next)
            }
        }
    }

    /// The position of the value at `path`, or of its nearest written ancestor.
    public func location(of path: SpecPath) -> SourceLocation? {
        guard var branches = root, var found = branches.location else { return nil }
        for component in path.components {
            guard let next = branches.children[component], let location = next.location else { break }
            found = location
            branches = next
        }
        return found
    }
}

/// A logical path into the topology, such as `nodes.spark-01.dac_ip` or `models.m.cluster.workers[0]`.
///
/// Rules and the resolver report findings at spec paths; the pipeline turns them into
/// file positions at the end, so nothing above the YAML layer needs to know line numbers.
public struct SpecPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path: a mapping key or a sequence index.
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public static let root = SpecPath()

    public func appending(_ key: String) -> SpecPath { appending(component: .key(key)) }

    public func appending(index: Int) -> SpecPath { appending(component: .index(index)) }

    /// One allocation of the exact size: `components + [next]` made a one-element array and
    /// then the sum, and a decode of a fleet appends about a million path components.
    private func appending(component: Component) -> SpecPath {
        var next: [Component] = []
        next.reserveCapacity(components.count + 1)
        next.append(contentsOf: components)
        next.append(component)
        return SpecPath(next)
    }

    public static func / (lhs: SpecPath, rhs: String) -> SpecPath { lhs.appending(rhs) }
    public static func / (lhs: SpecPath, rhs: Int) -> SpecPath { lhs.appending(index: rhs) }

    /// The path without its last component, or nil at the root.
    public var parent: SpecPath? {
        components.isEmpty ? nil : SpecPath(Array(components.dropLast()))
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}

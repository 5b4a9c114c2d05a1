/// The grants of a tailnet policy by the selectors they name, so `TailnetPolicy.allows` reads
/// the few grants that can admit a source to a destination instead of every grant. A selector
/// other than `*`, `autogroup:member` and `group:…` matches a principal only when it is the
/// principal (`TailnetPolicy.matches`): a grant naming such a destination and such a source is
/// filed under that pair; a grant with a wider destination, or a wider source for a named
/// destination, is kept where every question about it (or about that destination) looks.
struct GrantIndex: Sendable {
    /// Grant positions under (destination, source) when both are named exactly.
    private var named: [String: [String: [Int]]] = [:]
    /// Under a named destination: the grants whose sources include a wider selector.
    private var anySource: [String: [Int]] = [:]
    /// Grants with a wider destination selector: asked about every destination.
    private var anyDestination: [Int] = []

    init(_ grants: [TailnetPolicy.Grant]) {
        for (position, grant) in grants.enumerated() {
            if grant.destinations.contains(where: Self.isWide) { anyDestination.append(position) }
            for destination in Set(grant.destinations) where !Self.isWide(destination) {
                if grant.sources.contains(where: Self.isWide) { anySource[destination, default: []].append(position) }
                for source in Set(grant.sources) where !Self.isWide(source) {
                    named[destination, default: [:]][source, default: []].append(position)
                }
            }
        }
    }

    /// Positions of every grant that may admit `source` to `destination` (some more than once);
    /// the caller still checks each.
    func candidates(_ source: String, to destination: String) -> [Int] {
        (named[destination]?[source] ?? []) + (anySource[destination] ?? []) + anyDestination
    }

    /// A selector that may cover principals other than itself.
    private static func isWide(_ selector: String) -> Bool {
        selector == "*" || selector == "autogroup:member" || selector.hasPrefix("group:")
    }
}

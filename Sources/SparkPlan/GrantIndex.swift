/// The grants of a tailnet policy by the selectors they name, so `TailnetPolicy.allows` reads
/// the few grants that can admit a source to a destination instead of every grant. A selector
/// other than `*`, `autogroup:member` and `group:…` matches a principal only when it is the
/// principal (`TailnetPolicy.matches`): a grant naming such a destination and only such sources
/// is filed under each (destination, source) pair; a grant with a wider source is filed once
/// under each destination it names, and one with a wider destination where every question
/// looks. Each grant's selectors are kept as a Set of the exact ones and a list of the wider
/// ones, so asking whether a grant covers a principal does not read its whole list: the
/// kept-open grant lists every kept-open tag as a source and a destination, and every question
/// reads it when it also keeps the members' devices open (bench/growth.sh, shape crowded).
struct GrantIndex: Sendable {
    /// One side of a grant (`src` or `dst`).
    private struct Side: Sendable {
        var exact: Set<String> = []
        var wide: [String] = []

        init(_ selectors: [String]) {
            for selector in selectors {
                if GrantIndex.isWide(selector) { wide.append(selector) } else { exact.insert(selector) }
            }
        }

        func covers(_ principal: String, _ matches: (String, String) -> Bool) -> Bool {
            exact.contains(principal) || wide.contains { matches($0, principal) }
        }
    }

    /// Grant positions under (destination, source) when both are named exactly and the grant
    /// names no wider source.
    private var named: [String: [String: [Int]]] = [:]
    /// Under a named destination: the grants whose sources include a wider selector.
    private var anySource: [String: [Int]] = [:]
    /// Grants with a wider destination selector: asked about every destination.
    private var anyDestination: [Int] = []
    private var sources: [Side] = []
    private var destinations: [Side] = []

    init(_ grants: [TailnetPolicy.Grant]) {
        for (position, grant) in grants.enumerated() {
            let from = Side(grant.sources), to = Side(grant.destinations)
            sources.append(from)
            destinations.append(to)
            if !to.wide.isEmpty { anyDestination.append(position) }
            for destination in to.exact {
                // anySource[destination] is read for every source, so filing such a grant under
                // each of its sources as well would only cost sources x destinations entries.
                if !from.wide.isEmpty {
                    anySource[destination, default: []].append(position)
                    continue
                }
                for source in from.exact { named[destination, default: [:]][source, default: []].append(position) }
            }
        }
    }

    /// Positions of every grant that may admit `source` to `destination` (some more than once);
    /// the caller still checks each with `covers`.
    func candidates(_ source: String, to destination: String) -> [Int] {
        (named[destination]?[source] ?? []) + (anySource[destination] ?? []) + anyDestination
    }

    /// Whether the grant at `position` names selectors covering `source` and `destination`;
    /// `matches` decides the wider selectors.
    func covers(_ position: Int, _ source: String, to destination: String, _ matches: (String, String) -> Bool) -> Bool {
        sources[position].covers(source, matches) && destinations[position].covers(destination, matches)
    }

    /// A selector that may cover principals other than itself.
    fileprivate static func isWide(_ selector: String) -> Bool {
        selector == "*" || selector == "autogroup:member" || selector.hasPrefix("group:")
    }
}

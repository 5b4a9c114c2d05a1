import SparkDiagnostics

/// A tailnet's policy file as data: what the Tailscale emitter writes, what lint evaluates, and
/// what the trust report reads, so the three cannot disagree.
public struct TailnetPolicy: Sendable {
    /// One grant: sources may open TCP connections to destinations on `ports` (nil: every port and protocol).
    public struct Grant: Sendable {
        public let sources: [String]
        public let destinations: [String]
        public let ports: [Int]?
        /// Where the topology asked for it, for grants the user wrote: what a diagnostic points at.
        public let path: SpecPath?
        /// Every topology entry behind the grant, `path` first (`why` and `review` name them);
        /// more than one where one grant stands for several entries (the kept-open devices).
        public let paths: [SpecPath]
        /// For such a grant, the entry that put each tag in it (`keep_open_tags[i]`), so a
        /// diagnostic about one tag points at that tag rather than at the whole list.
        let tagPaths: [String: SpecPath]

        public init(sources: [String], destinations: [String], ports: [Int]?, path: SpecPath?) {
            self.init(sources: sources, destinations: destinations, ports: ports, paths: path.map { [$0] } ?? [], tagPaths: [:])
        }

        init(sources: [String], destinations: [String], ports: [Int]?, paths: [SpecPath], tagPaths: [String: SpecPath]) {
            self.sources = sources
            self.destinations = destinations
            self.ports = ports
            path = paths.first
            self.paths = paths
            self.tagPaths = tagPaths
        }

        /// The entry that named the first of `principals` one entry named in this grant; else `path`.
        public func path(naming principals: String...) -> SpecPath? {
            principals.lazy.compactMap { tagPaths[$0] }.first ?? path
        }
    }

    /// One entry of the `tests` block, which Tailscale evaluates on every save and refuses to
    /// save the policy when it fails. Targets are `host:port`, the host a tag or a user.
    public struct Test: Sendable {
        public let source: String
        public let accept: [String]
        public let deny: [String]
    }

    public let tagOwners: [(tag: String, owners: [String])]
    public let groups: [(name: String, members: [String])]
    public let grants: [Grant]
    public let tests: [Test]
    /// The grants that can admit a principal, by the selectors that name it: lint asks `allows`
    /// for every node's every service and every test target, and a tailnet's kept-open tags,
    /// grants and shares grow with the fleet, so a scan of all grants per question cost the
    /// square of the fleet (bench/growth.sh, shape crowded).
    private let index: GrantIndex

    public init(tagOwners: [(tag: String, owners: [String])], groups: [(name: String, members: [String])], grants: [Grant], tests: [Test]) {
        self.tagOwners = tagOwners
        self.groups = groups
        self.grants = grants
        self.tests = tests
        index = GrantIndex(grants)
    }

    /// True when the grants let `source` (a user or a tag) open TCP `port` on `destination`
    /// (a tag, or a user's devices).
    public func allows(_ source: String, to destination: String, port: Int) -> Bool {
        index.candidates(source, to: destination).contains { position in
            (grants[position].ports?.contains(port) ?? true) && index.covers(position, source, to: destination, matches)
        }
    }

    private func admits(_ grant: Grant, _ source: String, to destination: String, port: Int) -> Bool {
        grant.sources.contains { matches($0, source) } && grant.destinations.contains { matches($0, destination) }
            && (grant.ports?.contains(port) ?? true)
    }

    /// Whether a policy selector covers a principal. `*` covers every device, tagged ones
    /// included; `autogroup:member` covers users' own devices only, never tagged devices.
    func matches(_ selector: String, _ principal: String) -> Bool {
        if selector == "*" || selector == principal { return true }
        let isTag = principal.hasPrefix("tag:")
        if selector == "autogroup:member" { return !isTag }
        if selector.hasPrefix("group:") {
            return !isTag && groups.contains { $0.name == selector && $0.members.contains(principal) }
        }
        return false
    }

    /// The tests that would fail, each with the target and what the grants do instead.
    public func failingTests() -> [(test: Test, target: String, expected: Bool)] {
        var failures: [(Test, String, Bool)] = []
        for test in tests {
            for (targets, expected) in [(test.accept, true), (test.deny, false)] {
                for target in targets {
                    guard let (host, port) = Self.split(target) else { continue }
                    if allows(test.source, to: host, port: port) != expected { failures.append((test, target, expected)) }
                }
            }
        }
        return failures
    }

    /// The grants whose sources include `source` (a user or a tag), whatever their destination.
    public func grants(from source: String) -> [Grant] {
        grants.filter { grant in grant.sources.contains { matches($0, source) } }
    }

    /// The grants that admit `source` to `destination` on `port`, for naming a culprit.
    public func grants(admitting source: String, to destination: String, port: Int) -> [Grant] {
        grants.filter { admits($0, source, to: destination, port: port) }
    }

    /// `tag:x:22` → (`tag:x`, 22).
    public static func split(_ target: String) -> (String, Int)? {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else { return nil }
        return (String(target[..<colon]), port)
    }
}

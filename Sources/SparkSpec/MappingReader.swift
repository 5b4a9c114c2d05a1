import SparkDiagnostics
import SparkYAML

/// Reads one YAML mapping, reporting every value of the wrong type and, when its decoder is
/// done with it (`finish()`), every key nobody asked for, with the nearest key that was asked
/// for as a likely typo.
///
/// The keys a mapping may hold are the keys its decoder reads: they are written once, at the
/// read, never again in a list beside it (netplan declares each key once in its handler
/// tables for the same reason). A key read only under a condition (an app's `port` when the
/// app has one) is allowed only when the condition holds.
final class MappingReader {
    let node: YAMLNode
    let path: SpecPath
    private let what: String
    private let context: DecodingContext
    /// The mapping's pairs. A key is found by comparing its bytes in the YAML tree with the
    /// asked key's (no String per key, no hash): most mappings hold a handful of keys; a large
    /// one (the fleet's `nodes:`) gets an index of each key's first pair.
    private let pairs: YAMLPairs
    private var index: [String: Int]?
    private static let indexedFrom = 16
    /// Keys the decoder asked for, in the order it asked. A key the mapping lacks is appended
    /// each time it is asked for, not searched first (a model's decoder asks for about 30 keys
    /// its mapping mostly lacks, and the search was most of the decoder's String compares);
    /// `finish()` drops the repeats, on the rare path that reads the list.
    private var asked: [String] = []
    /// Whether the decoder asked for the key of each pair (a pair whose key is not text, which
    /// the parser reported, counts as asked): a key found is recorded in `asked` the first time
    /// without searching it, and `finish()` knows every key was read without looking each
    /// asked key up again. A key written twice (reported by the parser) leaves its second pair
    /// unasked, and `finish()` then takes the slow path, which names each key once.
    private var used: [Bool] = []
    private var finished = false
    /// Keys an upstream program no longer takes, with how to say the same thing now: a
    /// handful per mapping, so a list (a dictionary per vLLM mapping cost a hash table each).
    private var retired: [(key: String, help: String)] = []
    /// Required keys found missing, reported at the end unless an unknown key was their typo.
    private var missing: [(key: String, location: SourceLocation, help: String, what: String)] = []

    /// Nil (with an error) when `node` is not a mapping.
    init?(_ node: YAMLNode, at path: SpecPath, what: String, context: DecodingContext) {
        self.node = node
        self.path = path
        self.what = what
        self.context = context
        guard let pairs = node.mapping else {
            context.error(
                .specWrongType, "\(what) must be a mapping, found \(node.kindName)", at: node.location, path: path,
                help: "write it as 'key: value' lines indented under its name")
            return nil
        }
        self.pairs = pairs
        if pairs.count >= Self.indexedFrom {
            var index: [String: Int] = [:]
            index.reserveCapacity(pairs.count)
            for position in 0..<pairs.count {
                guard let name = pairs[position].key.scalar, index[name] == nil else { continue }  // reported by the parser
                index[name] = position
            }
            self.index = index
        }
        // One allocation: a fleet opens about 100,000 mappings.
        asked.reserveCapacity(pairs.count)
        used = (0..<pairs.count).map { !pairs.hasScalarKey($0) }
        context.opened()
    }

    /// The position in `pairs` of the first pair whose key is `key`.
    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return pairs.firstIndex(ofKey: key)
    }

    /// The first pair whose key is `key`.
    private func lookup(_ key: String) -> YAMLPair? {
        position(of: key).map { pairs[$0] }
    }

    /// The entry for `key`, which becomes an allowed key of this mapping.
    private func entry(_ key: String) -> YAMLPair? {
        guard let found = position(of: key) else {
            asked.append(key)
            return nil
        }
        if !used[found] {
            used[found] = true
            asked.append(key)
        }
        return pairs[found]
    }

    /// Reports the keys nobody asked for and the required keys that were missing; called by the
    /// decoder when it has read everything it will (a `defer` right after the reader is made).
    func finish() {
        guard !finished else { return }
        finished = true
        context.closed()
        // The usual case: every key was asked for and none was missing.
        if missing.isEmpty, !used.contains(false) { return }
        var typos: Set<String> = []
        // Each asked key once, where it was first asked.
        var once: Set<String> = []
        let asked = self.asked.filter { once.insert($0).inserted }
        // The mapping's keys in file order, each once.
        var seen: Set<String> = []
        for name in pairs.compactMap(\.key.scalar) where seen.insert(name).inserted && !asked.contains(name) {
            if let help = retired.first(where: { $0.key == name })?.help {
                context.error(
                    .specRetiredSetting, "'\(name)' in \(what) is a setting its program no longer takes", at: lookup(name)!.key.location, path: path / name,
                    help: help)
                continue
            }
            let nearest = Suggestion.nearest(to: name, in: asked)
            if let nearest { typos.insert(nearest) }
            let hint = nearest.map { "did you mean '\($0)'? " } ?? ""
            context.error(
                .specUnknownKey, "unknown key '\(YAMLScalar.abbreviated(name))' in \(what)", at: lookup(name)!.key.location,
                path: path / name, help: "\(hint)allowed keys: \(asked.joined(separator: ", "))")
        }
        // A typo of a required key was reported with the fix; "missing" would only repeat it.
        for entry in missing where !typos.contains(entry.key) {
            context.error(.specMissingKey, "missing required key '\(entry.key)' in \(entry.what)", at: entry.location, path: path / entry.key, help: entry.help)
        }
    }

    /// Marks `key` as one its program used to take: finding it is an error that says how to
    /// write the same thing now, not a typo. It never becomes an allowed key.
    func retire(_ key: String, help: String) {
        retired.append((key, help))
    }

    /// `value` for a key the mapping leaves out, recorded so the output can list it; a key that
    /// is present but invalid was reported and gets no record.
    func defaulted<T: CustomStringConvertible>(_ key: String, _ value: T) -> T {
        if entry(key) == nil { context.defaults.append(AppliedDefault(path: path / key, value: value.description)) }
        return value
    }

    func value(_ key: String) -> YAMLNode? {
        guard let node = entry(key)?.value, !node.isNull else { return nil }
        return node
    }

    /// The value of a required key, or nil after reporting it missing (at the end) or empty.
    func required(_ key: String, what: String, help: String? = nil) -> YAMLNode? {
        if let node = value(key) { return node }
        if let present = entry(key) {
            context.error(
                .specEmptyValue, "'\(key)' in \(what) must not be empty", at: present.value.location, path: path / key, help: help ?? "add '\(key): …'")
        } else {
            missing.append((key, node.location, help ?? "add '\(key): …'", what))
        }
        return nil
    }

    private func fail(_ key: String, _ node: YAMLNode, expected: String, help: String? = nil) {
        context.error(
            .specWrongType, "'\(key)' must be \(expected), found \(node.kindName)", at: node.location, path: path / key,
            help: help)
    }

    func string(_ key: String, required isRequired: Bool = false, what: String = "", grammar: Grammar? = nil, help: String? = nil) -> String? {
        guard let node = isRequired ? required(key, what: what, help: help) : value(key) else { return nil }
        return Self.text(node, key: key, path: path / key, grammar: grammar, context: context)
    }

    /// Reads a scalar as text, accepting numbers written plainly (`python: 3.12`) but not booleans.
    /// `path` is built only for an error: a fleet reads about 200,000 texts and rejects none.
    static func text(_ node: YAMLNode, key: String, path: @autoclosure () -> SpecPath, grammar: Grammar?, context: DecodingContext) -> String? {
        guard let text = node.scalar, !(node.isPlain && node.tag == nil && YAMLScalar.bool(text) != nil) else {
            context.error(
                .specWrongType, "'\(key)' must be text, found \(node.kindName)", at: node.location, path: path(),
                help: grammar.map { "expected \($0.expectation)" } ?? "write the value as text; quote it if it looks like another type")
            return nil
        }
        if let grammar, !grammar.matches(text) {
            context.error(
                .specInvalidValue, "'\(YAMLScalar.abbreviated(text))' is not a valid value for '\(key)'", at: node.location, path: path(),
                help: "expected \(grammar.expectation)")
            return nil
        }
        return text
    }

    func int(_ key: String, required isRequired: Bool = false, what: String = "", in range: ClosedRange<Int>, expected: String? = nil) -> Int? {
        guard let node = isRequired ? required(key, what: what) : value(key) else { return nil }
        guard node.isPlain, let text = node.scalar, let number = YAMLScalar.int(text) else {
            fail(key, node, expected: expected ?? "a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(number) else {
            context.error(
                .specOutOfRange, "'\(key)' is \(number), outside the allowed range", at: node.location, path: path / key,
                help: "use a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    func double(_ key: String, required isRequired: Bool = false, what: String = "", in range: ClosedRange<Double>) -> Double? {
        guard let node = isRequired ? required(key, what: what) : value(key) else { return nil }
        guard node.isPlain, let text = node.scalar, let number = YAMLScalar.double(text) ?? YAMLScalar.int(text).map(Double.init) else {
            fail(key, node, expected: "a number")
            return nil
        }
        guard range.contains(number) else {
            context.error(
                .specOutOfRange, "'\(key)' is \(text), outside the allowed range", at: node.location, path: path / key,
                help: "use a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
            return nil
        }
        return number
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }

    /// One of an enum's raw values, or nil after reporting an unknown one with the nearest value.
    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type, noun: String) -> Value?
    where Value.RawValue == String {
        guard let node = value(key), let text = Self.text(node, key: key, path: path / key, grammar: .word, context: context) else {
            return nil
        }
        if let value = Value(rawValue: text) { return value }
        let names = Value.allCases.map(\.rawValue)
        context.error(
            .specUnknownChoice, "unknown \(noun) '\(YAMLScalar.abbreviated(text))'", at: node.location, path: path / key,
            help: "\(Suggestion.hint(for: text, in: names))use \(names.joined(separator: ", "))")
        return nil
    }

    func bool(_ key: String) -> Bool? {
        guard let node = value(key) else { return nil }
        guard node.isPlain, let text = node.scalar, let flag = YAMLScalar.bool(text) else {
            fail(key, node, expected: "true or false")
            return nil
        }
        return flag
    }

    func ipv4(_ key: String, required isRequired: Bool = true, what: String) -> IPv4Address? {
        guard let node = isRequired ? required(key, what: what) : value(key) else { return nil }
        return Self.address(node, key: key, path: path / key, context: context)
    }

    /// A scalar read as a dotted IPv4 address, or nil after reporting what is wrong with it.
    static func address(_ node: YAMLNode, key: String, path: SpecPath, context: DecodingContext) -> IPv4Address? {
        guard let text = text(node, key: key, path: path, grammar: nil, context: context) else { return nil }
        guard let address = IPv4Address(text) else {
            context.error(.specInvalidAddress, IPv4Address.explain(text), at: node.location, path: path, help: "write a dotted IPv4 address such as 192.0.2.21")
            return nil
        }
        return address
    }

    func network(_ key: String, what: String) -> IPv4Network? {
        guard let node = required(key, what: what), let text = Self.text(node, key: key, path: path / key, grammar: nil, context: context)
        else { return nil }
        guard let network = IPv4Network(text) else {
            context.error(
                .specInvalidAddress, "'\(YAMLScalar.abbreviated(text))' is not an IPv4 network in CIDR form", at: node.location,
                path: path / key, help: "write it as address/prefix, such as 198.51.100.0/30")
            return nil
        }
        guard !network.hasHostBits else {
            context.error(
                .specInvalidAddress, "'\(text)' has host bits set", at: node.location, path: path / key,
                help: "the network address of this range is \(network.description)")
            return nil
        }
        return network
    }

    func nodePath(_ key: String, required isRequired: Bool = false, what: String = "") -> NodePath? {
        guard let node = isRequired ? required(key, what: what) : value(key),
            let text = Self.text(node, key: key, path: path / key, grammar: nil, context: context)
        else { return nil }
        guard let nodePath = NodePath(text) else {
            context.error(
                .specDisallowedPath, "'\(YAMLScalar.abbreviated(text))' is not an allowed path for '\(key)'", at: node.location,
                path: path / key,
                help: "write '~/…' or an absolute path of letters, digits and '/._-+@', with no '..' steps")
            return nil
        }
        return nodePath
    }

    /// A list of texts; a single text is refused so a missing dash is noticed.
    func strings(_ key: String, grammar: Grammar) -> [String]? {
        guard let node = value(key) else { return nil }
        guard let items = node.sequence else {
            fail(key, node, expected: "a list", help: "write it as [a, b] or as '- a' lines")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = Self.text(item, key: key, path: path / key / index, grammar: grammar, context: context) {
                result.append(text)
            }
        }
        return result
    }

    /// A list of whole numbers in `range` (ports, usually).
    func ints(_ key: String, in range: ClosedRange<Int>, required isRequired: Bool = false, what: String = "") -> [Int]? {
        guard let node = isRequired ? required(key, what: what) : value(key) else { return nil }
        guard let items = node.sequence else {
            fail(key, node, expected: "a list of whole numbers", help: "write it as [8001, 8080]")
            return nil
        }
        var result: [Int] = []
        for (index, item) in items.enumerated() {
            guard item.isPlain, let text = item.scalar, let number = YAMLScalar.int(text), range.contains(number) else {
                context.error(
                    .specOutOfRange, "'\(key)' must hold whole numbers from \(range.lowerBound) to \(range.upperBound), found \(item.kindName)",
                    at: item.location, path: path / key / index, help: "write it as [8001, 8080]")
                continue
            }
            result.append(number)
        }
        return result
    }

    /// A list of IPv4 networks in CIDR form.
    func networks(_ key: String) -> [IPv4Network]? {
        guard let node = value(key) else { return nil }
        guard let items = node.sequence else {
            fail(key, node, expected: "a list of networks", help: "write it as [10.0.0.0/24]")
            return nil
        }
        return items.enumerated().compactMap { index, item in
            guard let text = Self.text(item, key: key, path: path / key / index, grammar: nil, context: context) else { return nil }
            guard let network = IPv4Network(text), !network.hasHostBits else {
                context.error(
                    .specInvalidAddress, "'\(YAMLScalar.abbreviated(text))' is not an IPv4 network in CIDR form without host bits", at: item.location,
                    path: path / key / index, help: "write it as address/prefix, such as 10.0.0.0/24")
                return nil
            }
            return network
        }
    }

    /// The entries of a mapping whose keys are names chosen by the user (nodes, owners…).
    func namedEntries(_ key: String, what: String, grammar: Grammar, required isRequired: Bool = true) -> [(name: String, node: YAMLNode, path: SpecPath)] {
        guard let node = isRequired ? required(key, what: "the topology", help: "add a '\(key):' section") : value(key) else { return [] }
        guard let pairs = node.mapping else {
            fail(key, node, expected: "a mapping of \(what) names to their settings")
            return []
        }
        var result: [(String, YAMLNode, SpecPath)] = []
        for pair in pairs {
            guard let name = pair.key.scalar else { continue }
            guard grammar.matches(name) else {
                context.error(
                    .specInvalidValue, "'\(YAMLScalar.abbreviated(name))' is not a valid \(what) name", at: pair.key.location,
                    path: path / key / name, help: "expected \(grammar.expectation)")
                continue
            }
            result.append((name, pair.value, path / key / name))
        }
        return result
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        // On the UTF-8 bytes: building Strings from reversed Characters instantiates generic
        // metadata and casts at run time, 1.5 M instructions, a tenth of a small lint.
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}

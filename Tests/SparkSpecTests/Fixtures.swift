import FoundationEssentials

/// Paths and texts the tests share: the repository root, the example topology.
enum Fixtures {
    static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/<Suite>/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    static let splitTrustPath = repositoryRoot + "/examples/split-trust/topology.yaml"

    static var splitTrust: String {
        String(decoding: FileManager.default.contents(atPath: splitTrustPath)!, as: UTF8.self)
    }

    /// The example with `old` replaced by `new`; fails loudly if `old` is not in it.
    static func splitTrust(replacing old: String, with new: String) -> String {
        let text = splitTrust
        precondition(text.contains(old), "fixture text not found: \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// The 1-based line number of the first line containing `text`.
    func line(containing text: String) -> Int {
        split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }! + 1
    }
}

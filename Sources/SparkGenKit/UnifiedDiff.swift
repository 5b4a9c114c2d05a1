/// A line-based unified diff (3 lines of context), as `diff -u` and code review tools read it.
public enum UnifiedDiff {
    private enum Edit: Equatable {
        case same(Int, Int)
        case removed(Int)
        case added(Int)
    }

    /// The diff of two texts, or an empty string when they are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        if old == new { return "" }
        let a = lines(old), b = lines(new)
        let edits = script(a, b)
        var output = "--- \(oldName)\n+++ \(newName)\n"
        let changes = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
        guard var first = changes.first else { return "" }
        var last = first
        // Changes closer than twice the context share one hunk.
        var groups: [(Int, Int)] = []
        for change in changes.dropFirst() {
            if change - last - 1 > 2 * context {
                groups.append((first, last))
                first = change
            }
            last = change
        }
        groups.append((first, last))
        for (start, end) in groups {
            output += hunk(Array(edits[max(0, start - context)..<min(edits.count, end + context + 1)]), a, b)
        }
        return output
    }

    private static func hunk(_ edits: [Edit], _ a: [Substring], _ b: [Substring]) -> String {
        var oldStart: Int?, newStart: Int?
        var oldCount = 0, newCount = 0
        var body = ""
        for edit in edits {
            switch edit {
            case .same(let i, let j):
                oldStart = oldStart ?? i
                newStart = newStart ?? j
                oldCount += 1
                newCount += 1
                body += " \(a[i])\n"
            case .removed(let i):
                oldStart = oldStart ?? i
                oldCount += 1
                body += "-\(a[i])\n"
            case .added(let j):
                newStart = newStart ?? j
                newCount += 1
                body += "+\(b[j])\n"
            }
        }
        // With three lines of context a side has no lines only when that whole file is empty.
        let oldLabel = oldCount == 0 ? "0,0" : "\(oldStart! + 1),\(oldCount)"
        let newLabel = newCount == 0 ? "0,0" : "\(newStart! + 1),\(newCount)"
        return "@@ -\(oldLabel) +\(newLabel) @@\n" + body
    }

    /// The 1-based numbers of the lines the diff removes from `old` and adds to `new`, for
    /// asking where the changed lines came from.
    public static func changedLines(old: String, new: String) -> (removed: [Int], added: [Int]) {
        var removed: [Int] = [], added: [Int] = []
        for edit in script(lines(old), lines(new)) {
            switch edit {
            case .same: continue
            case .removed(let i): removed.append(i + 1)
            case .added(let j): added.append(j + 1)
            }
        }
        return (removed, added)
    }

    private static func lines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The shortest edit script by longest common subsequence; large inputs degrade to replace-all.
    private static func script(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        // Common prefix and suffix first: generated files usually differ in a few lines.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)]), midB = Array(b[prefix..<(b.count - suffix)])
        var edits = (0..<prefix).map { Edit.same($0, $0) }
        if midA.count * midB.count > 4_000_000 {
            edits += midA.indices.map { .removed(prefix + $0) } + midB.indices.map { .added(prefix + $0) }
        } else {
            let n = midA.count, m = midB.count
            var table = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = midA[i] == midB[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < n || j < m {
                if i < n, j < m, midA[i] == midB[j] {
                    edits.append(.same(prefix + i, prefix + j))
                    i += 1
                    j += 1
                } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                    // Removals before additions, as diff(1) prints a changed block.
                    edits.append(.removed(prefix + i))
                    i += 1
                } else {
                    edits.append(.added(prefix + j))
                    j += 1
                }
            }
        }
        let offsetA = a.count - suffix, offsetB = b.count - suffix
        edits += (0..<suffix).map { Edit.same(offsetA + $0, offsetB + $0) }
        return edits
    }
}

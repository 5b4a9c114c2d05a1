/// Quoting for POSIX shell words.
enum Shell {
    /// The word unchanged when it holds only characters no shell treats specially; else
    /// single-quoted, or, when it holds `$` or a backtick, double-quoted with every special
    /// character escaped (the same literal word, without looking like a missed expansion).
    static func quote(_ word: String) -> String {
        // ASCII ranges and a switch, not Unicode properties or a Set (which hashes each byte):
        // this runs for every word of every script.
        let safe =
            !word.isEmpty
            && word.utf8.allSatisfy { byte in
                switch byte {
                case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: return true
                case UInt8(ascii: "_"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "="),
                    UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"):
                    return true
                default: return false
                }
            }
        if safe { return word }
        if word.utf8.contains(UInt8(ascii: "$")) || word.utf8.contains(UInt8(ascii: "`")) {
            var quoted = "\""
            for character in word {
                if "\\\"$`".contains(character) { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        // Most words that need quoting are descriptions with spaces and no quote of their own.
        if !word.utf8.contains(UInt8(ascii: "'")) { return "'" + word + "'" }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// A subshell that writes `Authorization: Bearer <value of variable in file>` to `path`
    /// (a shell word, e.g. `"$header"`), readable by its owner only, without the value ever being
    /// an argument of a command (visible in the process list) or printed.
    static func bearerHeader(from file: String, variable: String, to path: String) -> String {
        "( umask 077; set -a; . \(quote(file)); printf 'Authorization: Bearer %s\\n' \"${\(variable):-}\" ) > \(path)"
    }

    /// A command split over lines with trailing backslashes, each argument group on its own line.
    static func continued(_ first: String, _ lines: [String], indent: String = "  ") -> String {
        ([first] + lines.map { indent + $0 }).joined(separator: " \\\n") + "\n"
    }
}

/// Quoting for POSIX shell words.
enum Shell {
    /// The word unchanged when it holds only characters no shell treats specially; else
    /// single-quoted, or, when it holds `$` or a backtick, double-quoted with every special
    /// character escaped (the same literal word, without looking like a missed expansion).
    static func quote(_ word: String) -> String {
        // One pass over the contiguous bytes, with ASCII ranges and a switch, not Unicode
        // properties, a Set (which hashes each byte) or a scan of the UTF8View per question:
        // this runs for every word of every script.
        var word = word
        let (safe, expands, hasQuote) = word.withUTF8 { bytes in
            var safe = !bytes.isEmpty
            var expands = false
            var hasQuote = false
            for byte in bytes {
                switch byte {
                case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: continue
                case UInt8(ascii: "_"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "="),
                    UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"):
                    continue
                case UInt8(ascii: "$"), UInt8(ascii: "`"): expands = true
                case UInt8(ascii: "'"): hasQuote = true
                default: break
                }
                safe = false
            }
            return (safe, expands, hasQuote)
        }
        if safe { return word }
        if expands {
            var quoted = "\""
            for character in word {
                if "\\\"$`".contains(character) { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        // Most words that need quoting are descriptions with spaces and no quote of their own.
        if !hasQuote { return "'" + word + "'" }
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

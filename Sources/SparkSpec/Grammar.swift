/// The strict shapes values must have before spark-gen writes them into scripts, units and rules.
///
/// Validating against a grammar (rather than escaping later) keeps every generated file simple
/// to read and makes injection impossible for these fields.
public enum Grammar: Sendable {
    case identifier
    case hostname
    case username
    case interfaceName
    case tailscaleTag
    case email
    case image
    case huggingFaceRepo
    case ollamaTag
    case repositoryFile
    case parserName
    case envVariable
    case sha256
    case digest
    case version
    case timezone
    case word
    case ruleID
    /// A model name clients ask for: identifiers joined by '/', such as 'homelab/code'.
    case routeName
    /// A keyword of a routing bucket: words of lowercase letters and digits, such as 'tool use'.
    case phrase
    /// A setting passed on to a program's JSON configuration, such as 'rope_scaling'.
    case configKey
    /// An NVIDIA GPU's UUID as nvidia-smi prints it: 'GPU-' and 8-4-4-4-12 hexadecimal digits.
    case gpuUUID
    /// A Hugging Face repository revision: a commit, a branch or a tag, as `hf download
    /// --revision` and vLLM's `--revision` take it.
    case revision

    /// What the value must look like, for the error message.
    public var expectation: String {
        switch self {
        case .identifier: return "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (at most 63)"
        case .hostname: return "a host name: lowercase letters, digits and '-', not starting or ending with '-' (at most 63)"
        case .username: return "a Linux user name: lowercase letters, digits, '_' and '-', starting with a letter or '_'"
        case .interfaceName: return "a network interface name of at most 15 letters, digits, '.', '_' or '-'"
        case .tailscaleTag: return "a Tailscale tag such as 'tag:servers'"
        case .email: return "an email address such as 'you@example.com'"
        case .image: return "a container image reference such as 'nvcr.io/nvidia/vllm:26.04-py3'"
        case .huggingFaceRepo: return "a Hugging Face repository such as 'Qwen/Qwen3.5-122B-A10B-GPTQ-Int4'"
        case .repositoryFile: return "a file in the repository such as 'UD-Q4_K_XL/Model-UD-Q4_K_XL-00001-of-00003.gguf'"
        case .ollamaTag: return "an Ollama model such as 'qwen3-coder:30b' or 'library/qwen3:8b'"
        case .parserName: return "a parser name of lowercase letters, digits and '_'"
        case .envVariable: return "an environment variable name of uppercase letters, digits and '_'"
        case .sha256: return "64 lowercase hexadecimal digits"
        case .digest: return "an image digest such as 'sha256:' followed by 64 lowercase hexadecimal digits"
        case .version: return "a version such as '3.12' or '2.49.1'"
        case .timezone: return "an IANA time zone such as 'America/Los_Angeles'"
        case .word: return "letters, digits, '.', '_' and '-'"
        case .ruleID: return "a rule id such as 'TR001' (spark-gen rules lists them)"
        case .routeName: return "a model name such as 'homelab/code': lowercase identifiers joined by '/'"
        case .phrase: return "lowercase words of letters, digits, '.', '_' and '-', one space apart, such as 'tool use' (at most 63)"
        case .configKey: return "letters, digits, '_', '.' and '-', starting with a letter or '_', such as 'rope_scaling' (at most 63)"
        case .revision:
            return
                "a commit (40 lowercase hexadecimal digits), a branch or a tag: letters, digits, '.', '_', '-' and '/', starting with a letter or digit (at most 128)"
        case .gpuUUID: return "a GPU UUID as 'nvidia-smi --query-gpu=uuid --format=csv,noheader' prints it, such as 'GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a'"
        }
    }

    public func matches(_ text: String) -> Bool {
        // Every grammar is ASCII: a text with a byte of 0x80 or more fails, and an ASCII text's
        // bytes are its scalars. Copying the bytes skips decoding the UTF-8 of each of a fleet's
        // 100,000 checked texts into a scalar array.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte < 0x80 else { return false }
            scalars.append(Unicode.Scalar(byte))
        }
        guard !scalars.isEmpty else { return false }
        func all(_ s: ArraySlice<Unicode.Scalar>, _ extra: StaticString) -> Bool {
            s.allSatisfy { Self.isLowerAlnum($0) || Self.among($0, extra) }
        }
        switch self {
        case .phrase:
            let words = Self.split(text, " ")
            return text.count <= 63
                && words.allSatisfy { word in
                    !word.isEmpty && word.unicodeScalars.allSatisfy { Self.isLowerAlnum($0) || Self.among($0, "._-") }
                }
        case .routeName:
            let parts = Self.split(text, "/")
            return text.count <= 127 && parts.count <= 3 && parts.allSatisfy { Self.identifier.matches(String($0)) }
        case .identifier:
            return scalars.count <= 63 && Self.isLowerAlnum(scalars[0]) && all(scalars[1...], "._-") && !Self.hasDoubleDot(text)
        case .hostname:
            return scalars.count <= 63 && Self.isLowerAlnum(scalars[0]) && Self.isLowerAlnum(scalars.last!) && all(scalars[...], "-")
        case .username:
            return scalars.count <= 32 && (Self.isLower(scalars[0]) || scalars[0] == "_") && all(scalars[...], "_-")
        case .interfaceName:
            return scalars.count <= 15 && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-") }
                && Self.isAlnum(scalars[0])
        case .tailscaleTag:
            return text.hasPrefix("tag:") && scalars.count > 4
                && scalars[4...].allSatisfy { Self.isAlnum($0) || $0 == "-" } && Self.isAlnum(scalars[4])
        case .email:
            let parts = Self.split(text, "@")
            return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
                && parts[0].unicodeScalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._+-") }
                && parts[1].unicodeScalars.allSatisfy { Self.isAlnum($0) || Self.among($0, ".-") }
        case .image:
            return Self.isLowerAlnum(scalars[0]) && scalars.count <= 255
                && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._/:@-") }
        case .huggingFaceRepo:
            let parts = Self.split(text, "/")
            return parts.count == 2
                && parts.allSatisfy { part in
                    guard let first = part.unicodeScalars.first, Self.isAlnum(first) else { return false }
                    return part.unicodeScalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-") }
                } && !Self.hasDoubleDot(text)
        case .repositoryFile:
            let steps = Self.split(text, "/")
            return scalars.count <= 255
                && steps.allSatisfy { step in
                    guard let first = step.unicodeScalars.first, Self.isAlnum(first) else { return false }
                    return step.unicodeScalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-") }
                } && !Self.hasDoubleDot(text)
        case .ollamaTag:
            // [namespace/]name[:tag], as `ollama pull` takes it.
            let parts = Self.split(text, ":")
            guard parts.count <= 2, let name = parts.first, !name.isEmpty, !Self.hasDoubleDot(text) else { return false }
            let names = Self.split(Substring(name), "/")
            return names.count <= 2
                && names.allSatisfy { part in
                    guard let first = part.unicodeScalars.first, Self.isLowerAlnum(first) else { return false }
                    return all(ArraySlice(part.unicodeScalars), "._-")
                } && (parts.count == 1 || (!parts[1].isEmpty && parts[1].unicodeScalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-") }))
        case .parserName:
            return all(scalars[...], "_")
        case .configKey:
            return scalars.count <= 63 && (Self.isAlpha(scalars[0]) || scalars[0] == "_")
                && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "_.-") }
        case .envVariable:
            return (Self.isUpper(scalars[0]) || scalars[0] == "_")
                && scalars.allSatisfy { Self.isUpper($0) || Self.isDigit($0) || $0 == "_" }
        case .sha256:
            return scalars.count == 64 && scalars.allSatisfy { Self.isDigit($0) || ("a"..."f").contains($0) }
        case .digest:
            return text.hasPrefix("sha256:") && Grammar.sha256.matches(String(text.dropFirst(7)))
        case .version:
            return Self.isDigit(scalars[0]) && Self.isDigit(scalars.last!)
                && scalars.allSatisfy { Self.isDigit($0) || $0 == "." } && !Self.hasDoubleDot(text)
        case .timezone:
            return scalars.count <= 64 && Self.isAlpha(scalars[0])
                && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "/_+-") } && !Self.hasDoubleDot(text)
        case .ruleID:
            return scalars.count == 5 && scalars.prefix(2).allSatisfy(Self.isUpper) && scalars.suffix(3).allSatisfy(Self.isDigit)
        case .revision:
            // Never an option (a leading '-') nor a path out ('..'): it lands in shell words.
            return scalars.count <= 128 && Self.isAlnum(scalars[0])
                && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-/") } && !Self.hasDoubleDot(text) && !text.hasSuffix("/")
        case .gpuUUID:
            let groups = Self.split(text.dropFirst(4), "-")
            return text.hasPrefix("GPU-") && groups.map(\.count) == [8, 4, 4, 4, 12]
                && groups.allSatisfy { $0.unicodeScalars.allSatisfy { Self.isDigit($0) || ("a"..."f").contains($0) } }
        case .word:
            return Self.isAlnum(scalars[0]) && scalars.allSatisfy { Self.isAlnum($0) || Self.among($0, "._-") }
        }
    }

    // Byte-wise helpers: `matches` has checked that the text is ASCII, so these give the same
    // answers as the String searches they replace, without a generic substring search per
    // decoded value (a fleet decodes about 200,000 of them).
    private static func among(_ s: Unicode.Scalar, _ set: StaticString) -> Bool {
        s.isASCII && set.withUTF8Buffer { $0.contains(UInt8(s.value)) }
    }
    /// `text` cut at each `separator`, empty parts kept, as `split(separator:)` on Characters
    /// gives for ASCII text (which `matches` has checked), on the bytes: splitting by Characters
    /// ran grapheme breaking over every decoded image, repository and route name.
    private static func split<Text: StringProtocol>(_ text: Text, _ separator: Unicode.Scalar) -> [Substring] {
        let whole = Substring(text)
        return whole.utf8.split(separator: UInt8(separator.value), omittingEmptySubsequences: false).map { Substring($0) }
    }
    private static func hasDoubleDot(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "."), previous == byte { return true }
            previous = byte
        }
        return false
    }
    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
    private static func isLower(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) }
    private static func isUpper(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) }
    private static func isAlpha(_ s: Unicode.Scalar) -> Bool { isLower(s) || isUpper(s) }
    private static func isLowerAlnum(_ s: Unicode.Scalar) -> Bool { isLower(s) || isDigit(s) }
    private static func isAlnum(_ s: Unicode.Scalar) -> Bool { isAlpha(s) || isDigit(s) }
}

/// How the runbook makes one variable of a secret file an app owns, on the node, without
/// spark-gen ever seeing the value. Files named in the topology (the owner's master key, its
/// database password) keep the recipes `SecretRecipe` gives them by variable; a kind that owns
/// a file says what each of its variables is.
public enum SecretValue: Hashable, Sendable {
    /// `openssl rand -hex BYTES`, after `prefix` (`sk-` for keys that must look like LiteLLM's).
    case randomHex(bytes: Int, prefix: String = "")
    /// Text that names random variables of the same file as `${NAME}`, such as a database URL
    /// holding the database's password: they are made first, whatever the file's order. Every
    /// other character is literal (the recipe escapes what the shell would read).
    case template(String)

    /// The variables of the same file a template names, in the order it names them.
    public var references: [String] {
        guard case .template(let text) = self else { return [] }
        var names: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            let after = rest[rest.index(after: dollar)...]
            guard after.first == "{", let end = after.firstIndex(of: "}") else {
                rest = after
                continue
            }
            names.append(String(after[after.index(after: after.startIndex)..<end]))
            rest = after[after.index(after: end)...]
        }
        return names
    }
}

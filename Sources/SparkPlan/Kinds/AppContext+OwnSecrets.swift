import SparkSpec

/// Secrets an app owns: values only the app's own containers share (its database's password,
/// its session and encryption keys), which no topology key names and no owner holds. The kind
/// says what each variable is; the runbook makes the file on the node and spark-gen never sees
/// a value.
extension AppContext {
    /// Where the app's own secret file `name` lives on the node: `~/.STACK-NAME.env`, beside the
    /// owners' files of the examples and outside the stack directory the runbook copies over.
    func ownSecretFile(_ name: String) -> NodePath {
        // The stack's name is a plain identifier (the decoder holds it to one); the fallback is never taken.
        NodePath("~/.\(topology.stack.name)-\(name).env") ?? NodePath("~/.spark-\(app.rawValue).env")!
    }

    /// One file the app owns, with each variable's recipe, read by `readers` (the app's
    /// containers). Readable by the stack's user alone, or by the compose readers' group when
    /// LiteLLM runs in compose, as the other files compose loads.
    func ownSecrets(_ name: String, _ variables: [(name: String, value: SecretValue)], readers: [String]) -> SecretPlacement {
        let file = ownSecretFile(name)
        let first = variables.first?.name ?? "VALUE"
        return SecretPlacement(
            secret: SecretRef(file: file, variable: first, path: path), variables: variables.map(\.name), readers: readers,
            group: composeReaderGroup, values: Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The absolute path of the app's own secret file `name`, for a workload's `environmentFiles`.
    func ownSecretPath(_ name: String) -> String { ownSecretFile(name).absolute(home: node.home) }
}

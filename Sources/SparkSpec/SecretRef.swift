import SparkDiagnostics

/// Where a secret lives on a node: an environment file and the variable it defines.
///
/// spark-gen never reads the value. The file is written by the operator (the runbook says how),
/// has mode 0600, and is given to services with systemd's `EnvironmentFile=` or compose's
/// `env_file:`. The optional fingerprint lets rules compare secrets without seeing them.
public struct SecretRef: Hashable, Sendable {
    /// The environment file, `~/…` (in the node user's home) or absolute.
    public let file: NodePath
    /// The variable in that file that holds the value.
    public let variable: String
    /// Lowercase hex SHA-256 of the value, if the author recorded one.
    public let sha256: String?
    public let path: SpecPath

    /// A secret no topology key names: a file an app owns, placed where its kind says.
    public init(file: NodePath, variable: String, sha256: String? = nil, path: SpecPath) {
        self.file = file
        self.variable = variable
        self.sha256 = sha256
        self.path = path
    }
}

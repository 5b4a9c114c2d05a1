import SparkDiagnostics

/// A party that owns nodes, runs its own LiteLLM and joins its own tailnet.
public struct Owner: Sendable {
    public var name: String
    public var tailnet: String
    /// The LiteLLM master key; required where the owner runs LiteLLM.
    public var masterKey: SecretRef?
    /// The key LiteLLM encrypts the credentials it stores with; without one it uses the master
    /// key, so rotating the master key would make them unreadable.
    public var saltKey: SecretRef?
    /// The LiteLLM database password, required where the owner runs `litellm-db`.
    public var dbPassword: SecretRef?
    /// The Redis password, required where the owner runs `redis`.
    public var redisPassword: SecretRef?
    /// The NGC API key NVIDIA's NIM containers (Parakeet, Magpie) pull their models with.
    public var ngcAPIKey: SecretRef? = nil
    /// The models this owner's LiteLLM lists; nil lists the models that run on this owner's nodes.
    public var models: [String]?
    public var path: SpecPath
    /// Models this owner's gateway lets other owners call with a key it mints.
    public var offers: [GatewayOffer] = []
}

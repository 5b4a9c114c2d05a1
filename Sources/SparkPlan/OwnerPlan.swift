import SparkDiagnostics
import SparkSpec

/// Who a node belongs to, as the Plan needs it: the name findings and headers use, the models
/// the owner asked LiteLLM to route, and the secrets the owner holds, by reference only.
public struct OwnerPlan: Sendable {
    public let name: String
    /// The owner's tailnet.
    public let tailnet: String
    /// The models the owner's LiteLLM routes by name, or nil when the topology leaves it to
    /// "the models on the owner's nodes".
    public let models: [String]?
    public let masterKey: SecretRef?
    public let saltKey: SecretRef?
    public let dbPassword: SecretRef?
    public let redisPassword: SecretRef?
    /// The NGC key the owner types at a prompt for NVIDIA's NIMs.
    public let ngcAPIKey: SecretRef?
    public let path: SpecPath

    init(_ owner: Owner) {
        name = owner.name
        tailnet = owner.tailnet
        models = owner.models
        masterKey = owner.masterKey
        saltKey = owner.saltKey
        dbPassword = owner.dbPassword
        redisPassword = owner.redisPassword
        ngcAPIKey = owner.ngcAPIKey
        path = owner.path
    }
}

import SparkDiagnostics

/// `owners.<o>.offers[]`: models this owner's gateway (its LiteLLM) lets another owner call,
/// through that LiteLLM with a virtual key the owner mints, never at the models' own ports.
///
/// The other owner's LiteLLM gets one backend per offered model, with the key; the offering
/// gateway's firewall (over a LAN) or its tailnet's policy (over the tailnet) admits the other
/// owner's gateway to the LiteLLM port alone.
public struct GatewayOffer: Sendable {
    /// The network the other owner's gateway reaches this owner's LiteLLM over.
    public enum Via: String, Sendable, CaseIterable {
        /// A LAN both gateways are on: LiteLLM listens on its LAN address, the firewall admits
        /// the other gateway's address alone.
        case lan
        /// The tailnet both gateways are on: the policy grants the LiteLLM port to the nodes' tag.
        case tailnet
    }

    /// The owner the models are offered to.
    public var to: String
    /// The offered models, by their key under `models:`.
    public var models: [String]
    public var via: Via
    /// Where the minted virtual key is kept, on the offering gateway and on each of the other
    /// owner's gateways (variable default LITELLM_OFFER_KEY).
    public var key: SecretRef
    public var path: SpecPath

    public init(to: String, models: [String], via: Via, key: SecretRef, path: SpecPath) {
        self.to = to
        self.models = models
        self.via = via
        self.key = key
        self.path = path
    }

    /// The variable the key file defines unless the reference names another.
    public static let keyVariable = "LITELLM_OFFER_KEY"
}

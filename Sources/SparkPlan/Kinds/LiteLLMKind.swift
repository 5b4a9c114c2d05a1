import SparkSpec

/// The owner's LiteLLM proxy. It runs under systemd from the user's site-packages, not in a
/// container (LiteLLMConfigEmitter and SystemdEmitter write it), so it adds no workload.
struct LiteLLMKind: AppKind {
    let app = App.litellm

    func secrets(_ context: AppContext) -> [SecretPlacement] {
        [SecretPlacement(secret: context.owner.masterKey, variables: [context.owner.masterKey.variable], readers: [app.rawValue])]
    }
}

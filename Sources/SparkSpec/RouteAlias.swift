import SparkDiagnostics

/// A name clients ask for that stands for a model (`homelab/code` for the coding model): a
/// route group of document 003, which LiteLLM serves as a model group alias.
public struct RouteAlias: Sendable {
    public var name: String
    /// The model (its key in 'models') the name routes to.
    public var model: String
    public var path: SpecPath

    public init(name: String, model: String, path: SpecPath) {
        self.name = name
        self.model = model
        self.path = path
    }
}

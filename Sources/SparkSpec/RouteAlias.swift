import SparkDiagnostics

/// A name clients ask for that stands for a model (`homelab/code` for the coding model): a
/// route group of document 003, which LiteLLM serves as a model group alias.
public struct RouteAlias: Sendable {
    public var name: String
    /// The model (its key in 'models') the name routes to.
    public var model: String
    public var path: SpecPath
    /// Words that put a prompt in this route's bucket, for a router that classifies (document
    /// 003's homelab-router); LiteLLM does not read them.
    public var keywords: [String] = []
    /// Heavier models a prompt of this bucket goes to past a size, smallest threshold first.
    public var promotions: [Promotion] = []

    /// A prompt of more than `overTokens` tokens goes to `model` instead.
    public struct Promotion: Sendable {
        public var overTokens: Int
        public var model: String
        public var path: SpecPath
    }

    public init(name: String, model: String, path: SpecPath) {
        self.name = name
        self.model = model
        self.path = path
    }
}

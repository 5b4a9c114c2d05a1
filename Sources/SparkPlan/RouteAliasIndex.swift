import SparkSpec

/// The topology's route names by the model they stand for, so each LiteLLM takes the names of
/// the models it routes without reading every route of the fleet (which grew with the square
/// of a fleet whose gateways each route a few models).
struct RouteAliasIndex {
    /// Positions in `aliases`, by the model's key.
    private var byModel: [String: [Int]] = [:]
    private let aliases: [RouteAlias]

    init(_ aliases: [RouteAlias]) {
        self.aliases = aliases
        for (position, alias) in aliases.enumerated() { byModel[alias.model, default: []].append(position) }
    }

    /// The routes that stand for one of `models`, in file order.
    func naming<Models: Sequence<String>>(_ models: Models) -> [RouteAlias] {
        models.flatMap { byModel[$0] ?? [] }.sorted().map { aliases[$0] }
    }
}

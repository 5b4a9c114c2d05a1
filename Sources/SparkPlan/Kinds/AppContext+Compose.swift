extension AppContext {
    /// The node's compose file, which the lines of an app's operations start services from
    /// (ComposeEmitter writes it under the same name).
    var composeFile: String { "\(stackDir)/compose.yaml" }
}

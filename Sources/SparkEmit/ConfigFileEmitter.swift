import SparkPlan

/// The files apps read from the stack directory, as their kinds wrote them (`ConfigFile`): one
/// emitter for every app, so an app with a configuration of its own needs no emitter.
struct ConfigFileEmitter {
    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.flatMap { node in
            node.configFiles.map { file in
                Artifact(path: Layout.stackFile(node, file.path), contents: file.contents, mode: Self.mode(file.mode))
            }
        }
    }

    private static func mode(_ mode: ConfigFile.Mode) -> Artifact.Mode {
        switch mode {
        case .regular: return .regular
        case .privateFile: return .privateFile
        case .executable: return .executable
        }
    }
}

import SparkJSON
import SparkPlan

/// `secrets.json` of each node that holds secrets: every secret file the node needs, the
/// variables it must define, who reads it and where its values come from, as data for tools
/// (and the proof suite) that would otherwise read RUNBOOK.md. Paths and names only: no value
/// is ever known to spark-gen.
struct SecretsManifestEmitter {
    static let fileName = "secrets.json"

    func artifacts(for plan: Plan) throws -> [Artifact] {
        try plan.nodes.filter { !$0.secretFiles.isEmpty }.map { node in
            let files: [JSONValue] = node.secretFiles.map { file in
                .object([
                    ("path", .string(file.path)),
                    ("mode", .string(file.mode)),
                    ("owner", .string(file.group.map { "root:\($0)" } ?? node.user)),
                    ("variables", .array(file.variables.map { .string($0) })),
                    ("readers", .array(file.readers.map { .string($0) })),
                    ("source", source(file.source, on: node, in: plan)),
                ])
            }
            let manifest = JSONValue.object([
                ("generated_by", .string(Header(plan, node: node.name).lines.joined(separator: " "))),
                ("node", .string(node.name)),
                ("files", .array(files)),
            ])
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: try JanssonEncoder.encode(manifest)).marked { marks in
                // Each file from the owner's secrets stored in it; others keep the node's origin.
                let owner = node.owner
                let refs = [owner.masterKey, owner.saltKey, owner.dbPassword, owner.redisPassword, owner.ngcAPIKey].compactMap { $0 }
                marks.items(of: "\"files\": [", node.secretFiles.map { file in refs.filter { node.absolute($0.file) == file.path }.map(\.path) })
            }
        }
    }

    private func source(_ source: SecretFile.Source, on node: NodePlan, in plan: Plan) -> JSONValue {
        switch source {
        case .generated:
            return .object([("kind", .string("generated"))])
        case .copied(let from, let path):
            let host = plan.node(named: from)
            return .object([
                ("kind", .string("copied")),
                ("node", .string(from)),
                ("path", .string(path)),
                ("ssh", .string(host?.sshTarget ?? from)),
            ])
        case .virtualKey(let app, let models):
            var fields: [(String, JSONValue)] = [("kind", .string("virtual-key")), ("app", .string(app))]
            // A key offered to another owner is limited to the offered models.
            if let models { fields.append(("models", .array(models.map { .string($0) }))) }
            if let litellm = node.litellm { fields.append(("litellm", .string("http://\(litellm.bindAddress):\(litellm.port)"))) }
            return .object(fields)
        case .entered(let prompt):
            return .object([("kind", .string("entered")), ("prompt", .string(prompt))])
        }
    }
}

import SparkPlan

/// Where artifacts land in the output tree: `nodes/<node>/<absolute path on the node>`, so the
/// tree mirrors each node's file system, and `tailnets/<tailnet>/…` for tailnet-wide files.
enum Layout {
    static func nodeFile(_ node: NodePlan, _ absolutePath: String) -> String {
        "nodes/\(node.name)\(absolutePath)"
    }

    static func stackPath(_ node: NodePlan, _ relative: String) -> String {
        node.stackDir + "/" + relative
    }

    static func stackFile(_ node: NodePlan, _ relative: String) -> String {
        nodeFile(node, stackPath(node, relative))
    }

    static let litellmUnit = "/etc/systemd/system/litellm.service"
    static let litellmDropIn = "/etc/systemd/system/litellm.service.d/override.conf"
}

import SparkPlan

/// The runbook's wait for LiteLLM after its start: a container's through wait-ready.sh, which
/// stops early on a crash at start (a config it cannot read); a systemd unit's by its URL.
struct LiteLLMWait {
    let node: NodePlan
    let litellm: LiteLLMPlan

    /// A first start with a database migrates it, which takes a while.
    var seconds: Int { litellm.container != nil && litellm.database != nil ? 300 : 120 }

    var url: String { "http://\(litellm.bindAddress):\(litellm.port)/health/liveliness" }

    /// The files the line needs on the node.
    var reads: [String] { litellm.container == nil ? [] : [Layout.stackPath(node, WaitReadyEmitter.fileName)] }

    var line: String {
        if let container = litellm.container {
            return WaitReadyEmitter.line(node, container: container, url: url, seconds: seconds)
        }
        return "timeout \(seconds) bash -c 'until curl -fsS \(url) >/dev/null; do sleep 2; done'"
    }
}

import SparkSpec

/// Hermes Agent, which its own installer sets up (the runbook says how): no workload, no port.
struct HermesKind: AppKind {
    let app = App.hermes
}

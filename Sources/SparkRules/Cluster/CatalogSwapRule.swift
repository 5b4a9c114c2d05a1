import SparkDiagnostics
import SparkPlan
import SparkSpec

/// CL018: the head of a catalog can stop and start every model in it.
struct CatalogSwapRule: Rule {
    let description = RuleDescription(
        id: "CL018",
        title: "a catalog's head can stop and start each of its models",
        rationale: """
            A catalog keeps one model running; scripts/swap.sh on its head stops it, here and on its \
            workers, starts another and waits for it. It runs the models' docker run launch scripts, so \
            a model of the catalog is vLLM started by those scripts, not a compose service the swap \
            would never stop (both would then claim the port and the memory). It reaches each worker \
            by ssh over a LAN both are on: the firewall refuses ssh between cluster peers over their \
            direct link. A worker the head cannot reach keeps the old model's half running, and the \
            new model never gets its GPUs.
            """,
        help: "give every model of the catalog a vLLM runtime with the default runner (docker-run), and put each worker on a LAN with the head",
        triggering: [
            RuleExample(
                .catalog, replacing: "    runtime: {kind: vllm, base_image: nvcr.io/nvidia/vllm:26.04-py3}\n",
                with: "    runtime: ↓{kind: vllm, runner: compose, base_image: nvcr.io/nvidia/vllm:26.04-py3}\n"),
            RuleExample(
                .catalog,
                [
                    (
                        "links: {dac: {ip: 192.168.177.12, second_ip: 192.168.178.12}, lan: 192.168.1.52}",
                        "links: {dac: {ip: 192.168.177.12, second_ip: 192.168.178.12}}"
                    ),
                    ("workers: [spark-2]", "workers: [↓spark-2]"),
                ]),
        ],
        nonTriggering: [.clean(.catalog)])

    func check(_ context: RuleContext) -> [RuleFinding] {
        var findings: [RuleFinding] = []
        for catalog in context.plan.catalogs {
            guard let head = context.plan.node(named: catalog.head) else { continue }
            for name in catalog.members {
                guard let cluster = context.plan.cluster(ofModel: name) else { continue }
                let model = cluster
                // Only launch scripts start and stop with the catalog; every other runner is compose.
                if !cluster.isScripted {
                    let what = "a \(model.runtime.kind.title) compose service"
                    findings.append(
                        RuleFinding(
                            "model '\(name)' of catalog '\(catalog.name)' runs as \(what), which scripts/swap.sh neither stops nor starts",
                            at: model.runtime.path))
                }
                for (index, worker) in cluster.workers.enumerated() {
                    guard let node = context.plan.node(named: worker.name), head.sharedLAN(with: node) == nil else { continue }
                    findings.append(
                        RuleFinding(
                            "node '\(worker.name)', a worker of model '\(name)' in catalog '\(catalog.name)', shares no LAN with the head '\(head.name)', whose swap reaches it by ssh",
                            at: model.clusterPath / "workers" / index))
                }
            }
        }
        return findings
    }
}

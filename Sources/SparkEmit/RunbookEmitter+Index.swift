import SparkPlan
import SparkSpec

/// The output tree's `README.md`: where each node's files go, the nodes and their addresses,
/// each model's backend, a catalog's panel, the order of bring-up and the defaults spark-gen chose.
extension RunbookEmitter {
    func index(_ plan: Plan) -> String {
        var text = comment(plan)
        text += "# \(plan.stackName)\n\n"
        text += "Everything under `nodes/<node>/` goes to the same absolute path on that node; "
        text += "`tailnets/<tailnet>/policy.hujson` is that tailnet's policy file"
        text +=
            plan.catalogs.contains { $0.panel != nil } || !plan.backends.isEmpty
            ? "; `hosts/<host>/` holds files for machines spark-gen does not deploy to.\n\n" : ".\n\n"
        // A column per link while that stays readable, else one column of addresses.
        let links = plan.lans + plan.links.filter(\.kind.carriesClusterTraffic)
        let perLink = links.count <= 4
        let columns = perLink ? links.map(\.label) : ["addresses"]
        text += "| node | owner | tailnet | " + columns.map { "\($0) | " }.joined() + "role | apps |\n"
        text += "|---|---|---|" + String(repeating: "---|", count: columns.count) + "---|---|\n"
        for node in plan.nodes {
            let roles = node.clusterRoles.map { "\($0.kind.rawValue) of \($0.cluster.name)" }.joined(separator: ", ")
            let apps = node.apps.map(\.rawValue).joined(separator: ", ")
            let addresses =
                perLink
                ? links.map { node.interface(on: $0.name)?.address.description ?? "—" }
                : [node.interfacesLANFirst.map { "\($0.link.label) \($0.address)" }.joined(separator: ", ")]
            text += "| \(node.name) | \(node.owner.name) | \(node.tailnet.name) | " + addresses.map { "\($0) | " }.joined()
            text += "\(roles.isEmpty ? "—" : roles) | \(apps.isEmpty ? "—" : apps) |\n"
        }
        text += "\n## Picture\n\nNodes by owner, the tailnets and the \(lanWords(plan)), the clusters, and every flow the firewall and "
        text += "the tailnet policies allow to a listener (`spark-gen graph` draws it; `--format dot` for Graphviz).\n\n"
        text += "```mermaid\n" + TopologyGraph(plan: plan).render(.mermaid) + "```\n"
        text += models(plan)
        text += ClientAccessNote.section(plan) + HostRunbookNote.section(plan)
        text += defaults(plan)
        let ray = plan.clusters.contains(where: \.isMultiNode)
        text += "\n## Order\n\n"
        text += "Each node's runbook is `nodes/<node>/…/RUNBOOK.md`. Bring the nodes up in three passes:\n\n"
        let handsOver = CopiedSecret.all(in: plan).contains { $0.offer == nil }
        text += "1. Up to and including '\(Self.firewallStep)'\(handsOver ? " and, where a node has it, '\(SecretHandover.stepTitle)'" : ""), node by node: "
        text += "\(prepareOrder(plan).map(\.name).joined(separator: ", ")).\(handsOver ? " " : "\n")"
        if handsOver { text += "The nodes others copy from come first: their secrets step makes what the others copy.\n" }
        text += "2. The model steps: \(bringUpOrder(plan).filter { !$0.clusterRoles.isEmpty }.map(\.name).joined(separator: ", ")).\(ray ? " " : "\n")"
        if ray { text += "Workers come first, so a head never starts vLLM alone.\n" }
        let gateways = plan.nodes.filter { node in plan.offers.contains { $0.gateway == node.name } }.map(\.name)
        if gateways.isEmpty {
            text += "3. The remaining steps on every node, ending with 'Verify', then the tailnet checks each runbook lists.\n"
        } else {
            text +=
                "3. The remaining steps on every node, ending with 'Verify', then the tailnet checks each runbook lists; \(gateways.joined(separator: ", ")) "
            text +=
                "first: \(gateways.count == 1 ? "its" : "their") virtual keys step mints the keys the other owners' '\(SecretHandover.offeredStepTitle)' step copies.\n"
        }
        return text + SecretHandover.holdings(plan) + AnsibleNote.section(plan)
    }

    /// Each model's backend: which runtime serves it where, and whether it starts with the stack.
    func models(_ plan: Plan) -> String {
        guard !plan.clusters.isEmpty || !plan.backends.isEmpty else { return "" }
        var text = "\n## Models\n\n"
        text += GatewayRoutingNote.text(plan)
        text += "| model | runtime | nodes | listens | started by |\n|---|---|---|---|---|\n"
        for cluster in plan.clusters {
            let model = cluster
            let nodes = cluster.members.map(\.name).joined(separator: ", ")
            let runner: String
            if let catalog = cluster.catalog {
                runner = "`\(CatalogEmitter.swapScript)` of catalog \(catalog.name)" + (model.name == catalog.active ? " (active)" : "")
            } else if let service = cluster.serviceName {
                runner = "compose service `\(service)`" + (model.start == .manual ? ", by hand (profile `\(Workload.manualProfile)`)" : "")
            } else {
                runner = "docker run scripts"
            }
            text += "| \(model.servedName) | \(model.runtime.kind.title) | \(nodes) | \(cluster.apiHost):\(model.port) | \(runner) |\n"
        }
        for backend in plan.backends {
            text +=
                "| \(backend.name) | external (OpenAI-compatible) | host \(backend.host) | \(backend.apiBase.dropFirst("http://".count).prefix { $0 != "/" }) | "
            text += "not deployed by spark-gen\(backend.slots.map { "; \($0) slots" } ?? "") |\n"
        }
        for catalog in plan.catalogs { text += panel(plan, catalog) }
        return text
    }

    /// How a catalog's models take turns and, when it has one, how its spark-control panel is set up.
    func panel(_ plan: Plan, _ catalog: CatalogPlan) -> String {
        guard let head = plan.node(named: catalog.head) else { return "" }
        let swap = Layout.stackPath(head, CatalogEmitter.swapScript)
        var text = "\nThe models of catalog \(catalog.name) take turns on \(catalog.apiHost):\(catalog.port), one at a time; "
        text += "\(catalog.active) runs after the runbooks. `\(swap) MODEL` on \(head.name) stops the one that runs, here and on "
        text += "its workers, starts MODEL and waits until it answers. Memory is counted for the largest of them, never for the sum.\n"
        guard let panel = catalog.panel, let link = catalog.panelLink, let address = panel.interface(on: link)?.address else { return text }
        let nodes = plan.nodes(of: catalog)
        text += "\n## Panel on host \(panel.name)\n\n"
        text += "spark-control runs on \(panel.name) (\(address)), which spark-gen does not deploy to. It is the one machine of "
        text += "\(panel.interfaces.first { $0.link.name == link }?.link.phrase ?? link) the firewalls admit to the catalog's port and the "
        text += "speech services: none of them asks for a login. `hosts/\(panel.name)/\(CatalogEmitter.panelFolder)/` holds what it reads:\n\n"
        text += "- `\(CatalogEmitter.catalogFile)`: every model, the settings it runs with (max context, GPU memory, fastsafetensors, "
        text += "prefix caching, FP8 KV cache), solo or cluster, and the command that makes it active. spark-control's own catalog format "
        text += "is not public; map these fields onto it, and change a model in the topology, never in the panel, or the two disagree.\n"
        text +=
            catalog.panelURL.map { url in
                "- `\(CatalogEmitter.discoveryFile)`: the discovery document (`GET /api/endpoints`) for the active model, without `ready`, "
                    + "which only the running panel knows. Its URLs are the panel's (\(url)): LAN clients call the panel, which forwards chat "
                    + "completions and audio to the nodes, whose ports admit the panel alone.\n\n"
            } ?? "- No `\(CatalogEmitter.discoveryFile)`: the catalog has no `panel_url`, and the nodes' ports admit the panel alone.\n\n"
        text += "Once: in the panel, Actions → Show Public Key, and install that line on "
        text += nodes.filter { node in SSHGate.gates(in: plan, on: node).contains { $0.holder == panel.name } }.map { node in
            "\(node.name) (`\(node.user)@\(node.interface(on: link)?.address.description ?? node.sshHost)`)"
        }.joined(separator: " and ")
        text += " as their runbooks' catalog step says (`\(SSHGate.authorizeScript) \(panel.name)`): `restrict`, "
        text += "`from=\"\(address)\"` and a gate, `scripts/ssh-gate-\(panel.name).sh`, limit it to what the panel runs there. "
        text += "Then Actions → Configure Sparks with those addresses and users.\n"
        return text
    }

    /// "mgmt LAN", "LANs", or "LAN home", for the sentence about the picture.
    func lanWords(_ plan: Plan) -> String {
        let lans = plan.lans
        return lans.count == 1 ? Vantage.lan(lans[0].name).description : "LANs"
    }

    /// Every value the topology left to spark-gen that reaches the nodes, so no default is invisible.
    func defaults(_ plan: Plan) -> String {
        var rows = plan.appliedDefaults.map { ($0.path.description, $0.value) }
        for cluster in plan.clusters where cluster.isMultiNode && cluster.runtime.rayVersion == nil {
            rows.append(("models.\(cluster.name).runtime.ray_version", cluster.rayVersion ?? ""))
        }
        for model in plan.routingTargets where model.kind == .model && model.declaredCap == nil {
            guard let cap = model.cap else { continue }
            rows.append(("models.\(model.name).max_parallel_requests", "\(cap) (its server's slots: it has fallbacks)"))
        }
        for node in plan.nodes {
            let ports = node.apps.compactMap { app -> String? in
                guard node.options(of: app)?.port == nil, let port = app.port else { return nil }
                return "\(app.rawValue) \(port)"
            }
            if !ports.isEmpty { rows.append(("nodes.\(node.name).apps (ports)", ports.joined(separator: ", "))) }
        }
        guard !rows.isEmpty else { return "" }
        var text = "\n## Defaults\n\nValues the topology leaves out, as spark-gen chose them; write the key to choose otherwise.\n\n"
        text += "| setting | value |\n|---|---|\n"
        for (setting, value) in rows { text += "| `\(setting)` | \(value) |\n" }
        return text
    }
}

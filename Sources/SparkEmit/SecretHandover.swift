import SparkPlan

/// The runbook step that hands a node the secrets it copies from other nodes (a worker's Ray
/// token, a tailnet model's key), and the output README's account of who holds what.
///
/// The copy runs from the operator's machine, the one that ran `spark-gen build` and put every
/// node's files in place over ssh: the tailnet policy and the firewalls let it reach both nodes,
/// while the nodes often cannot reach each other (homelab's policy grants tag-to-tag only the
/// model port) and a login of one node on the other would be a credential of the source's owner
/// that the holder's owner keeps (split-trust's worker into the head's account). The step comes
/// right after the holder's firewall step, and the source's first pass is done by then (the
/// README's order puts the nodes others copy from first), so both ends are reached as the
/// generated firewall and policy say; SC008 checks that they are.
///
/// The value goes through a pipe, never onto the operator's disk, into a file that `mktemp`
/// makes beside the target (mode 0600 under umask 077). It is installed only when it defines
/// every variable with a value; a copy that fails or arrives empty fails the step, and the trap
/// removes the temporary file, so no empty file is left for a later run to keep.
struct SecretHandover {
    static let stepTitle = "Secrets from other nodes"
    /// The step that copies the keys other owners' gateways minted for this owner: it comes right
    /// before the LiteLLM step, and the README's last pass runs the offering gateway (whose
    /// virtual keys step mints the key) before this node.
    static let offeredStepTitle = "Keys offered by other owners"

    let plan: Plan
    let node: NodePlan
    /// Whether this is the step of offered keys rather than of the other copies.
    var offered = false

    /// The node's copied files this step hands over, with where each comes from.
    var copies: [CopiedSecret] { CopiedSecret.of(node, in: plan).filter { ($0.offer != nil) == offered } }

    /// The step's notes and commands, or nil when the node copies nothing.
    func parts() -> [RunbookPart]? {
        let copies = copies
        guard !copies.isEmpty else { return nil }
        let sources = copies.map(\.source.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let ends = [node] + sources.compactMap { plan.node(named: $0) }
        // How the operator's machine reaches each end, as SC008 checks it.
        let ways = ends.map { end -> String in
            if let lan = end.lan { return "from \(lan.link.phrase)" }
            return "as a device of tailnet \(end.tailnet.name)'s users"
        }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var text = "From the machine that ran `spark-gen build`, which reaches " + ends.map { "`\($0.sshTarget)`" }.joined(separator: " and ")
        text += " over ssh \(ways.joined(separator: " and ")), after \(sources.joined(separator: " and ")) "
        // A key offered by another owner's gateway is minted once that LiteLLM runs, not in the secrets step.
        let made = offered ? "minted" : "made"
        let step = offered ? "virtual keys step" : "secrets step"
        text += "\(made) \(copies.count == 1 ? "it" : "them") in \(sources.count == 1 ? "its" : "their") \(step). "
        text += "The value goes through a pipe and never onto this machine's disk; no node logs in to another. "
        text += "An existing non-empty file is kept; a copy that fails or arrives empty stops with an error and leaves nothing behind"
        if copies.contains(where: { $0.file.group != nil }) { text += " (`sudo` on \(node.name) asks for \(node.user)'s password)" }
        text += ":"
        var parts: [RunbookPart] = [.note(text), .commands(copies.map { RunbookCommand(snippet($0)) }, on: .buildMachine)]
        for copy in copies where copy.crossesOwners {
            parts.append(.note("\(holding(copy)) The README's 'Who holds what' says so too."))
        }
        if offered {
            parts.append(
                .note(
                    GatewayDifferences.loadsCopies(copies.count, variables: copies.flatMap(\.file.variables))))
        }
        return parts
    }

    /// One file's hand-over, run on the operator's machine.
    func snippet(_ copy: CopiedSecret) -> String {
        let file = copy.file
        let holder = node.sshTarget
        var lines = ["ssh \(holder) test -s \(file.path) || ( set -euo pipefail"]
        lines.append("  tmp=$(ssh \(holder) 'umask 077; mktemp \(file.path).XXXXXX')")
        lines.append("  trap 'ssh \(holder) rm -f \"$tmp\"' EXIT")
        lines.append("  ssh \(copy.source.sshTarget) cat \(copy.sourcePath) | ssh \(holder) dd status=none of=\"$tmp\"")
        for variable in file.variables {
            lines.append("  ssh \(holder) grep -q \"'^\(variable)=.'\" \"$tmp\"")
        }
        if let group = file.group {
            // sudo needs a terminal for its password: -t, once the value is in the file.
            lines.append("  ssh -t \(holder) sudo install -m \(file.mode) -o root -g \(group) \"$tmp\" \(file.path) )")
        } else {
            lines.append("  ssh \(holder) mv \"$tmp\" \(file.path) )")
        }
        return lines.joined(separator: "\n")
    }

    /// A sentence on what a copy of another owner's secret lets its holder do.
    func holding(_ copy: CopiedSecret) -> String {
        let holder = "\(copy.holder.name) (owner \(copy.holder.owner.name))"
        let source = "\(copy.source.name) (owner \(copy.source.owner.name))"
        switch (copy.grant, copy.cluster) {
        case (.rayToken?, let cluster?):
            return "\(holder) holds the Ray token of \(cluster.name), which \(source) made: whoever holds it joins that Ray "
                + "cluster and can run code in its Ray processes on \(copy.source.name) (TR001). \(copy.source.owner.name) hands it over "
                + "through the operator's machine; \(copy.holder.name) gets no login on \(copy.source.name)."
        case (.modelKey?, let cluster?):
            return "\(holder) holds the key of model \(cluster.name), which \(source) made: whoever holds it calls that model."
        case (.offeredKey?, _):
            guard let offer = copy.offer else { fallthrough }
            return GatewayDifferences.offeredKeyHolding(holder: holder, source: source, offer: offer)
        default:
            return "\(holder) holds a copy of \(copy.sourcePath), which \(source) made."
        }
    }
}

extension SecretHandover {
    /// The README's 'Who holds what': every secret file on every node, its owner, where its
    /// value is made and who hands it to whom, then what a secret held across owners allows.
    static func holdings(_ plan: Plan) -> String {
        let files = plan.nodes.flatMap { node in node.secretFiles.map { (node, $0) } }
        guard !files.isEmpty else { return "" }
        var text = "\n## Who holds what\n\nEvery secret file spark-gen asks for, by reference (it never sees a value). "
        if !CopiedSecret.all(in: plan).isEmpty {
            text += "A copy is handed over in the holder's '\(stepTitle)' step from the operator's machine, which reaches every node "
            text += "over ssh already (the copy step runs there): nodes often cannot reach each other (firewalls admit ssh from the LAN "
            text += "or the tailnet's users, and the tailnet policy grants node to node only the model ports), and a login of one node "
            text += "on another would be a credential of one owner that the other keeps. No node logs in to another for it.\n\n"
        } else {
            text += "Each is made where it is used; no node copies a secret from another.\n\n"
        }
        text += "| node | owner | file | variables | value |\n|---|---|---|---|---|\n"
        for (node, file) in files {
            let value: String
            switch file.source {
            case .generated:
                value = "made on \(node.name)"
            case .copied(let from, _):
                let owner = plan.node(named: from)?.owner.name ?? "?"
                value =
                    owner == node.owner.name
                    ? "made on \(from), copied through the operator's machine"
                    : "made on \(from); **\(owner) hands it to \(node.owner.name)** through the operator's machine"
            case .virtualKey(let app, _):
                value = GatewayDifferences.mintedBy(node: node.name, app: app)
            case .entered:
                value = "typed in by the operator"
            }
            text += "| \(node.name) | \(node.owner.name) | `\(file.path)` | \(file.variables.joined(separator: ", ")) | \(value) |\n"
        }
        let crossing = CopiedSecret.all(in: plan).filter(\.crossesOwners)
        text += "\n"
        if crossing.isEmpty {
            text += "No node holds a secret of another owner.\n"
        } else {
            for copy in crossing { text += "- " + SecretHandover(plan: plan, node: copy.holder).holding(copy) + "\n" }
        }
        return text
    }
}

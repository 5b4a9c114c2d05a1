import SparkPlan

/// The README's "Deploy with Ansible": the commands, what each tag of `ansible/site.yml` does,
/// and the runbook steps no playbook can do for the operator, named as such.
enum AnsibleNote {
    static func section(_ plan: Plan) -> String {
        let owners = plan.owners.map { "`\(AnsibleEmitter.group("owner", $0.name))`" }.joined(separator: ", ")
        var text = "\n## Deploy with Ansible\n\n"
        text += "`ansible/inventory.yml` lists every node on the address and as the user its runbook uses for ssh, grouped per owner "
        text += "(\(owners)) and per place in the first pass (`pass1_makes_shared_secrets`, `pass1_copies_secrets`, `pass1_rest`, "
        text += "where a node has one). `ansible/site.yml` does the steps a machine can do, in the passes above, with ansible-core's "
        text += "builtin modules only. Run it from this directory on a machine that reaches every node over ssh, as that user, "
        text += "with sudo (`--ask-become-pass` when sudo asks for a password):\n\n"
        text += "```sh\n"
        text += "ansible-playbook -i ansible/inventory.yml ansible/site.yml                 # every tag but weights, in order\n"
        text += "ansible-playbook -i ansible/inventory.yml ansible/site.yml --tags files    # one tag at a time\n"
        text += "ansible-playbook -i ansible/inventory.yml ansible/site.yml --tags weights  # the models' weights (tens of GB)\n"
        text += "ansible/drift.sh                                                           # exit 1, naming node and file, when a node differs\n"
        text += "```\n\n"
        text += "| tag | what it does |\n|---|---|\n"
        text +=
            "| `files` | every file under `nodes/<node>/` to its path on the node, with the mode and owner of this tree (root's under /etc, else the node's user), its directories first"
        if plan.nodes.contains(where: { !NetplanEmitter.interfaces($0).isEmpty }) {
            text +=
                "; a changed `/etc/netplan/60-spark-gen-*.yaml` (a direct link's or fabric's addresses and MTU) runs `netplan apply`, before the firewall script"
        }
        text += " |\n"
        text +=
            "| `prereqs` | what the runbook's Prerequisites step installs: the node's user into the `docker` group, Tailscale where it is missing (its installer), "
        text += "and where the node runs Python tools python3-pip (apt) and the user's `pip3 install --user` packages |\n"
        text +=
            "| `secrets` | each secret the runbook's secrets step makes, made on its node only when it is missing, its value never printed (`no_log`) and never on the control machine |\n"
        text +=
            "| `firewall` | `scripts/firewall.sh` copied, and run as root when it changed; it refuses to run, leaving ufw as it is, when the ssh path it keeps is not up yet (a LAN address missing, or no tailnet address where ssh comes only over the tailnet) |\n"
        text += "| `weights` | each model's `hf download`, as the node's user; tagged `never` too, so only `--tags weights` runs it |\n"
        text +=
            "| `services` | a unit whose files changed, or a file its ExecStart names: `systemctl daemon-reload` and a restart; every unit started and enabled; a changed compose file: `docker compose up -d` in its directory, "
        text +=
            "else `docker compose up -d --no-recreate` (starts what is not running, restarts nothing); a changed file a compose service mounts (its config): `docker compose up -d --force-recreate` of that service. First, every secret file of the node, copied and minted ones too, must exist and not be empty, or the run stops naming it (never its value) |\n"
        text += "| `verify` | each node's `scripts/verify.sh`, last; a failing check fails the run |\n\n"
        text += "`drift.sh` runs the `files` tag with `--check --diff` (nothing changes on the nodes). It reads the output of "
        text += "ansible-core's default callback (the JSON one is in the ansible.posix collection), and exits 0 when every node matches this tree, 1 "
        text += "naming each node and file that differs, 2 when the run itself failed.\n\n"
        text += "Not in the playbook, and done by hand from the runbooks:\n\n"
        for line in manual(plan) { text += "- \(line)\n" }
        text += "\nOn a first deployment, run the tags `files,prereqs,secrets,firewall,weights`, then these steps in runbook order, then the "
        text += "whole playbook; after that, the playbook and `drift.sh` keep the nodes in line with this tree.\n"
        text += firstPassCaveats(plan)
        return text
    }

    /// What the first pass cannot do before the tailnet join: reach a node that has no LAN
    /// address, and put up a firewall that admits ssh only on tailscale0 (it would cut the session).
    static func firstPassCaveats(_ plan: Plan) -> String {
        var text = ""
        let unnamed = plan.nodes.filter { $0.lan == nil }.map { "`\($0.name)`" }
        if !unnamed.isEmpty {
            text += "\nThe topology gives no LAN address for \(unnamed.joined(separator: ", ")): the inventory reaches "
            text += unnamed.count == 1 ? "it" : "them"
            text += " by tailnet name, which answers only after the Tailnet step. For the first pass give an address that reaches the machine "
            text += "now, one node at a time (`-l NODE -e ansible_host=ADDRESS`), or join the tailnet by hand first.\n"
        }
        let guarded = plan.nodes.filter { FirewallEmitter.admitsSSHOnlyOnTailnet(FirewallPlanner.rules(for: $0, in: plan)) }.map { "`\($0.name)`" }
        if !guarded.isEmpty {
            text += "\n\(guarded.joined(separator: ", ")) admit\(guarded.count == 1 ? "s" : "") ssh only on `tailscale0`: until the node has joined "
            text += "its tailnet, its `firewall.sh` refuses to run (exit 1, ufw untouched), since the rules would cut the ssh session in use. "
            text += "The first pass then stops on that node at its last handler, after its other tasks; once the Tailnet step is done, run "
            text += "its `scripts/firewall.sh` as root, as its runbook's Firewall step does, or run the playbook again: the script records what ufw "
            text += "applied in `\(FirewallEmitter.appliedRecord)`, and the playbook runs it whenever that record is missing or names another version.\n"
        }
        return text
    }

    private static func manual(_ plan: Plan) -> [String] {
        var lines = [
            "A runbook's 'Coming from …' step, where it has one; Docker and the GPU's drivers where the OS lacks them; the host names in /etc/hosts."
        ]
        if !CopiedSecret.all(in: plan).isEmpty {
            lines.append(
                "'\(SecretHandover.stepTitle)': the value passes from node to node through the operator's pipe; the playbook only checks that it arrived.")
        }
        let files = plan.nodes.flatMap(\.secretFiles)
        if files.contains(where: { if case .entered = $0.source { return true } else { return false } }) {
            lines.append("Secrets only the operator has (an account's API key), typed at the runbook's prompt.")
        }
        if !plan.clusters.isEmpty {
            lines.append(
                "The model steps: image pulls and builds, and launch scripts (a GPU node's first start takes minutes); the weights are the `weights` tag.")
        }
        if plan.nodes.contains(where: { $0.litellm != nil }) {
            lines.append(GatewayDifferences.leftToRunbook(virtualKeys: files.contains { $0.virtualKeyFor != nil }))
        }
        if !plan.lans.isEmpty {
            lines.append("A LAN's addresses, MTU and routes: the operator's, as they were (only direct links and fabrics get a netplan file).")
        }
        lines.append("Tailscale: the login on each node (`scripts/tailscale-up.sh`), each tailnet's policy uploaded in its admin console, and any shares.")
        if plan.catalogs.contains(where: { $0.panel != nil }) {
            lines.append("The panel's actions (a swap from spark-control) and the files under `hosts/`.")
        } else if !plan.backends.isEmpty {
            lines.append("The files under `hosts/`, for machines spark-gen does not deploy to.")
        }
        lines.append("Handing each node to its owner and locking ssh down.")
        return lines
    }
}

import SparkPlan

/// `ansible/` of the output tree: an inventory, a playbook that brings the stack up in the order
/// of the README's passes, and `drift.sh`, all rendered from the neutral `DeployManifest`.
///
/// Only ansible-core's builtin modules, by their fully qualified names, so a bare
/// `pip install ansible-core` runs it. No secret value ever reaches the control machine: secrets
/// are made on their node by shell snippets that write straight into the file (`no_log`), and
/// copies made by another node's hand-over are only checked for.
struct AnsibleEmitter {
    static let directory = "ansible"

    func artifacts(for plan: Plan, manifest: DeployManifest) -> [Artifact] {
        let header = Header(plan, about: ["Run from the output directory's ansible/: see the README's 'Deploy with Ansible'."]).comment()
        return [
            Artifact(path: "\(Self.directory)/inventory.yml", contents: "---\n" + header + inventory(manifest)),
            Artifact(path: "\(Self.directory)/site.yml", contents: playbook(manifest, after: "---\n" + header)),
            Artifact(path: "\(Self.directory)/drift.sh", contents: AnsibleDrift.script(header: header), mode: .executable),
        ]
    }

    /// Group names Ansible accepts: letters, digits and underscores.
    static func group(_ prefix: String, _ name: String) -> String {
        prefix + "_" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    private func inventory(_ manifest: DeployManifest) -> String {
        var text = "all:\n  hosts:\n"
        for node in manifest.nodes {
            text += "    \(node.name):\n"
            if node.hostIsTailnetName {
                // The topology gives no LAN address: nothing here answers before the tailnet join.
                text += "      # A tailnet name: it answers once \(node.name) joined its tailnet. For the first pass, set\n"
                text += "      # ansible_host to an address that reaches the machine now (-e ansible_host=ADDRESS -l \(node.name)).\n"
            }
            text += "      ansible_host: \(yaml(node.host))\n"
            text += "      ansible_user: \(yaml(node.user))\n"
        }
        var groups: [(String, [String])] = []
        // Owners in order of their first node, grouped in one pass: a search of the owners per
        // node and a filter of the nodes per owner grow with the square of the fleet.
        var owners: [String] = []
        var nodesOf: [String: [String]] = [:]
        for node in manifest.nodes {
            if nodesOf[node.owner] == nil { owners.append(node.owner) }
            nodesOf[node.owner, default: []].append(node.name)
        }
        for owner in owners {
            groups.append((Self.group("owner", owner), nodesOf[owner] ?? []))
        }
        for wave in DeployManifest.Wave.allCases {
            let names = manifest.nodes.filter { $0.wave == wave }.map(\.name)
            if !names.isEmpty { groups.append(("pass1_" + wave.rawValue, names)) }
        }
        text += "  children:\n"
        for (name, hosts) in groups {
            text += "    \(name):\n      hosts:\n" + hosts.map { "        \($0):\n" }.joined()
        }
        return text
    }

    /// No play reads a fact, so none gathers them: a setup run per play and node costs seconds.
    /// Each play is nested into one buffer as it is made: the playbook is one file for the whole
    /// fleet (23 MB at 1000 pairs), and a list of plays, their nested copies and the joined text
    /// held it three times over.
    private func playbook(_ manifest: DeployManifest, after prefix: String) -> String {
        var out = Array(prefix.utf8)
        var first = true
        func add(_ play: String) {
            if !first { out.append(UInt8(ascii: "\n")) }
            first = false
            Self.nestTasks(play, into: &out)
        }
        for node in manifest.nodes {
            add(prepare(node))
        }
        add(services(manifest))
        add(verify(manifest))
        return String(decoding: out, as: UTF8.self)
    }

    /// The plays are written with tasks at two spaces; yamllint (in ansible-lint) wants a list
    /// inside a mapping indented, so every line below `tasks:` and `handlers:` moves two more.
    /// Works on the UTF-8 bytes in one pass: the playbook is one file for the whole fleet, and
    /// splitting it into Substrings and comparing each line as Characters was a seventh of a
    /// large build.
    private static func nestTasks(_ play: String, into out: inout [UInt8]) {
        var play = play
        play.withUTF8 { bytes in
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                // A line indented three spaces or more is no play key (most lines are).
                let deep = line.count >= 3 && line[0] == space && line[1] == space && line[2] == space
                if !line.isEmpty && (deep || !playKeys.contains(where: { line.starts(with: $0) })) {
                    out.append(UInt8(ascii: " "))
                    out.append(UInt8(ascii: " "))
                }
                out.append(contentsOf: line)
                if end < bytes.count { out.append(UInt8(ascii: "\n")) }
                start = end + 1
            }
        }
    }

    private static let space = UInt8(ascii: " ")

    /// The lines of a play that stay where they are.
    private static let playKeys: [[UInt8]] = ["- ", "  hosts:", "  gather_facts:", "  become:", "  tasks:", "  handlers:"].map { Array($0.utf8) }

    /// The README's first pass for one node: its files, prerequisites, the secrets it makes, and
    /// its firewall when the script changed. Nodes whose secrets others copy come first.
    private func prepare(_ node: DeployManifest.Node) -> String {
        var text = "- name: \(yaml("Prepare \(node.name) (first pass, \(String(node.wave.rawValue.map { $0 == "_" ? " " : $0 })))"))\n"
        text += "  hosts: \(node.name)\n  gather_facts: false\n  become: true\n  tasks:\n"
        for directory in node.directories {
            task(
                "Directory \(directory.path)", module: "ansible.builtin.file",
                args: [
                    ("path", directory.path), ("state", "directory"), ("mode", directory.mode),
                    ("owner", directory.owner), ("group", directory.group),
                ], tags: ["files"], into: &text)
        }
        for file in node.files {
            var extra = ""
            var tags = ["files"]
            if file.onChange.count == 1, let action = file.onChange.first {
                extra += "    notify: \(yaml(handlerName(action)))\n"
                if case .runFirewall = action { tags.append("firewall") }
            } else if !file.onChange.isEmpty {
                extra += "    notify:\n" + file.onChange.map { "      - \(yaml(handlerName($0)))\n" }.joined()
            }
            task(
                "File \(file.path)", module: "ansible.builtin.copy",
                args: [
                    ("src", "{{ playbook_dir }}/../\(file.source)"), ("dest", file.path), ("mode", file.mode),
                    ("owner", file.owner), ("group", file.group),
                ], tags: tags, extra: extra, into: &text)
        }
        text += appliedChecks(node)
        text += prerequisites(node)
        for secret in node.secrets {
            guard case .generated(let recipe) = secret.origin else { continue }
            text += "  - name: \(yaml("Secret \(secret.path)"))\n"
            // pipefail: a recipe that pipes values into `install` fails when the values do.
            text += "    ansible.builtin.shell:\n      cmd: |\n        set -o pipefail\n"
            text += recipe.split(separator: "\n", omittingEmptySubsequences: false).map { "        \($0)\n" }.joined()
            text += "      creates: \(yaml(secret.path))\n      executable: /bin/bash\n"
            text += "    become: \(secret.asRoot)\n    no_log: true\n    tags: [secrets]\n"
        }
        text += weights(node)
        let actions = Set(node.files.flatMap(\.onChange)).sorted()
        if !actions.isEmpty {
            text += "  handlers:\n"
            for action in actions { text += handler(action) }
        }
        return text
    }

    /// The firewall script may also have been refused (it stops while its checks fail, ufw
    /// untouched): a handler that failed is not notified again by an unchanged file, so the
    /// script's record of what ufw applied decides too.
    private func appliedChecks(_ node: DeployManifest.Node) -> String {
        Set(node.files.flatMap(\.onChange)).sorted().compactMap { action -> String? in
            guard case .runFirewall(let path) = action else { return nil }
            return "  - name: \(yaml("Check that \(path) is the script ufw applied"))\n"
                + "    ansible.builtin.command:\n      cmd: \(yaml("sha256sum --check --status \(FirewallEmitter.appliedRecord)"))\n"
                + "    register: spark_gen_firewall\n    changed_when: spark_gen_firewall.rc != 0\n    failed_when: false\n"
                + "    check_mode: false\n    notify: \(yaml(handlerName(action)))\n    tags: [files, firewall]\n"
        }.joined()
    }

    /// The runbook's Prerequisites step: the docker group, Tailscale where it is missing (its own
    /// installer, as the runbook runs it), pip, then the user's Python packages. Docker and the
    /// GPU's container toolkit are the OS's (the runbook says so) and stay out.
    private func prerequisites(_ node: DeployManifest.Node) -> String {
        var text = task(
            "Add \(node.user) to the docker group", module: "ansible.builtin.user",
            args: [
                ("name", node.user), ("groups", "docker"), ("append", "true"),
            ], tags: ["prereqs"])
        text += "  - name: \"Install Tailscale where it is missing\"\n    ansible.builtin.shell:\n      cmd: |\n        set -o pipefail\n"
        text += "        if command -v tailscale >/dev/null; then echo present; else curl -fsSL https://tailscale.com/install.sh | sh; fi\n"
        text += "      executable: /bin/bash\n    register: spark_gen_tailscale\n"
        text += "    changed_when: spark_gen_tailscale.stdout != \"present\"\n    tags: [prereqs]\n"
        if !node.systemPackages.isEmpty {
            text += "  - name: \(yaml("Debian packages \(node.systemPackages.joined(separator: ", "))"))\n"
            text += "    ansible.builtin.apt:\n      name: \(list(node.systemPackages))\n      state: present\n    tags: [prereqs]\n"
        }
        if !node.userPipPackages.isEmpty {
            // pip says what it did: "Successfully installed" only when something was installed.
            text += "  - name: \(yaml("Python packages of \(node.user): \(node.userPipPackages.joined(separator: ", "))"))\n"
            // The runbook's lines: --break-system-packages only where python3 is externally managed.
            text += "    ansible.builtin.shell:\n      cmd: |\n"
            text += Prerequisites.pipInstall(node.userPipPackages).split(separator: "\n").map { "        \($0)\n" }.joined()
            text += "      executable: /bin/bash\n"
            text += "    register: spark_gen_pip\n    changed_when: \"'Successfully installed' in spark_gen_pip.stdout\"\n"
            text += "    become: false\n    tags: [prereqs]\n"
        }
        if let check = node.pythonCheck {
            text += "  - name: \(yaml("Check that python3 is the version of \(SystemdEmitter.pythonPathHolder)"))\n"
            text += "    ansible.builtin.shell:\n      cmd: |\n        \(check.command) || {\n"
            text += "          echo \(Shell.quote(check.stop)) >&2; exit 1; }\n"
            text += "    changed_when: false\n    become: false\n    tags: [prereqs]\n"
        }
        return text
    }

    /// Each model's `hf download`, as the node's user, only under `--tags weights`: `never` keeps
    /// tens of GB (and the Hub's rate limits) out of a default run. hf skips files already in
    /// its cache and keeps no record of what it fetched, so the task reports ok, not changed.
    private func weights(_ node: DeployManifest.Node) -> String {
        node.downloads.map { command in
            "  - name: \(yaml("Weights of \(command.count > 2 ? command[2] : command.joined(separator: " "))"))\n"
                + "    ansible.builtin.command:\n" + sequence("argv", command, indent: 6) + "    changed_when: false\n"
                + "    become: false\n    tags: [weights, never]\n"
        }.joined()
    }

    private func handlerName(_ action: DeployManifest.Action) -> String {
        switch action {
        case .restartUnit(let unit): return "Mark \(unit) for restart"
        case .composeUp(let directory): return "Mark the compose services of \(directory) for restart"
        case .recreateService(let directory, let service): return "Mark \(service) of \(directory) for recreation"
        case .runFirewall(let path): return "Run \(path)"
        case .applyNetplan: return "Apply netplan"
        }
    }

    /// A changed unit or compose file marks its service; the services play restarts it once the
    /// node holds every secret. A changed firewall script runs at once, as the runbook's first pass does.
    private func handler(_ action: DeployManifest.Action) -> String {
        var text = "  - name: \(yaml(handlerName(action)))\n"
        switch action {
        case .restartUnit(let unit):
            text += "    ansible.builtin.set_fact:\n      \(restartFact(unit)): true\n"
        case .composeUp(let directory):
            text += "    ansible.builtin.set_fact:\n      \(recreateFact(directory)): true\n"
        case .recreateService(_, let service):
            text += "    ansible.builtin.set_fact:\n      \(forceFact(service)): true\n"
        case .runFirewall(let path):
            text += "    ansible.builtin.command:\n      cmd: \(yaml(path))\n    changed_when: true\n"
        case .applyNetplan:
            // Handlers run in the order listed: the links' addresses before the firewall script.
            text += "    ansible.builtin.command:\n      cmd: \(yaml("netplan apply"))\n    changed_when: true\n"
        }
        return text
    }

    private func restartFact(_ unit: String) -> String {
        Self.group("spark_gen_restart", unit.hasSuffix(".service") ? String(unit.dropLast(".service".count)) : unit)
    }

    private func forceFact(_ service: String) -> String { Self.group("spark_gen_force", service) }

    private func recreateFact(_ directory: String) -> String {
        Self.group("spark_gen_recreate", directory.split(separator: "/").last.map(String.init) ?? directory)
    }

    /// The README's last pass, as far as a machine can take it: every secret of the node is
    /// there (copies and minted keys are runbook steps), then the units and compose services.
    private func services(_ manifest: DeployManifest) -> String {
        var text = "- name: Start the services\n  hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n"
        for node in manifest.nodes {
            for secret in node.secrets {
                let how: String
                switch secret.origin {
                case .generated: how = "made by the secrets tag"
                case .copied(let from): how = "copied from \(from) by the runbook's hand-over step"
                case .byHand(let reason): how = reason + ", a runbook step"
                }
                let name = "Node \(node.name) holds \(secret.path)"
                let fact = "spark_gen_secret"
                text += task(
                    "Look for \(secret.path)", module: "ansible.builtin.stat", args: [("path", secret.path)],
                    tags: ["services"], extra: "    register: \(fact)\n    when: inventory_hostname == \(yaml(node.name))\n")
                text += "  - name: \(yaml(name))\n    ansible.builtin.assert:\n      that:\n"
                text += "        - \(fact).stat.exists\n        - \(fact).stat.size > 0\n"
                text += "      fail_msg: \(yaml("\(secret.path) is missing or empty on \(node.name): \(how)"))\n"
                text += "      quiet: true\n    when: inventory_hostname == \(yaml(node.name))\n    tags: [services]\n"
            }
        }
        var units: [String] = []
        var composeDirectories: [String] = []
        var recreations: [DeployManifest.Action] = []
        // The nodes each action runs on, in node order, found in the same pass: filtering every
        // node's files per action grows with the fleet times its units and directories.
        var hostsOf: [DeployManifest.Action: [String]] = [:]
        for node in manifest.nodes {
            var seen = Set<DeployManifest.Action>()
            for action in node.files.flatMap(\.onChange) {
                if seen.insert(action).inserted { hostsOf[action, default: []].append(node.name) }
                switch action {
                case .restartUnit(let unit) where !units.contains(unit): units.append(unit)
                case .composeUp(let directory) where !composeDirectories.contains(directory): composeDirectories.append(directory)
                case .recreateService where !recreations.contains(action): recreations.append(action)
                default: break
                }
            }
        }
        for unit in units {
            let hosts = hostsOf[.restartUnit(unit)] ?? []
            let when = "    when: inventory_hostname in \(flow(hosts))\n"
            text += task(
                "Restart \(unit) after its unit or a file it reads changed", module: "ansible.builtin.systemd_service",
                args: [
                    ("name", unit), ("state", "restarted"), ("daemon_reload", "true"),
                ], tags: ["services"], extra: "    when: inventory_hostname in \(flow(hosts)) and (\(restartFact(unit)) | default(false))\n")
            text += task(
                "Start \(unit)", module: "ansible.builtin.systemd_service",
                args: [
                    ("name", unit), ("state", "started"), ("enabled", "true"),
                ], tags: ["services"], extra: when)
        }
        for directory in composeDirectories {
            let hosts = hostsOf[.composeUp(directory: directory)] ?? []
            // A changed compose file recreates what it changed (Compose compares each container's
            // configuration); otherwise --no-recreate only starts what is not running, as
            // `state: started` does for a unit (docs.docker.com/reference/cli/docker/compose/up).
            let marked = "(\(recreateFact(directory)) | default(false))"
            text += task(
                "Recreate the compose services of \(directory) after compose.yaml changed", module: "ansible.builtin.command",
                args: [("cmd", "docker compose up -d"), ("chdir", directory)], tags: ["services"],
                extra: "    changed_when: true\n    when: inventory_hostname in \(flow(hosts)) and \(marked)\n")
            text += task(
                "Start the compose services of \(directory)", module: "ansible.builtin.command",
                args: [
                    ("cmd", "docker compose up -d --no-recreate"), ("chdir", directory),
                ], tags: ["services"],
                extra: "    register: spark_gen_compose\n"
                    + "    changed_when: spark_gen_compose.stderr is search('(Created|Started)')\n"
                    + "    when: inventory_hostname in \(flow(hosts)) and not \(marked)\n")
        }
        // After the compose file's own `up -d`: a service whose mounted file changed gets a new
        // container, which reads the new file (Compose alone sees no change to recreate).
        for action in recreations {
            guard case .recreateService(let directory, let service) = action else { continue }
            let hosts = hostsOf[action] ?? []
            text += task(
                "Recreate \(service) of \(directory) after a file it mounts changed", module: "ansible.builtin.command",
                args: [("cmd", "docker compose up -d --force-recreate \(service)"), ("chdir", directory)], tags: ["services"],
                extra: "    changed_when: true\n    when: inventory_hostname in \(flow(hosts)) and (\(forceFact(service)) | default(false))\n")
        }
        return text
    }

    /// Each node's verify.sh, last; a failing check fails the play.
    private func verify(_ manifest: DeployManifest) -> String {
        var text = "- name: Verify\n  hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n"
        for node in manifest.nodes {
            guard let script = node.verifyScript else { continue }
            text += task(
                "Verify \(node.name)", module: "ansible.builtin.command", args: [("cmd", script)], tags: ["verify"],
                extra: "    changed_when: false\n    when: inventory_hostname == \(yaml(node.name))\n")
        }
        return text
    }

    private func task(_ name: String, module: String, args: [(String, String)], tags: [String], extra: String = "") -> String {
        var text = ""
        task(name, module: module, args: args, tags: tags, extra: extra, into: &text)
        return text
    }

    /// Appends the task to `text` with no String made per line: the first pass has a task
    /// for every file and directory of the fleet.
    private func task(_ name: String, module: String, args: [(String, String)], tags: [String], extra: String = "", into text: inout String) {
        text += "  - name: "
        Self.yaml(name, into: &text)
        text += "\n    "
        text += module
        text += ":\n"
        for (key, value) in args {
            text += "      "
            text += key
            text += ": "
            // Booleans stay booleans, modes stay strings.
            if value == "true" || value == "false" { text += value } else { Self.yaml(value, into: &text) }
            text += "\n"
        }
        text += extra
        text += "    tags: ["
        for (index, tag) in tags.enumerated() {
            if index > 0 { text += ", " }
            text += tag
        }
        text += "]\n"
    }

    /// A YAML flow sequence of double-quoted scalars.
    private func list(_ words: [String]) -> String { "[" + words.map(yaml).joined(separator: ", ") + "]" }

    /// `key: [a, b]` on one line while it fits ansible-lint's yaml[line-length] (160 columns),
    /// else one item per line: a model's download with its revision and patterns runs longer.
    private func sequence(_ key: String, _ words: [String], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let line = "\(pad)\(key): \(list(words))"
        // A task may end up inside a block, indented further than here: keep a margin.
        guard line.count + Self.blockIndentMargin > Self.lineLength else { return line + "\n" }
        return "\(pad)\(key):\n" + words.map { "\(pad)  - \(yaml($0))\n" }.joined()
    }

    /// ansible-lint's default maximum line length (ansible-lint 26.10, ansiblelint/data/.yamllint: `line-length: max: 160`).
    static let lineLength = 160
    /// Columns a task gains when the playbook nests it in a block (two per level, two levels).
    static let blockIndentMargin = 4

    private func flow(_ names: [String]) -> String { "[" + names.map { "'\($0)'" }.joined(separator: ", ") + "]" }

    /// A YAML double-quoted scalar (JSON's escapes).
    func yaml(_ value: String) -> String {
        var out = ""
        Self.yaml(value, into: &out)
        return out
    }

    /// Appends `value` as a YAML double-quoted scalar to `out`.
    static func yaml(_ value: String, into out: inout String) {
        // Most values need no escape: one append instead of one per scalar. One pass over the
        // contiguous bytes with a switch: a closure per byte of the UTF8View was a third of this
        // function's instructions.
        var value = value
        let plain = value.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\t"): return false
                default: continue
                }
            }
            return true
        }
        out += "\""
        if plain {
            out += value
        } else {
            for character in value.unicodeScalars {
                switch character {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: out.unicodeScalars.append(character)
                }
            }
        }
        out += "\""
    }
}

import SparkPlan
import SparkSpec

/// The runbook's steps that prepare a node: copying the generated files, the prerequisites,
/// the images, the host names and the secrets made on the node.
extension RunbookEmitter {
    /// Puts the node's files in place from the machine that ran `spark-gen build`, restoring the
    /// mode of its private files.
    func writeCopy(_ node: NodePlan, files: NodeFiles, into book: inout RunbookWriter) {
        let target = node.sshTarget
        let privateFiles = files.private
        book.heading(Self.copyStep, kind: .copy)
        book.note("From the machine that ran `spark-gen build`, in the output directory:")
        var commands = [RunbookCommand("rsync -a nodes/\(node.name)\(node.stackDir)/ \(target):\(node.stackDir)/")]
        // git keeps only the executable bit, so a tree copied from a checkout loses 0600.
        let stackPrivate = privateFiles.filter { $0.hasPrefix(node.stackDir + "/") }
        if !stackPrivate.isEmpty {
            commands.append(RunbookCommand("ssh \(target) chmod 600 \(stackPrivate.joined(separator: " "))"))
        }
        // systemd units (a gateway run under systemd) go where only root writes; the netplan
        // files have a step of their own, which installs them.
        if files.all.contains(where: { $0.hasPrefix(Self.systemUnits) }) {
            let systemPrivate = privateFiles.filter { $0.hasPrefix(Self.systemUnits) }
            let chmod = systemPrivate.isEmpty ? "" : " && sudo chmod 600 \(systemPrivate.joined(separator: " "))"
            commands.append(RunbookCommand("rsync -a nodes/\(node.name)\(Self.systemUnits) \(target):/tmp/spark-gen-systemd/"))
            commands.append(
                RunbookCommand("ssh -t \(target) 'sudo cp -r /tmp/spark-gen-systemd/. /etc/systemd/system/\(chmod) && sudo systemctl daemon-reload'"))
        }
        book.commands(commands, on: .buildMachine)
        if node.lan == nil {
            book.note(
                "`\(node.sshHost)` is the node's tailnet name, which answers once the node has joined the tailnet; until then use any "
                    + "address that reaches the machine.")
        }
    }

    /// Where systemd reads the units the administrator installs.
    static let systemUnits = "/etc/systemd/system/"

    /// Docker, the GPU's container runtime, Tailscale and the Python tools the node's steps use.
    func writePrerequisites(_ node: NodePlan, into book: inout RunbookWriter) {
        let user = node.user
        book.heading("Prerequisites", kind: .prerequisites)
        switch node.hardware.gpuVendor {
        case .nvidia where node.hardware.kind == Self.guideHardware:
            book.note("Docker and the NVIDIA container toolkit come with DGX OS; on another Ubuntu install them first.")
        case .nvidia:
            book.note("Install Docker (with its compose plugin), the NVIDIA driver and the NVIDIA container toolkit first.")
        case .amd:
            book.note(
                "Install Docker (with its compose plugin) and the amdgpu driver first; the containers reach the GPU through "
                    + "`/dev/kfd` and `/dev/dri`.")
        case .none:
            book.note("Install Docker (with its compose plugin) first.")
        }
        var commands = [
            RunbookCommand("sudo usermod -aG docker \(user)   # then log out and in again: the docker commands below run as \(user)"),
            RunbookCommand(Prerequisites.tailscaleInstall),
        ]
        let packages = Prerequisites.pipPackages(node).map { $0.contains("[") || $0.contains("=") ? "'\($0)'" : $0 }
        if !packages.isEmpty {
            commands.append(
                RunbookCommand("command -v pip3 >/dev/null || sudo apt-get install -y \(Prerequisites.systemPackages(node).joined(separator: " "))"))
            commands.append(RunbookCommand(String(Prerequisites.pipInstall(Prerequisites.pipPackages(node)).dropLast())))
            if let check = Prerequisites.pythonVersionCheck(node) {
                commands.append(.check("\(check.command) || echo \(Shell.quote("STOP: " + check.stop)) >&2"))
            }
        }
        book.commands(commands)
        if !packages.isEmpty {
            book.note("A fresh account has no `~/.local/bin` on its PATH, so the steps below call these tools by their full path.")
        }
        // An AMD APU's GPU maps system memory through GTT, which the kernel sizes at part of RAM
        // unless told otherwise: the models here count on usable_gb.
        if node.hardware.gpuVendor == .amd, node.hardware.gpuMemoryGB == nil, node.clusterRoles.contains(where: { $0.kind == .head }) {
            let usable = node.hardware.usableGB
            book.note(
                "The GPU shares this node's memory, and the models here count on \(usable == usable.rounded() ? String(Int(usable)) : String(usable)) GB of it "
                    + "(`hardware.usable_gb`). The kernel lets an AMD APU's GPU map only part of RAM unless told otherwise: check what it may map, "
                    + "and raise the limit as AMD's \"RDNA3.5 system optimization\" guide describes (the TTM pages limit; Debian's "
                    + "amd-debug-tools has `amd-ttm --set`) before the models start:")
            book.commands([
                .check("cat /sys/class/drm/card*/device/mem_info_gtt_total /sys/class/drm/card*/device/mem_info_vram_total 2>/dev/null   # bytes")
            ])
        }
    }

    /// Pulls the images of the node's containers, when it has any.
    func writeImages(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        let images = ImagesStep(plan: plan, node: node)
        if !images.isEmpty {
            book.heading(ImagesStep.title, kind: .images)
            book.add(images.parts)
            book.reads(images.builds.map(\.dockerfile))
        }
    }

    /// Gives the node's peers their LAN addresses in /etc/hosts.
    func writeHostNames(_ plan: Plan, _ node: NodePlan, into book: inout RunbookWriter) {
        // A node on no LAN keeps /etc/hosts as it is: there is no address to give the names.
        if let lan = node.lan, !node.hostsEntries.isEmpty {
            book.heading("Host names on \(lan.link.label) addresses", kind: .hostNames)
            book.reads([Layout.stackPath(node, HostsEmitter.fileName)])
            let marker = "spark-gen \(plan.stackName)"
            let names = node.hostsEntries.map(\.name).joined(separator: "|")
            book.note(
                "Replaces an earlier spark-gen block and lines for the same names, and keeps the rest of `/etc/hosts`. "
                    + "Ubuntu maps the machine's own name to `127.0.1.1`, and name lookups return that line first, "
                    + "so it goes too:")
            book.commands([
                RunbookCommand("sudo sed -i '/^# BEGIN \(marker)$/,/^# END \(marker)$/d' /etc/hosts"),
                RunbookCommand("sudo sed -i -E '/^[0-9.]+[[:space:]]+(\(names))[[:space:]]*$/d' /etc/hosts"),
                RunbookCommand("sudo sed -i -E '/^127\\.0\\.1\\.1[[:space:]]+(.*[[:space:]])?\(node.name)([[:space:]]|$)/d' /etc/hosts"),
                RunbookCommand("sudo sh -c 'cat \(Layout.stackPath(node, HostsEmitter.fileName)) >> /etc/hosts'"),
            ])
            book.note(
                "If cloud-init manages the file (`manage_etc_hosts: true` in /etc/cloud/cloud.cfg), it writes the "
                    + "`127.0.1.1` line again at boot: set that to `false`.")
        }
    }

    /// Makes the secret files generated on this node, once.
    func writeSecrets(_ node: NodePlan, recipes: SecretRecipe, into book: inout RunbookWriter) {
        let user = node.user
        if !recipes.generatedFiles.isEmpty {
            book.heading("Secrets (once, on this node)", kind: .secrets)
            let shared = recipes.generatedFiles.compactMap(\.group)
            var note = "spark-gen never sees a secret. Create each file here, readable only by \(user)"
            if let group = shared.first {
                // compose reads env files as whoever runs it; docker's members can run any container anyway.
                note += " (files a compose service loads: root and the \(group) group, mode 0640, since `docker compose` reads them as whoever runs it)"
            }
            note += "; "
            note += "an existing file is kept (rotate keys deliberately). `\(SecretsManifestEmitter.fileName)` lists every secret "
            note += "file of this node as data (path, variables, readers, where the values come from):"
            book.note(note)
            let commands = recipes.generatedFiles.map { RunbookCommand(recipes.generate($0), creates: [$0.path]) }
            book.commands(commands + Self.distinct(node.operations.flatMap(\.afterSecrets)).map { RunbookCommand($0) })
        }
    }
}

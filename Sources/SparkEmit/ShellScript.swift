/// A generated bash script: the shebang, the generated-by header, strict mode, an optional
/// root check, then the body. Written in one place so every script starts the same way.
struct ShellScript {
    /// How the script treats a failing command.
    enum Strictness {
        /// `set -euo pipefail`: the first failure stops the script.
        case stopOnFailure
        /// `set -uo pipefail`: a checklist that records failures and goes on.
        case keepGoing
    }

    let header: Header
    var strictness = Strictness.stopOnFailure
    /// The exit status when not run as root, or nil for a script any user runs.
    var rootExitStatus: Int?
    var body: String

    var text: String {
        var text = "#!/usr/bin/env bash\n" + header.comment()
        text += strictness == .stopOnFailure ? "set -euo pipefail\n\n" : "set -uo pipefail\n\n"
        if let status = rootExitStatus {
            text += "if [ \"$(id -u)\" -ne 0 ]; then\n  echo \"run as root: sudo $0\" >&2\n  exit \(status)\nfi\n\n"
        }
        return text + body
    }
}

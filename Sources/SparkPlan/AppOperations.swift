/// What the operator does for one app beyond starting it with the others, and what verify.sh
/// checks of it. The app's kind says it; RunbookEmitter and VerifyEmitter render it for every
/// app alike, so an app's steps and checks live in its kind's file, not in the emitters.
public struct AppOperations: Sendable {
    /// One line of a runbook's shell block, with the files on the node it needs and makes, so
    /// the bring-up order can be checked step by step.
    public struct Command: Sendable, Equatable {
        public let line: String
        public let reads: [String]
        public let creates: [String]

        public init(_ line: String, reads: [String] = [], creates: [String] = []) {
            self.line = line
            self.reads = reads
            self.creates = creates
        }
    }

    /// A runbook step of the app's own, before the apps start (an installer the app's files need).
    public struct Step: Sendable {
        public let title: String
        /// What to know before running it, one paragraph.
        public let intro: String
        public let commands: [Command]
    }

    /// A line of the app's section of verify.sh.
    public enum Check: Sendable, Equatable {
        /// A shell function the checks after it call.
        case function(String)
        /// A comment line (for shellcheck, or saying what a function does), without its `# `.
        case comment(String)
        /// A check: what holds when the command succeeds.
        case expect(String, command: String)
    }

    /// What an app is to the node's gateway when it serves it: such an app starts in the
    /// gateway's step, before the gateway (`startBeforeGateway`), and verify.sh checks it right
    /// after the gateway, a database before a cache. Ordered as they start.
    public enum GatewayRole: Int, Sendable, Comparable {
        case database
        case cache

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var step: Step?
    /// Set for an app that serves the node's gateway (its database, its cache); nil for an app
    /// that starts with the others in the Apps step.
    public var servesGateway: GatewayRole?
    /// Lines of the gateway's step that start the app before the gateway, and wait for it.
    public var startBeforeGateway: [Command] = []
    /// Compose services the app's own lines start (in the gateway's step), which the Apps step
    /// leaves out.
    public var startedElsewhere: [String] = []
    /// Lines of the Secrets step, once the secret files exist (a self-signed certificate).
    public var afterSecrets: [Command] = []
    /// Lines of the Apps step before `docker compose up` (folders the containers mount, a registry login).
    public var beforeStart: [Command] = []
    /// Lines after it: waiting until the app answers.
    public var afterStart: [Command] = []
    /// Images the app pulls in its own lines (after a registry login they need), which the
    /// runbook's Images step leaves out.
    public var pulledByItself: [String] = []
    /// Paragraphs after the Apps step's commands.
    public var notes: [String] = []
    /// Bullets of the runbook's last step on a catalog's node: where the app departs from
    /// spark-control's own setup (spark-vllm-docker, NIMs published on the LAN).
    public var catalogDifferences: [String] = []
    /// Paragraphs of the runbook's step for a node that replaces the hand-made split-trust
    /// stack: what the app kept from that setup and how to undo it.
    public var fromHandMadeStack: [String] = []
    /// What the app holds besides the gateway's keys, as a clause of the runbook's last step on a
    /// node that may replace a hand-made stack ("Hermes WebUI gets a password").
    public var ownCredential: String?
    /// The title of the app's section in verify.sh, and its lines; no section without checks.
    public var checkSection: String = ""
    public var checks: [Check] = []

    public init() {}
}

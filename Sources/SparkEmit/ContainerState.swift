/// verify.sh's check that a model's container runs: Docker reports one in restart back-off as
/// running to `State.Running`, so the check reads State.Status and State.Restarting, and a
/// container that does not run gets its state and last log lines printed under the failure.
enum ContainerState {
    static let logLines = 20

    static let function = #"""

        # container_runs NAME: the container runs and is not in a restart loop; else prints its
        # state and its last log lines (why it died at start).
        container_runs() {
          local state
          state=$(docker inspect -f '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}' "$1" 2>&1) || { echo "no container $1"; return 1; }
          case $state in "running false "*) return 0 ;; esac
          echo "status, restarting, restarts: $state; the last \#(logLines) lines of its log:"
          docker logs --tail \#(logLines) "$1" 2>&1 | sed 's/^/      /'
          return 1
        }

        """#

    /// The check of one container, with the reason under a failure.
    static func check(_ container: String) -> String {
        let what = "container \(container) runs (not exited, not restarting)"
        return "if why=$(container_runs \(Shell.quote(container))); then pass \(Shell.quote(what)); else fail \(Shell.quote(what + ": "))\"$why\"; fi\n"
    }
}

import SparkPlan

/// `scripts/wait-ready.sh CONTAINER URL SECONDS` for each node that runs compose services: the
/// runbook's readiness waits.
///
/// A plain `until curl …` waits the whole time for a container that died at start. Docker
/// restarts a container of `restart: unless-stopped` after a crash, with a growing back-off,
/// and `docker inspect` shows it (State.Restarting, a RestartCount that grows, or
/// State.Status `exited`/`dead` for one that stays down): the wait stops there and prints the
/// container's last log lines, where the reason is (a flag the image refuses, out of memory).
struct WaitReadyEmitter {
    static let fileName = Workload.waitReadyScript
    static let logLines = 40

    /// The runbook line that waits for `container` to answer at `url`.
    static func line(_ node: NodePlan, container: String, url: String, seconds: Int) -> String {
        "\(Layout.stackPath(node, fileName)) \(Shell.quote(container)) \(Shell.quote(url)) \(seconds)"
    }

    /// Nodes whose runbook waits for a container: a model's compose service, LiteLLM's
    /// container, an app whose start step waits with it.
    static func needed(_ node: NodePlan) -> Bool {
        let script = Layout.stackPath(node, fileName)
        return node.litellm?.container != nil
            || node.clusterRoles.contains { $0.kind == .head && $0.cluster.serviceName != nil }
            || node.operations.flatMap(\.afterStart).contains { $0.reads.contains(script) }
    }

    func artifacts(for plan: Plan) -> [Artifact] {
        plan.nodes.compactMap { node in
            guard Self.needed(node) else { return nil }
            let header = Header(
                plan, node: node.name,
                about: [
                    "Waits until a container's URL answers, and stops early when the container exits or",
                    "restarts (a crash at start), printing its last log lines. Run as \(node.user), as the runbook does.",
                ])
            return Artifact(path: Layout.stackFile(node, Self.fileName), contents: ShellScript(header: header, body: Self.body).text, mode: .executable)
        }
    }

    static let body = #"""
        if [ $# -ne 3 ]; then
          echo "usage: $0 CONTAINER URL SECONDS" >&2
          exit 2
        fi
        container=$1 url=$2 seconds=$3

        # state: "STATUS RESTARTING RESTART_COUNT", or "missing false 0" when there is no such container.
        state() { docker inspect -f '{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}' "$container" 2>/dev/null || echo 'missing false 0'; }
        last_log() {
          echo "--- the last \#(logLines) lines of 'docker logs $container':" >&2
          docker logs --tail \#(logLines) "$container" 2>&1 | sed 's/^/  /' >&2 || true
        }

        read -r status restarting restarts <<<"$(state)"
        first=$restarts
        deadline=$((SECONDS + seconds))
        until curl -fsS --max-time 5 -o /dev/null "$url" 2>/dev/null; do
          read -r status restarting restarts <<<"$(state)"
          if [ "$status" = missing ]; then
            echo "$container: no such container" >&2
            exit 1
          fi
          if [ "$restarting" = true ] || [ "$restarts" -gt "$first" ] || [ "$status" = exited ] || [ "$status" = dead ]; then
            echo "$container stopped at start (status $status, restarting $restarting, $((restarts - first)) restart(s) while waiting): not waiting for $url" >&2
            last_log
            exit 1
          fi
          if [ "$SECONDS" -ge "$deadline" ]; then
            echo "$container runs, but $url did not answer within $seconds s" >&2
            last_log
            exit 1
          fi
          sleep 2
        done
        echo "$container answers at $url"

        """#
}

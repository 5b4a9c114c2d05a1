"""Runs a generated catalog's scripts/swap.sh for real, against stand-ins for Docker, ssh and vLLM.

  swap_check.py --tree OUT_DIR --intent TRUST_JSON [--node NODE] [--fail-fast] [--only CHECK]

OUT_DIR is a tree written by `spark-gen build`, TRUST_JSON `spark-gen trust --format json` for
the same topology (it says which node has which address, for ssh). NODE is the node whose
scripts/swap.sh is run (default: every node that has one).

Nothing in the tree is edited. The script runs unchanged at its node path, in a private
network namespace and a private mount namespace whose /home is a scratch copy of the node's
/home from the tree; the head's launch scripts (scripts/vllm-head-*.sh) run unchanged too.
On PATH first:

  docker  a stand-in that keeps containers as files (per node) and logs every call:
          `rm -f A B` removes them (and, like Docker, fails for one that does not exist),
          `run -d ... --name X ... IMAGE ...` refuses a name in use and a missing --env-file,
          reads the served name (--served-model-name) from the entrypoint the run mounts at
          /opt/spark-gen/entrypoint.sh, and starts X in the mode the check sets: serve (the
          API lists it a second later), die (it exits at once), hang (it runs, never listed),
          restarting (restart back-off: State.Restarting and State.Running true, as moby's
          container/state.go SetRestarting sets them) or crashloop (State.Status running while
          RestartCount grows); a vLLM whose --host/--port a running container holds dies
          (address in use); `inspect -f FORMAT X` fills {{.State.Running}}, {{.State.Status}},
          {{.State.Restarting}}, {{.RestartCount}} and {{.State.ExitCode}}; `logs` prints a
          marker line; `compose -f F restart S` is recorded.
  ssh     a stand-in that logs user@host and the command, and runs the command with bash on
          the node that has that address (from the intent), in a mount namespace of its own
          whose /home is that node's copy: the worker's own scripts run, unchanged, against
          the same stand-in docker. When that node has scripts/ssh-gate-CALLER.sh, the gate
          runs instead with the command in SSH_ORIGINAL_COMMAND, as sshd runs a key whose
          authorized_keys line says command=GATE. An address of no node fails as ssh would
          (exit 255).
  logger  a stand-in that records each line (the gates log what they run and refuse).

The stand-in vLLM API listens on the address and port of the script's url= line (an
interface with that address exists only in the private namespace) and answers GET on its
path with `{"object":"list","data":[{"id":SERVED,...}]}` in compact JSON, as vLLM does, for
every model the head serves.

Checks, in order (the state carries over from one to the next):
  table    the script's case table (container=...; served=...) names, per model, the container
           its launch script starts and the --served-model-name of that script's entrypoint
  start    `swap.sh FIRST` from nothing starts FIRST and exits 0 once the API lists it
  swap     `swap.sh CLUSTER` (a model with workers) while FIRST serves: removes every catalog
           container on the head, then the workers' containers over ssh (as the user and to
           the address of the worker), then runs the worker's script over ssh before the head's
           script, exits 0 once the API lists CLUSTER; FIRST is gone, CLUSTER and its workers run
  again    the same swap again: exit 0, "already serves", and no docker or ssh call at all
  dies     a model whose container exits without serving: non-zero exit naming the failure,
           its logs printed, it removed, and the model that served before serving again
  restarting, crashloop  the same for a container in restart back-off and one that crash-loops
           (both "running" to State.Running), well before the time-out
  lock     a second swap while one runs exits non-zero at once, naming the model and client
           of the swap that holds the lock
  worker   a model with workers whose worker container exits while the head waits: non-zero
           exit well before the time-out, saying a worker is not running
  workers down  with the workers' addresses unreachable: a single-node swap exits 0 without
           any ssh; a swap to a model with workers exits non-zero before anything stops
  usage    `swap.sh nosuch`: exit 2 with the usage, which names every model; nothing touched
  timeout  SWAP_TIMEOUT=3 and a container that runs but is never listed: non-zero exit, saying so
  gates    every scripts/ssh-gate-*.sh: each line it allows is of a known shape (a swap, a
           model's logs or state, a worker's stop or start, a speech service's restart); run as
           sshd runs a forced command, requests outside its
           lines (; && | $( ) backquotes, newline, other models, path tricks, no request) are
           refused, run nothing and are logged; its harmless lines run exactly their command;
           scripts/ssh-authorize.sh installs each holder's key with the gate's options; every
           ssh command of models.yaml is a line of the panel's gate on its node

--only CHECK (gates, lock, restarting, worker) runs that check alone, after the start: a break
case of it need not run the checks before it again, which the unbroken tree proved; they leave
a model serving, as the start does (gates: not even the start, only the started harness).

Every run is bounded (a process group killed at its time-out); the namespace, the stub and
the scratch files are removed also on failure. Prints a line per check and lastly
`swap: N passed, M failed`; exits 1 on a failure, 2 on a usage error. A tree without
scripts/swap.sh gives a `note ... not applicable` line and `swap: 0 passed, 0 failed`.
"""
import argparse
import json
import os
import sys

# The package swap_proof/ beside this file, whatever the cwd and however Python was started.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from swap_proof.harness import FailFast, Results  # noqa: E402
from swap_proof.fakes import fake_docker, fake_ssh, stub  # noqa: E402
from swap_proof.node import check_node  # noqa: E402

ONLY = ["gates", "lock", "restarting", "worker"]


def main():
    if len(sys.argv) > 2 and sys.argv[1] in ("fake-docker", "fake-ssh"):
        tool = fake_docker if sys.argv[1] == "fake-docker" else fake_ssh
        return tool(sys.argv[2], sys.argv[3:])
    if len(sys.argv) == 7 and sys.argv[1] == "stub":
        return stub(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--intent", required=True)
    parser.add_argument("--node", action="append")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop after the first check that fails (a break case: the later checks, proven on the "
                             "unbroken tree, depend on the state the earlier ones leave)")
    parser.add_argument("--only", choices=ONLY,
                        help="only this check, after the start (a break case of it: the checks before it, proven on the "
                             "unbroken tree, leave no state it uses but a model serving)")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        print("swap_check: network and mount namespaces need root", file=sys.stderr)
        return 2
    tree = os.path.abspath(arguments.tree)
    intent = json.load(open(arguments.intent))
    nodes = [entry["name"] for entry in intent["nodes"]
             if os.path.isfile(os.path.join(tree, "nodes", entry["name"], entry["stack_dir"].lstrip("/"), "scripts", "swap.sh"))]
    if arguments.node:
        unknown = [node for node in arguments.node if node not in nodes]
        if unknown:
            print(f"swap_check: no scripts/swap.sh on {', '.join(unknown)}", file=sys.stderr)
            return 2
        nodes = arguments.node
    results = Results(arguments.fail_fast)
    if not nodes:
        print("note  not applicable: no node of the tree has scripts/swap.sh")
    try:
        for node in nodes:
            check_node(tree, intent, node, results, only=arguments.only)
    except FailFast:
        print("note  stopped after the first failing check (--fail-fast)")
    print(f"swap: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())

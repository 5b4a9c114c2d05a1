"""swap.sh on one node (swap_check.py): switching to each model and back, what it must run
and stop, and how it fails when a model does not start.
"""
import glob
import os
import re
import subprocess
import time

from swap_proof.harness import (EARLY, EARLY_TIMEOUT, Harness, SWAP_TIMEOUT, docker_calls, failed_start,
    read_swap, run_name, transcript)
from swap_proof.gates import check_gates


def check_node(tree, intent, node, results, only=None):
    """Every check below on NODE's swap.sh. With `only` (a break case of one check), the start
    and that check alone: restarting (and crashloop), lock and worker (worker dies, workers
    down) need only a model serving, which the start leaves, as every check before them does;
    gates need only the started harness. The unbroken tree proved the checks left out."""
    def wanted(stage):
        # Stages no --only choice names (swap, dies, usage, timeout) run only in the whole
        # proof: a break case of one check skips them, the unbroken tree proved them.
        return only is None or stage == only
    path = os.path.join(tree, "nodes", node, intent_stack_dir(intent, node).lstrip("/"), "scripts", "swap.sh")
    label = f"{node}: "
    try:
        swap = read_swap(path)
    except (OSError, ValueError) as error:
        results.check(label + "swap.sh readable", [str(error)])
        return
    if only == "gates":
        harness = Harness(tree, intent, node, swap)
        try:
            harness.start()
            check_gates(tree, intent, harness, results)
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            results.check(label + "harness", [str(error)])
        finally:
            harness.cleanup()
        return
    scripts = os.path.join(os.path.dirname(path))
    models = swap["models"]
    containers = [container for _, container, _ in models]

    # table: the case table against the launch scripts and their entrypoints.
    problems = []
    for model, container, served in models:
        launch = os.path.join(scripts, f"vllm-head-{model}.sh")
        entrypoint = os.path.join(scripts, f"vllm-head-{model}-entrypoint.sh")
        if f'"$stack_dir/scripts/vllm-head-{model}.sh"' not in swap["launches"].get(model, ""):
            problems.append(f"{model}: its launch branch does not run scripts/vllm-head-{model}.sh")
        if not os.path.isfile(launch) or not os.path.isfile(entrypoint):
            problems.append(f"{model}: no scripts/vllm-head-{model}.sh or its entrypoint")
            continue
        started = re.search(r"^container=(\S+)$", open(launch).read(), re.M)
        if not started or started.group(1) != container:
            problems.append(f"{model}: the table says container {container}, its launch script starts {started and started.group(1)}")
        named = re.search(r"--served-model-name[ =](\S+)", open(entrypoint).read())
        if not named or named.group(1) != served:
            problems.append(f"{model}: the table says served {served}, its entrypoint serves {named and named.group(1)}")
    results.check(label + f"table: {len(models)} models, each its launch script's container and its entrypoint's served name", problems)

    # Models with workers: their launch branch runs a script over ssh.
    cluster = [(m, c, s) for m, c, s in models if re.search(r"^\s*ssh .* \S+@\S+ \S+", swap["launches"].get(m, ""), re.M)]
    solo = [(m, c, s) for m, c, s in models if (m, c, s) not in cluster]
    workers = {}   # worker node -> its catalog containers (container= of its vllm-worker*.sh)
    for other in intent["nodes"]:
        if other["name"] == node:
            continue
        for script in sorted(glob.glob(os.path.join(tree, "nodes", other["name"], other["stack_dir"].lstrip("/"), "scripts", "vllm-worker*.sh"))):
            if script.endswith("-entrypoint.sh"):
                continue
            match = re.search(r"^container=(\S+)$", open(script).read(), re.M)
            if match:
                workers.setdefault(other["name"], []).append(match.group(1))
    addresses = {interface["ip"]: entry["name"] for entry in intent["nodes"] for interface in entry["interfaces"]}
    owner = os.path.basename(os.path.dirname(intent_stack_dir(intent, node)))

    harness = Harness(tree, intent, node, swap)
    try:
        harness.start()
        for note in harness.notes:
            print(f"note  {label}{note}")
        first = solo[0] if solo else models[0]

        # start: from nothing.
        code, out, err, seconds, calls = result = harness.swap(first[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        problems = []
        if code != 0:
            problems.append(f"exit {code}, want 0")
        if not harness.containers(node).get(first[1], {}).get("running"):
            problems.append(f"{first[1]} does not run")
        results.check(label + f"start: swap.sh {first[0]} from nothing starts {first[1]} and exits 0 once listed", problems,
                      transcript(*result) if problems else "")

        # swap: to a model with workers (or another solo model when the catalog has none).
        target = cluster[0] if cluster else (solo[1] if len(solo) > 1 else None)
        if target is not None and wanted("swap"):
            code, out, err, seconds, calls = result = harness.swap(target[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
            problems = []
            if code != 0:
                problems.append(f"exit {code}, want 0")
            if f"serves as {target[2]}" not in out:
                problems.append(f"stdout does not say it serves as {target[2]}")
            removals = [index for index, call in docker_calls(calls, node, "rm")
                        if set(containers) <= set(word for word in call["argv"][1:] if not word.startswith("-"))]
            if not removals:
                problems.append(f"no `docker rm -f` of every catalog container ({' '.join(containers)}) on {node}")
            stop_at = removals[0] if removals else None
            head_runs = [index for index, call in docker_calls(calls, node, "run") if run_name(call) == target[1]]
            if len(head_runs) != 1:
                problems.append(f"{len(head_runs)} `docker run` of {target[1]} on {node}, want 1")
            for worker, names in (workers.items() if cluster else []):
                ssh_calls = [(index, call) for index, call in enumerate(calls) if call["tool"] == "ssh" and call["to"] == worker]
                wrong_user = [call for _, call in ssh_calls if call["user"] != owner]
                if wrong_user:
                    problems.append(f"ssh to {worker} as {wrong_user[0]['user']!r}, want {owner!r}")
                stops = [index for index, call in docker_calls(calls, worker, "rm")
                         if set(names) <= set(word for word in call["argv"][1:] if not word.startswith("-"))]
                starts = [index for index, call in docker_calls(calls, worker, "run") if run_name(call) in names]
                if not ssh_calls:
                    problems.append(f"no ssh to {worker}")
                if not stops:
                    problems.append(f"no `docker rm -f {' '.join(names)}` on {worker} (over ssh)")
                if not starts:
                    problems.append(f"no `docker run` of {' '.join(names)} on {worker} (over ssh)")
                if stops and stop_at is not None and stops[0] < stop_at:
                    problems.append(f"{worker}'s containers were removed before the head's")
                if stops and starts and not stops[0] < starts[0]:
                    problems.append(f"{worker}'s container started before the catalog was stopped there")
                if starts and head_runs and not starts[-1] < head_runs[0]:
                    problems.append(f"the head's {target[1]} started before {worker}'s worker")
                if stops and starts:
                    # The ssh calls that made them: the worker's own calls follow the ssh that ran them.
                    rm_ssh = max((index for index, _ in ssh_calls if index < stops[0]), default=None)
                    run_ssh = max((index for index, _ in ssh_calls if index < starts[0]), default=None)
                    if rm_ssh is None or run_ssh is None or rm_ssh == run_ssh:
                        problems.append(f"{worker}: the stop and the worker's script did not come from separate ssh calls")
                    elif not re.search(r"(^|/)vllm-worker[^/ ]*\.sh$", calls[run_ssh]["command"].split()[0] if calls[run_ssh]["command"] else ""):
                        problems.append(f"{worker}: the ssh that started the worker ran {calls[run_ssh]['command']!r}, not its vllm-worker script")
                for name in names:
                    if not harness.containers(worker).get(name, {}).get("running"):
                        problems.append(f"{name} does not run on {worker} afterwards")
            for _, call in [(i, c) for i, c in enumerate(calls) if c["tool"] == "ssh"]:
                if call["to"] is None or addresses.get(call["host"]) != call["to"]:
                    problems.append(f"ssh to {call['host']}, the address of no node")
            state = harness.containers(node)
            if first[1] in state:
                problems.append(f"{first[1]} is still there afterwards")
            if not state.get(target[1], {}).get("running"):
                problems.append(f"{target[1]} does not run afterwards")
            kind = f"its workers' ({', '.join(f'{n}@{w}' for w, ns in workers.items() for n in ns)}) over ssh as {owner}, then the worker script over ssh before the head's" if cluster else "then starts it"
            results.check(label + f"swap: swap.sh {target[0]} while {first[0]} serves stops every catalog container on {node}, {kind}, exits 0 once listed",
                          problems, transcript(*result) if problems else "")

            # again: nothing to do.
            code, out, err, seconds, calls = result = harness.swap(target[0])
            problems = []
            if code != 0:
                problems.append(f"exit {code}, want 0")
            if "already serves" not in out:
                problems.append("stdout does not say it already serves")
            if calls:
                problems.append(f"{len(calls)} docker/ssh call(s), want none")
            results.check(label + f"again: swap.sh {target[0]} again exits 0, stopping and starting nothing", problems,
                          transcript(*result) if problems else "")

        # dies: a container that exits without serving; the model that served before comes back.
        serving = target if target is not None else first
        dying = next((m for m in reversed(solo) if m != serving), models[-1])
        if wanted("dies"):
            harness.set_modes({dying[1]: "die"})
            code, out, err, seconds, calls = result = harness.swap(dying[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
            problems = failed_start(harness, node, code, err, calls, dying, serving)
            if "(docker: exited" not in err:
                problems.append("stderr does not say docker reports it exited")
            results.check(label + f"dies: swap.sh {dying[0]} whose container exits unserved exits non-zero with its logs, "
                          f"and {serving[0]}, which served before, serves again", problems, transcript(*result) if problems else "")

        # restarting, crash loop: Docker says State.Running=true for both; the swap stops early all the same.
        harness.set_modes({})
        code, out, err, seconds, calls = result = harness.swap(first[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
        if code != 0:
            results.check(label + f"back to {first[0]}", [f"exit {code}, want 0"], transcript(*result))
        failing = next((m for m in reversed(solo) if m != first), None)
        for mode, says in (("restarting", "(docker: restarting"), ("crashloop", "(docker: running ")):
            if failing is None or not wanted("restarting"):
                break
            harness.set_modes({failing[1]: mode})
            code, out, err, seconds, calls = result = harness.swap(failing[0], environment={"SWAP_TIMEOUT": str(EARLY_TIMEOUT)})
            problems = failed_start(harness, node, code, err, calls, failing, first)
            if seconds >= EARLY or "did not answer within" in err:
                problems.append(f"took {seconds:.1f} s, want less than {EARLY} (State.Running=true kept it waiting for its "
                                f"{EARLY_TIMEOUT} s time-out)")
            if says not in err:
                problems.append(f"stderr does not say docker reports {says.strip('( ')}")
            what = "in restart back-off (Restarting, Running=true)" if mode == "restarting" else "crash-looping (running, RestartCount growing)"
            results.check(label + f"{mode}: swap.sh {failing[0]} whose container is {what} fails in {seconds:.1f} s with its logs, "
                          f"and {first[0]} serves again", problems, transcript(*result) if problems else "")

        # lock: a second swap while one runs exits non-zero at once, saying who holds the lock.
        if failing is not None and wanted("lock"):
            harness.set_modes({failing[1]: "hang"})
            lock = harness.node_file(node, swap["stack_dir"] + "/swap.lock")
            if os.path.exists(lock):
                os.remove(lock)   # an earlier swap's line would satisfy the wait below
            begun = harness.begin(failing[0], environment={"SWAP_TIMEOUT": "6", "SSH_CLIENT": "192.0.2.7 40000 22"})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and f"swap to {failing[0]}" not in (open(lock).read() if os.path.exists(lock) else ""):
                time.sleep(0.1)
            code, out, err, seconds, calls = result = harness.swap(first[0])
            first_result = harness.finish(begun)
            problems = []
            if code in (0, None):
                problems.append(f"the second swap: exit {code}, want non-zero")
            if f"swap to {failing[0]}" not in err or "192.0.2.7" not in err:
                problems.append("the second swap does not say which swap (model, from where) holds the lock")
            if seconds > 10:
                problems.append(f"the second swap took {seconds:.1f} s: it waited instead of refusing")
            if first_result[0] in (0, None):
                problems.append(f"the first swap (to a model never listed): exit {first_result[0]}, want non-zero")
            if not harness.containers(node).get(first[1], {}).get("running"):
                problems.append(f"{first[1]} does not run afterwards")
            results.check(label + f"lock: swap.sh {first[0]} while a swap to {failing[0]} runs exits non-zero at once, naming the holder",
                          problems, transcript(*result) + "\nfirst swap:\n" + transcript(*first_result) if problems else "")

        # worker dies: a model with workers whose worker exits while the head waits for its GPU.
        if cluster and workers and wanted("worker"):
            worker_containers = [name for names in workers.values() for name in names]
            harness.set_modes({cluster[0][1]: "hang", **{name: "die" for name in worker_containers}})
            code, out, err, seconds, calls = result = harness.swap(cluster[0][0], environment={"SWAP_TIMEOUT": str(EARLY_TIMEOUT)})
            problems = []
            if code in (0, None):
                problems.append(f"exit {code}, want non-zero")
            if seconds >= EARLY or "did not answer within" in err:
                problems.append(f"took {seconds:.1f} s, want less than {EARLY} (it waited for its {EARLY_TIMEOUT} s time-out instead)")
            if "a worker of" not in err:
                problems.append("stderr does not say a worker is not running")
            if not harness.containers(node).get(first[1], {}).get("running"):
                problems.append(f"{first[1]}, which served before, does not run afterwards")
            results.check(label + f"worker dies: swap.sh {cluster[0][0]} whose worker exits fails in {seconds:.1f} s, not at the time-out", problems,
                          transcript(*result) if problems else "")

            # workers down: a single-node swap asks no worker; a swap that needs one stops nothing.
            harness.set_modes({})
            other = next((m for m in solo if m != first), None)
            harness.set_unreachable(list(workers))
            try:
                if other is not None:
                    code, out, err, seconds, calls = result = harness.swap(other[0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
                    problems = []
                    if code != 0:
                        problems.append(f"exit {code}, want 0")
                    asked = [call for call in calls if call["tool"] == "ssh"]
                    if asked:
                        problems.append(f"{len(asked)} ssh call(s) for a single-node model, want none: {asked[0]['command']!r}")
                    results.check(label + f"workers down: swap.sh {other[0]} (one node) with {', '.join(workers)} unreachable exits 0 "
                                  "and asks no worker", problems, transcript(*result) if problems else "")
                    serving = other
                else:
                    serving = first
                code, out, err, seconds, calls = result = harness.swap(cluster[0][0], environment={"SWAP_TIMEOUT": str(SWAP_TIMEOUT)})
                problems = []
                if code in (0, None):
                    problems.append(f"exit {code}, want non-zero")
                if "does not answer" not in err:
                    problems.append("stderr does not say the worker does not answer")
                if docker_calls(calls, node, "rm") or docker_calls(calls, node, "run"):
                    problems.append("it stopped or started a container although it could not start the model")
                if not harness.containers(node).get(serving[1], {}).get("running"):
                    problems.append(f"{serving[1]} does not run afterwards")
                results.check(label + f"workers down: swap.sh {cluster[0][0]} with {', '.join(workers)} unreachable exits non-zero "
                              f"before anything stops; {serving[0]} keeps serving", problems, transcript(*result) if problems else "")
            finally:
                harness.set_unreachable([])

        # usage: an unknown model.
        if wanted("usage"):
            code, out, err, seconds, calls = result = harness.swap("nosuch")
            problems = []
            if code != 2:
                problems.append(f"exit {code}, want 2")
            usage = next((line for line in err.splitlines() if line.startswith("usage:")), "")
            if not usage:
                problems.append("no usage on stderr")
            missing = [model for model, _, _ in models if not re.search(rf"[ (]{re.escape(model)}[ )]", usage)]
            if usage and missing:
                problems.append(f"the usage does not name {', '.join(missing)}")
            if calls:
                problems.append(f"{len(calls)} docker/ssh call(s), want none")
            results.check(label + "usage: swap.sh nosuch exits 2 with the usage naming every model, touching nothing", problems,
                          transcript(*result) if problems else "")

        # timeout: runs, never listed.
        if wanted("timeout"):
            hanging = solo[-2] if len(solo) > 1 else dying
            harness.set_modes({hanging[1]: "hang"})
            code, out, err, seconds, calls = result = harness.swap(hanging[0], environment={"SWAP_TIMEOUT": "3"})
            problems = []
            if code in (0, None):
                problems.append(f"exit {code}, want non-zero")
            if seconds > 40:
                problems.append(f"took {seconds:.1f} s, want at most 40")
            if "did not answer within 3s" not in err:
                problems.append("stderr does not say it did not answer in time")
            results.check(label + f"timeout: SWAP_TIMEOUT=3, {hanging[0]} runs but is never listed: non-zero exit in {seconds:.1f} s", problems,
                          transcript(*result) if problems else "")
        if wanted("gates"):
            check_gates(tree, intent, harness, results)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        results.check(label + "harness", [str(error)])
    finally:
        harness.cleanup()


def intent_stack_dir(intent, node):
    return next(entry["stack_dir"] for entry in intent["nodes"] if entry["name"] == node)

"""Routing between models in the LiteLLM proof (litellm_check.py, step 8): fallbacks,
max_parallel_requests and model_group_alias, each proven end to end against the stubs.
"""
import json
import re
import secrets
import threading
import time

from litellm_proof.harness import (ARRIVE_TIMEOUT, DOWN_TIMEOUT, HOLD, RECOVERY_TIMEOUT, REQUEST_TIMEOUT,
    SPILL_WITHIN, say, wait_until)
from litellm_proof.tree import server_slots
from litellm_proof.backends import chat, error_text, read_stream


def answered_by(plan, content, delta):
    """The model_name whose stub gave this answer: the stub names the model it served, and its
    api_base is the one whose stub logged the request (delta: {upstream: new chat requests})."""
    match = re.search(r"answered model (\S+)$", content or "")
    if not match:
        return None
    names = [name for name, upstream in plan.routes if plan.served.get(name) == match.group(1)]
    reached = [name for name, upstream in plan.routes if name in names and delta.get(upstream)]
    return (reached or names or [None])[0]


def ask(plan, stubs, base, key, name, stream=False, timeout=REQUEST_TIMEOUT, prompt=None):
    """chat() and which stubs logged a chat request meanwhile: (status, content, body, seconds, delta)."""
    before = stubs.counts()
    status, content, body, elapsed = chat(base, key, name, stream, timeout=timeout, prompt=prompt)
    after = stubs.counts()
    return status, content, body, elapsed, {upstream: after[upstream] - before[upstream]
                                             for upstream in after if after[upstream] != before[upstream]}


def outcome(plan, nonce, status, content, body, delta):
    """How LiteLLM answered, for a line: '200 from MODEL' or 'STATUS error', and the stubs it reached."""
    if status == 200 and content is not None and nonce in content:
        shown = f"200 from {answered_by(plan, content, delta) or 'no known stub'}"
    elif status is None:
        shown = f"no answer ({body})"
    else:
        text = body if isinstance(body, str) else json.dumps(body)
        shown = f"{status} {error_text(body) if not (isinstance(body, str) and text.startswith('data:')) else 'stream ' + (read_stream(text)[2] or ['without an error event'])[0][:200]}"
    reached = ", ".join(f"{host}:{port}" for host, port in sorted(delta))
    return shown + f", stubs reached: {reached or 'none'}"


def expect_model(plan, nonce, upstream_of, result, expected):
    """Whether the answer is expected's, from expected's stub alone, once."""
    status, content, body, elapsed, delta = result
    return (status == 200 and content is not None and nonce in content
            and answered_by(plan, content, delta) == expected
            and delta == {upstream_of[expected]: 1})


def expect_refusal(nonce, result):
    """Whether the answer is an error status that no stub answered and no stub received."""
    status, content, body, elapsed, delta = result
    text = body if isinstance(body, str) else json.dumps(body)
    return status is not None and status >= 400 and status not in (401, 403) and nonce not in text and not delta


def routing_checks(plan, base, key, nonce, stubs):
    """Yield (ok, description) of what the config routes between models, end to end:

      spill    a model with max_parallel_requests N and a chain: its stub made slow (HOLD s a
               request), N requests held in flight there, one more (plain, then streamed) is
               answered within SPILL_WITHIN by the stub of the chain's first model and reaches
               no other; the held ones are answered by the model's own stub after HOLD, which
               received exactly those N; then, the stub fast again, the model answers from its
               own stub (its slots are free, no cooldown). A model with a chain and no cap whose
               server's slots the tree states (llama-server --parallel, vllm --max-num-seqs) is
               held at those slots and must spill the same way: without a cap the next request
               would queue inside the server, where no fallback sees it;
      outage   a model with a chain whose backend is down is answered by the first model of its
               chain (plain and streamed), and with that one down too, by the next (LiteLLM
               follows a target's own chain first: Plan.chain), and so on down the chain;
               afterwards the model answers from its own stub again;
      senior   a model whose chain is written empty (under its name or a route alias's) with its
               backend down: asked by its name and by each alias, plain and streamed, the client
               gets an error status (its code is shown) and no stub receives the request;
      alias    each model_group_alias carries the chain of the model it names (LiteLLM looks
               fallbacks up under the name the client called), answers from that model's stub,
               and with that model down from the first model of its chain (or, with none, an
               error that reaches no stub).

    Models without a chain still fail alone when down: that is down_checks'."""
    routes = {}
    for name, upstream in plan.routes:
        routes.setdefault(name, []).append(upstream)
    many = sorted(name for name, upstreams in routes.items() if len(upstreams) > 1
                  and (plan.chain(name) or name in plan.caps or name in plan.aliases.values()))
    if many:
        yield False, (f"routing: {', '.join(many)} have more than one deployment: LiteLLM picks one at random, "
                      "whatever its cap, so a spill is not reliable (and this check models one per name)")
        return
    upstream_of = {name: upstreams[0] for name, upstreams in routes.items()}
    names = list(dict.fromkeys(plan.model_names))
    seniors = plan.seniors()
    unknown = sorted({target for targets in plan.fallbacks.values() for target in targets if target not in upstream_of}
                     | {model for model in plan.aliases.values() if model not in upstream_of})
    if unknown:
        yield False, f"routing: the fallbacks or aliases name {', '.join(unknown)}, which model_list does not route"
    catch_all = "*" in plan.fallbacks or plan.router_settings.get("default_fallbacks")
    yield (not catch_all, "routing: no catch-all chain ('*' or default_fallbacks), which would take every model "
           "without a chain of its own, the senior ones included" + (" (there is one!)" if catch_all else ""))

    # spill: a busy model's next request goes to its fallback at once.
    for name in names:
        order = [target for target in plan.chain(name) if target in upstream_of]
        cap = plan.caps.get(name)
        if name in seniors:
            continue
        if not order:
            if cap is not None:
                say(f"note: spill: model={name} has max_parallel_requests {cap} and no fallbacks: past it the client gets 429 (not checked)")
            continue
        upstream, target = upstream_of[name], order[0]
        slots = server_slots(plan, upstream)
        if cap is None and slots is None:
            say(f"note: spill: model={name} falls back but has no max_parallel_requests, and no command in the tree "
                "states its server's slots: not checked")
            continue
        held = cap if cap is not None else slots[0]
        label = (f"spill: model={name} (max_parallel_requests {cap})" if cap is not None else
                 f"spill: model={name} (no max_parallel_requests; its server runs {held} at once: {slots[1]})")
        if upstream_of[target] == upstream:
            say(f"note: {label}: its first fallback {target} has the same api_base, which is slow too")
        start_count = stubs.chat_requests(upstream)
        stubs.stop(upstream)
        stubs.start(upstream, delay=HOLD)
        prompts = [f"hold {index} {secrets.token_hex(8)}" for index in range(held)]
        results = [None] * held
        def run(index):
            results[index] = chat(base, key, name, timeout=HOLD + REQUEST_TIMEOUT, prompt=prompts[index])
        threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(held)]
        try:
            for thread in threads:
                thread.start()
            arrived = wait_until(lambda: stubs.arrived(upstream, prompts) >= held, ARRIVE_TIMEOUT, interval=0.1)
            yield (arrived, f"{label}: {stubs.arrived(upstream, prompts)} of {held} request(s) held in flight at "
                   f"{upstream[0]}:{upstream[1]}, whose stub holds each {HOLD:.0f} s (want all within {ARRIVE_TIMEOUT} s)")
            if arrived:
                for stream in (False, True):
                    result = ask(plan, stubs, base, key, name, stream, timeout=HOLD + REQUEST_TIMEOUT)
                    yield (expect_model(plan, nonce, upstream_of, result, target) and result[3] < SPILL_WITHIN,
                           f"{label}: with {held} in flight, one more{' streamed' if stream else ''} -> "
                           f"{outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s "
                           f"(want {target}, its first fallback, within {SPILL_WITHIN:.0f} s: LiteLLM's 429 at the cap spills it)")
            for thread in threads:
                thread.join(HOLD + REQUEST_TIMEOUT + 5)
            answers = [f"{result[0]} from {answered_by(plan, result[1], {upstream: 1}) or 'no stub'} in {result[3]:.1f} s"
                       if result else "no answer" for result in results]
            own = all(result and result[0] == 200 and result[1] and nonce in result[1]
                      and answered_by(plan, result[1], {upstream: 1}) == name and result[3] >= 0.9 * HOLD for result in results)
            received = stubs.chat_requests(upstream) - start_count
            yield (own and received == held,
                   f"{label}: the {held} held request(s) -> {', '.join(answers)}; its stub received {received} chat "
                   f"request(s) (want {held}, each 200 from {name} after about {HOLD:.0f} s: the spilled ones never reached it)")
        finally:
            stubs.stop(upstream)
            stubs.start(upstream)
        result = ask(plan, stubs, base, key, name)
        yield (expect_model(plan, nonce, upstream_of, result, name),
               f"{label}: afterwards model={name} -> {outcome(plan, nonce, *result[:3], result[4])} "
               "(want its own stub: the held slots are free again, no cooldown)")

    # outage: a model whose backend is down is answered down its chain.
    for name in names:
        order = [target for target in plan.chain(name) if target in upstream_of]
        if not order or name in seniors:
            continue
        for index, expected in enumerate(order):
            down = list(dict.fromkeys([upstream_of[name]] + [upstream_of[target] for target in order[:index]]))
            if upstream_of[expected] in down:
                continue
            label = f"outage: {name} down" + (f", {', '.join(order[:index])} down too" if index else "")
            for upstream in down:
                stubs.stop(upstream)
            try:
                for stream in ((False, True) if index == 0 else (False,)):
                    result = ask(plan, stubs, base, key, name, stream, timeout=DOWN_TIMEOUT)
                    yield (expect_model(plan, nonce, upstream_of, result, expected),
                           f"{label}: model={name}{' streamed' if stream else ''} -> {outcome(plan, nonce, *result[:3], result[4])} "
                           f"in {result[3]:.1f} s (want {expected}, {'its first fallback' if index == 0 else 'the next of its chain'})")
            finally:
                for upstream in down:
                    stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, name, f"outage: {name} back")

    # senior: down, it fails, by every name, and nobody else hears of it.
    for name in seniors:
        asked = [name] + [alias for alias, model in plan.aliases.items() if model == name]
        upstream = upstream_of[name]
        stubs.stop(upstream)
        try:
            for label_name in asked:
                for stream in (False, True):
                    result = ask(plan, stubs, base, key, label_name, stream, timeout=DOWN_TIMEOUT)
                    yield (expect_refusal(nonce, result) and result[3] < DOWN_TIMEOUT,
                           f"senior: {name} down: model={label_name}{' streamed' if stream else ''} -> "
                           f"{outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s "
                           "(want an error status that reaches no stub: a senior model never falls back)")
        finally:
            stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, name, f"senior: {name} back")

    # alias: a route name is its model, chain included.
    for alias, model in plan.aliases.items():
        if model not in upstream_of:
            continue
        yield (plan.fallbacks.get(alias) == plan.fallbacks.get(model),
               f"alias: route {alias} -> {model}: its chain {plan.fallbacks.get(alias)} is {model}'s "
               f"{plan.fallbacks.get(model)} (LiteLLM looks a chain up under the name the client called)")
        result = ask(plan, stubs, base, key, alias)
        yield (expect_model(plan, nonce, upstream_of, result, model),
               f"alias: model={alias} -> {outcome(plan, nonce, *result[:3], result[4])} (want {model}'s stub)")
        if model in seniors:
            continue        # down, it is the senior lines'
        upstream = upstream_of[model]
        order = [target for target in plan.chain(model) if target in upstream_of and upstream_of[target] != upstream]
        stubs.stop(upstream)
        try:
            result = ask(plan, stubs, base, key, alias, timeout=DOWN_TIMEOUT)
            if order:
                ok, want = expect_model(plan, nonce, upstream_of, result, order[0]), f"{order[0]}, {model}'s first fallback"
            else:
                ok, want = expect_refusal(nonce, result), f"an error that reaches no stub: {model} has no fallbacks"
            yield ok, f"alias: {model} down: model={alias} -> {outcome(plan, nonce, *result[:3], result[4])} in {result[3]:.1f} s (want {want})"
        finally:
            stubs.start(upstream)
        yield recovered(plan, nonce, upstream_of, stubs, base, key, alias, f"alias: {model} back")


def recovered(plan, nonce, upstream_of, stubs, base, key, name, label):
    """(ok, description): the name answers from its own model's stub again within RECOVERY_TIMEOUT."""
    model = plan.aliases.get(name, name)
    started, answers = time.monotonic(), []
    def answers_again():
        result = ask(plan, stubs, base, key, name)
        answers.append(result)
        return expect_model(plan, nonce, upstream_of, result, model)
    back = wait_until(answers_again, RECOVERY_TIMEOUT, interval=1)
    last = answers[-1]
    return back, (f"{label}: model={name} -> {outcome(plan, nonce, *last[:3], last[4])} after {time.monotonic() - started:.1f} s, "
                  f"{len(answers)} request(s) (want {model}'s stub within {RECOVERY_TIMEOUT} s)")

"""Run by the LiteLLM venv's python (litellm_check.py): the Router that LiteLLM's proxy builds
from a config file, as JSON on stdout.

  router_readback.py CONFIG

It calls the proxy's own loader, `litellm.proxy.proxy_server.ProxyConfig().load_config(router=None,
config_file_path=CONFIG)` (proxy_server.py of litellm 1.106.2: the function `litellm --config`
runs at startup, which resolves `os.environ/` values and builds `litellm.Router`), in the
environment the proxy gets, and prints what the Router then holds: timeout, num_retries,
fallbacks, model_group_alias, and per deployment the litellm_params that route (api_base,
max_parallel_requests, max_tokens, timeout). Nothing is sent anywhere.
"""
import asyncio
import json
import sys


async def main(path):
    from litellm.proxy.proxy_server import ProxyConfig
    router, _models, _general = await ProxyConfig().load_config(router=None, config_file_path=path)
    deployments = {}
    for deployment in router.model_list:
        params = deployment.get("litellm_params") or {}
        deployments[deployment["model_name"]] = {key: params.get(key) for key in ("api_base", "max_parallel_requests", "max_tokens", "timeout")}
    print(json.dumps({
        "timeout": router.timeout,
        "num_retries": router.num_retries,
        "fallbacks": router.fallbacks,
        "model_group_alias": router.model_group_alias,
        "deployments": deployments,
    }, default=str))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

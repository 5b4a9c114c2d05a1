"""The LiteLLM proof (litellm_check.py), in modules by what they prove:

  harness      pinned versions, bounded waits, the venv, the namespace, processes, HTTP
  tree         how the node starts LiteLLM, its config's routes, RUNBOOK and secrets.json
  keys         env files and secrets.json, copied files, keyed servers, the wrong key
  backends     the stubs behind each api_base, the owner's key, a backend that is down
  router       fallbacks, max_parallel_requests and model_group_alias, end to end
  redis_nginx  Redis and NGINX as the node's compose services run them
  fork         one import of LiteLLM per test run (server.py, the zygote server the test
               process starts) or per node: the proxy's starts and the config loader's
               reading forked from zygote.py (run by the venv's python)

litellm_check.py runs them in order (inside()) and keeps the command line.
"""

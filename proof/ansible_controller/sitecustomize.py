"""The controller's Python in proof/ansible_apply.py: ansible-playbook as it is, with its module
cache kept for the proof's runs and its garbage collector told what is settled.

1. ansible-core (2.19, executor/module_common.py `_find_module_utils`) builds each module's zip
   once a run (parsing every module_utils source it imports to find the next, about a second of
   CPU a module here) and caches it in `<local tmp>/ansiballz_cache`; the local tmp is a fresh
   `ansible-local-<pid>…` folder a run (config/manager.py), so each of the proof's seven runs
   built the same zips again. Where SPARK_GEN_ANSIBALLZ_CACHE names a folder, a new local tmp
   gets `ansiballz_cache` as a link to it: the zips are built by the first run and read by the
   others, as ansible reads them within one run (keyed by module, compression and extensions).
2. The controller forks a worker per task from a process holding the parsed playbook; every
   collection of the oldest generation walks all of it again, in the parent and in each worker
   (whose walk also copies the pages it touches). gc.freeze() before each fork moves what exists
   to the permanent generation, which collections skip (Python's documented use of gc.freeze).
"""
import gc
import os
import tempfile

_CACHE = os.environ.get("SPARK_GEN_ANSIBALLZ_CACHE")
_mkdtemp = tempfile.mkdtemp


def _mkdtemp_linked(*args, **kwargs):
    path = _mkdtemp(*args, **kwargs)
    prefix = kwargs.get("prefix", args[1] if len(args) > 1 else "")
    if _CACHE and os.path.isdir(_CACHE) and str(prefix).startswith("ansible-local-"):
        os.symlink(_CACHE, os.path.join(path, "ansiballz_cache"))
    return path


tempfile.mkdtemp = _mkdtemp_linked
os.register_at_fork(before=gc.freeze)

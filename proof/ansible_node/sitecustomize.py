"""The node's Python in proof/ansible_apply.py: Debian's /usr/bin/python3 with a compile cache
for the modules ansible-playbook sends.

ansible-core (2.19, ansible/_internal/_ansiballz/_wrapper.py) sends every task's module with the
module_utils it needs as a zip of .py sources and imports them from it with zipimport, which
compiles every source on every task (zipimport keeps no bytecode): about 0.3 CPU-s a module run
here, most of what the node spends in an apply. The same sources arrive again and again, so this
caches the compiled code by the source's SHA-256 in the node's tmpfs; what runs, with which
arguments and what it answers, is unchanged. Put on sys.path (before Debian's sitecustomize) by
the start of zygote.py, whose forked module runs inherit it; this removes PYTHONPATH again so
the commands the modules start do not inherit it.
"""
import hashlib
import marshal
import os
import zipimport

os.environ.pop("PYTHONPATH", None)
CACHE = "/var/tmp/.spark-gen-zipimport-cache"
_compile = zipimport._compile_source


def _named(code, pathname):
    """The code with its file name (a temporary payload path) replaced by this run's."""
    consts = tuple(_named(c, pathname) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=pathname, co_consts=consts)


def _compile_cached(pathname, source):
    path = os.path.join(CACHE, hashlib.sha256(source).hexdigest())
    try:
        with open(path, "rb") as handle:
            return _named(marshal.loads(handle.read()), pathname)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = _compile(pathname, source)
    try:
        temporary = f"{path}.{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(temporary, path)
    except OSError:
        pass
    return code


if os.path.isdir(CACHE):
    zipimport._compile_source = _compile_cached

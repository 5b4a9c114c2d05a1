"""Runs the venv's ansible-lint (ansible_check.py), with one change to how it copies: the
strings and origins ansible-core 2.19 tags its data with are shared by a deep copy, not
rebuilt.

  <venv>/bin/python ansible_lint_run.py [--syntax-checked PLAYBOOK]... <venv>/bin/ansible-lint ARGS...

Why: ansible-lint normalizes every task again for every rule that matches tasks
(ansiblelint/utils.py, _sanitize_task: `copy.deepcopy(task)`; 40 rules here), and every string
of a task loaded by ansible-core 2.19 is an _AnsibleTaggedStr whose tags (an
_AnsibleTagsMapping holding an Origin: file, line, column) copy.deepcopy rebuilds through
__reduce_ex__, object by object: 49,578 strings, 61,150 mappings and origins for one
split-trust playbook, most of what ansible-lint spent. A str is immutable, and Origin is a
frozen dataclass (ansible/_internal/_datatag/_tags.py, _tag_dataclass_kwargs frozen=True), so a
copy may share them, as deepcopy shares a plain str; the dicts and lists around them, which
rules may change, are still copied. Its findings over every example's playbook are the same
text as without this (docs/testing.md): measured, 33-37 CPU-s became 23-24 s.

--syntax-checked PLAYBOOK: ansible-lint's own `ansible-playbook --syntax-check -vv PLAYBOOK`
(runner.py, _get_ansible_syntax_check_matches: one ansible-playbook start a playbook, about a
CPU-second each) is left out for that playbook, which ansible_check.py's own `ansible-playbook
--syntax-check` (with its inventory) passed in the same run: what it finds on a playbook that
passes is nothing, and a playbook that failed is not named, so ansible-lint checks it as before
and its findings are the same text. Its rules still read every playbook.
"""
import copy
import os
import runpy
import sys

from ansible._internal._datatag._tags import Origin
from ansible.module_utils._internal._datatag import _AnsibleTaggedStr

copy._deepcopy_dispatch[_AnsibleTaggedStr] = copy._deepcopy_atomic
copy._deepcopy_dispatch[Origin] = copy._deepcopy_atomic


def skip_syntax_check(playbooks):
    """ansible-lint's syntax-check phase without the playbooks given (real paths)."""
    from ansiblelint.runner import Runner
    collect = Runner._collect_syntax_check_files

    def collect_unchecked(self):
        return [lintable for lintable in collect(self) if os.path.realpath(str(lintable.path)) not in playbooks]
    Runner._collect_syntax_check_files = collect_unchecked


if __name__ == "__main__":
    arguments, checked = sys.argv[1:], set()
    while len(arguments) > 1 and arguments[0] == "--syntax-checked":
        checked.add(os.path.realpath(arguments[1]))
        arguments = arguments[2:]
    if checked:
        skip_syntax_check(checked)
    # The console script as its own __main__, with the argv it would have.
    sys.argv = arguments
    runpy.run_path(sys.argv[0], run_name="__main__")

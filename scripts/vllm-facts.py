#!/usr/bin/env python3
"""What `vllm serve` accepts at one vLLM release, read statically from vLLM's source.

  vllm-facts.py extract (--git GITDIR --tag TAG | --wheel WHEEL | --source DIR) [-o FILE]
  vllm-facts.py swift [--check]

extract reads vLLM's Python source (a git directory at a tag, through `git archive`; or the
release wheel from PyPI, whose vllm/*.py are the tagged source and whose vllm/_version.py,
written by setuptools-scm at build time, names the commit) and writes facts/vllm/<version>.json:
every flag `vllm serve` registers, whether it takes a value, and the values it accepts where
vLLM enumerates them. Nothing of vLLM is imported or run: the source is read with `ast`, the
way vLLM itself builds its parser, which is

  vllm/entrypoints/cli/serve.py          serve_parser = make_arg_parser(serve_parser)
  make_arg_parser (entrypoints/openai/cli_args.py, later entrypoints/common/cli_args.py)
      parser.add_argument(...) for a few flags, then FrontendArgs.add_cli_args and
      AsyncEngineArgs.add_cli_args (which calls EngineArgs.add_cli_args)
  FrontendArgs.add_cli_args               one flag per dataclass field (a loop over get_kwargs)
  EngineArgs.add_cli_args                 group.add_argument("--flag", **get_kwargs(Config)["field"])
  get_kwargs / _compute_kwargs (engine/arg_utils.py): a field's type decides the argument:
      a dataclass -> a JSON value; bool -> BooleanOptionalAction (--flag and --no-flag);
      Literal[...] -> choices (metavar only, so argparse does not enforce them, when the
      type also admits str); anything else -> a value of that type.
  --tool-call-parser, --reasoning-parser   free strings to argparse, checked after parsing
      against the names registered with ToolParserManager / ReasoningParserManager
      (_TOOL_PARSERS_TO_REGISTER / _REASONING_PARSERS_TO_REGISTER, or register_module(...)).

A value is "accepted" when vLLM's own checks take it: argparse's choices, the config
validators (kv-cache dtype, quantization method, load format) or the parser registries.
Values a platform plugin adds at run time (current_platform.pre_register_and_update, a
--tool-parser-plugin) are not in the source and so not in the table.

swift writes Sources/SparkPlan/Facts/VLLMServeArguments+Table.swift (the list of releases) and
one VLLMServeArguments+v<release>.swift per facts/vllm/<release>.json; with --check it only
compares and exits 1 when any of them is stale, missing or left over.
"""
import argparse
import ast
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACTS = os.path.join(ROOT, "facts", "vllm")
BUILTIN_KINDS = {"bool": "bool", "str": "str", "int": "int", "float": "float", "dict": "dict",
                 "list": "list", "tuple": "tuple", "set": "set", "bytes": "str", "Any": "other"}
WRAPPERS = {"Annotated", "SkipValidation", "Optional", "Union", "Final", "InitVar", "Required", "NotRequired"}
REGISTRY_FLAGS = {"--tool-call-parser": "tool", "--reasoning-parser": "reasoning"}


class Source:
    """vLLM's source tree: modules parsed on demand, names followed through imports."""

    def __init__(self, root):
        self.root = root
        self.trees = {}

    def path(self, module):
        base = os.path.join(self.root, *module.split("."))
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
        return None

    def tree(self, module):
        if module not in self.trees:
            path = self.path(module)
            self.trees[module] = ast.parse(open(path, encoding="utf-8").read()) if path else None
        return self.trees[module]

    def definition(self, module, name, seen=None):
        """(module, node) where `name` is defined at the top of `module`, through imports."""
        seen = seen or set()
        if (module, name) in seen:
            return None
        seen.add((module, name))
        tree = self.tree(module)
        if tree is None:
            return None
        stand_in = None
        for node in iter_top_level(tree.body):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                return module, node
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                # `if TYPE_CHECKING: from x import Name` / `else: Name = Any`: the import is the
                # type vLLM validates against (ModelConfig.quantization, LoadConfig.load_format).
                if dotted(node.value) in ("Any", "typing.Any", "object", "str"):
                    stand_in = (module, node)
                    continue
                return module, node
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
                return module, node
            if type(node).__name__ == "TypeAlias" and node.name.id == name:
                return module, node
        for node in iter_top_level(tree.body):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        target = resolve_relative(module, node, self.path(module))
                        found = self.definition(target, alias.name, seen)
                        if found is None and self.path(f"{target}.{alias.name}"):
                            return f"{target}.{alias.name}", None
                        return found
        return stand_in


def iter_top_level(body):
    """Top-level statements, including those under `if TYPE_CHECKING:` / try blocks."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from iter_top_level(node.body)
            yield from iter_top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from iter_top_level(node.body)


def resolve_relative(module, node, path):
    if not node.level:
        return node.module
    package = module.split(".")
    if not (path and path.endswith("__init__.py")):
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


class TypeInfo:
    """What _compute_kwargs sees in a field's type: its kinds and its Literal values."""

    def __init__(self):
        self.kinds = set()
        self.literals = []

    def add_literal(self, value):
        text = "None" if value is None else str(value)
        if text not in self.literals:
            self.literals.append(text)


def resolve_type(source, module, node, info, depth=0):
    if depth > 20 or node is None:
        return
    if isinstance(node, ast.Constant):
        if node.value is None:
            info.kinds.add("none")
        elif isinstance(node.value, str):  # a forward reference
            try:
                resolve_type(source, module, ast.parse(node.value, mode="eval").body, info, depth + 1)
            except SyntaxError:
                info.kinds.add("other")
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        resolve_type(source, module, node.left, info, depth + 1)
        resolve_type(source, module, node.right, info, depth + 1)
        return
    if isinstance(node, ast.Subscript):
        head = dotted(node.value).split(".")[-1]
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Literal":
            info.kinds.add("literal")
            for item in items:
                literal_values(source, module, item, info, depth + 1)
        elif head in ("Annotated", "SkipValidation", "Final", "InitVar", "Required", "NotRequired"):
            resolve_type(source, module, items[0], info, depth + 1)
        elif head == "Optional":
            info.kinds.add("none")
            resolve_type(source, module, items[0], info, depth + 1)
        elif head == "Union":
            for item in items:
                resolve_type(source, module, item, info, depth + 1)
        elif head in ("list", "List", "Sequence"):
            info.kinds.add("list")
            element = TypeInfo()
            resolve_type(source, module, items[0], element, depth + 1)
            info.element = element
        elif head in ("tuple", "Tuple"):
            info.kinds.add("tuple")
        elif head in ("set", "Set"):
            info.kinds.add("set")
        elif head in ("dict", "Dict", "Mapping"):
            info.kinds.add("dict")
        else:
            info.kinds.add("other")
        return
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted(node)
        short = name.split(".")[-1]
        if name in BUILTIN_KINDS:
            info.kinds.add(BUILTIN_KINDS[name])
            return
        if isinstance(node, ast.Attribute):  # torch.dtype and the like: not a builtin
            info.kinds.add("other")
            return
        found = source.definition(module, short)
        if found is None or found[1] is None:
            info.kinds.add("other")
            return
        where, definition = found
        if isinstance(definition, ast.ClassDef):
            info.kinds.add("dataclass" if is_dataclass(definition) else "other")
        elif isinstance(definition, ast.Assign):
            resolve_type(source, where, definition.value, info, depth + 1)
        elif isinstance(definition, ast.AnnAssign):
            resolve_type(source, where, definition.value, info, depth + 1)
        elif type(definition).__name__ == "TypeAlias":
            resolve_type(source, where, definition.value, info, depth + 1)
        else:
            info.kinds.add("other")
        return
    info.kinds.add("other")


def literal_values(source, module, node, info, depth):
    """The values of one Literal[...] item: a constant, or a name bound to a Literal."""
    if isinstance(node, ast.Constant):
        info.add_literal(node.value)
    elif isinstance(node, (ast.Name, ast.Subscript)):
        resolve_type(source, module, node, info, depth + 1)
    elif isinstance(node, ast.Tuple):
        for element in node.elts:
            literal_values(source, module, element, info, depth)


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return dotted(node.value) + "." + node.attr
    return ""


def is_dataclass(node):
    names = {dotted(d.func if isinstance(d, ast.Call) else d).split(".")[-1] for d in node.decorator_list}
    return bool(names & {"dataclass", "config"})


def dataclass_fields(source, module, class_name, seen=None):
    """[(name, annotation, module)] of a dataclass, base classes' fields first."""
    found = source.definition(module, class_name)
    if not found or not isinstance(found[1], ast.ClassDef):
        raise SystemExit(f"vllm-facts: class {class_name} not found from {module}")
    where, node = found
    fields = []
    for base in node.bases:
        base_name = dotted(base).split(".")[-1]
        if base_name and base_name not in ("object", "Protocol", "Generic"):
            base_found = source.definition(where, base_name)
            if base_found and isinstance(base_found[1], ast.ClassDef) and is_dataclass(base_found[1]):
                fields.extend(dataclass_fields(source, where, base_name))
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if "ClassVar" in ast.unparse(statement.annotation):
                continue
            fields = [f for f in fields if f[0] != statement.target.id]
            fields.append((statement.target.id, statement.annotation, where))
    return fields


class Argument:
    def __init__(self, flags):
        self.flags = flags
        self.takes_value = True
        self.negatable = False
        self.choices = None      # list of accepted values, or None
        self.enforced = False    # argparse itself refuses other values
        self.origin = ""         # where the values come from, for the JSON
        self.nargs = None        # "+" for a list: every word up to the next flag is a value

    def apply_kind(self, info, origin):
        """_compute_kwargs's decision for a field of this type."""
        kinds = info.kinds
        if "dataclass" in kinds:
            self.takes_value = True
        elif "bool" in kinds:
            self.takes_value, self.negatable = False, True
        elif "literal" not in kinds and kinds & {"list", "tuple", "set"}:
            self.nargs = "+"  # collection_to_kwargs
            element = getattr(info, "element", None)
            if element is not None and "literal" in element.kinds:
                self.choices = sorted(v for v in element.literals if v != "None")
                self.enforced = "str" not in element.kinds
                self.origin = origin
        elif "literal" in kinds or ("list" in kinds and "literal" in getattr(info, "element", TypeInfo()).kinds):
            literals = info.literals if "literal" in kinds else info.element.literals
            self.choices = sorted(v for v in literals if v != "None")
            self.enforced = "str" not in kinds
            if "none" in kinds and self.enforced:
                self.choices.append("None")  # _compute_kwargs appends it for Optional Literals
            self.origin = origin


class Walker:
    """Follows make_arg_parser through the add_cli_args methods, recording every argument."""

    def __init__(self, source):
        self.source = source
        self.arguments = []
        self.visited = set()
        self.current_class = None

    def walk_function(self, module, function, bindings=None):
        key = (module, function.name, function.lineno, self.current_class)
        if key in self.visited:
            return
        self.visited.add(key)
        self.kwargs_of = {}   # variable -> (module, class) from get_kwargs(Class)
        self.overrides = {}   # (variable, field) -> {"action": ..., "type": ...}
        self.module = module
        self.walk_body(function.body, dict(bindings or {}))

    def walk_body(self, body, bindings):
        for statement in body:
            self.walk_statement(statement, bindings)

    def walk_statement(self, statement, bindings):
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            if dotted(statement.value.func).split(".")[-1] == "get_kwargs" and statement.value.args:
                class_name = dotted(statement.value.args[0]).split(".")[-1]
                if class_name in ("cls", "self"):  # a classmethod: the class it was called on
                    class_name = self.current_class
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        self.kwargs_of[target.id] = class_name
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self.record_override(target, statement.value)
        if isinstance(statement, ast.Delete):
            self.record_deletion(statement)
            return
        if isinstance(statement, ast.For):
            self.walk_for(statement, bindings)
            return
        if isinstance(statement, (ast.If, ast.With, ast.Try)):
            # Both branches: a flag registered under a condition is still one the release has
            # (the condition in 0.11.2 only hides --model from `serve --help`).
            for part in ("body", "orelse", "finalbody"):
                self.walk_body(getattr(statement, part, []) or [], bindings)
            for handler in getattr(statement, "handlers", []):
                self.walk_body(handler.body, bindings)
            return
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                self.visit_call(node, bindings)

    def record_deletion(self, statement):
        # del kwargs["field"]["nargs"]
        for target in statement.targets:
            self.record_override(target, ast.Constant(None))

    def record_override(self, target, value):
        # kwargs["field"]["action"] = X  /  kwargs["field"]["type"] = X
        if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript)
                and isinstance(target.value.value, ast.Name) and target.value.value.id in self.kwargs_of):
            field = constant(target.value.slice)
            what = constant(target.slice)
            if field and what:
                self.overrides.setdefault((target.value.value.id, field), {})[what] = value

    def walk_for(self, statement, bindings):
        iterable = statement.iter
        # for arg, type in [("--x", str), ...]: one pass per literal element
        if isinstance(iterable, (ast.List, ast.Tuple)):
            for element in iterable.elts:
                inner = dict(bindings)
                bind(statement.target, element, inner)
                self.walk_body(statement.body, inner)
            return
        # for key, value in some_kwargs.items(): one pass per field of the dataclass
        if (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute)
                and iterable.func.attr == "items" and isinstance(iterable.func.value, ast.Name)
                and iterable.func.value.id in self.kwargs_of and isinstance(statement.target, ast.Tuple)):
            variable = iterable.func.value.id
            key_name = statement.target.elts[0].id
            value_name = statement.target.elts[1].id
            for field, _, _ in dataclass_fields(self.source, self.module, self.kwargs_of[variable]):
                inner = dict(bindings)
                inner[key_name] = ast.Constant(field)
                inner[value_name] = ("field", variable, field)
                self.walk_body(statement.body, inner)
            return
        self.walk_body(statement.body, bindings)

    def visit_call(self, call, bindings):
        name = dotted(call.func)
        if name.endswith(".add_argument"):
            self.add_argument(call, bindings)
        elif name.endswith(".add_cli_args") and isinstance(call.func, ast.Attribute):
            class_name = dotted(call.func.value).split(".")[-1]
            self.follow_method(class_name, "add_cli_args")

    def follow_method(self, class_name, method, called_on=None):
        called_on = called_on or class_name
        found = self.source.definition(self.module, class_name)
        if not found or not isinstance(found[1], ast.ClassDef):
            return
        where, node = found
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef) and statement.name == method:
                saved = (self.kwargs_of, self.overrides, self.module, self.current_class)
                self.current_class = called_on
                self.walk_function(where, statement)
                self.kwargs_of, self.overrides, self.module, self.current_class = saved
                return
        for base in node.bases:  # inherited add_cli_args
            saved_module = self.module
            self.module = where
            self.follow_method(dotted(base).split(".")[-1], method, called_on)
            self.module = saved_module

    def add_argument(self, call, bindings):
        flags = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                continue  # *extra_flags: aliases from a kwargs "flags" key, which serve's fields never set
            text = evaluate_string(arg, bindings)
            if text is None:
                return
            flags.append(text)
        if not flags or not flags[0].startswith("-"):
            return  # the positional model_tag
        argument = Argument(flags)
        keywords = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                self.apply_field(argument, keyword.value, bindings, keywords)
            else:
                keywords[keyword.arg] = keyword.value
        self.apply_keywords(argument, keywords, bindings)
        self.arguments.append(argument)

    def apply_field(self, argument, value, bindings, keywords):
        """**kwargs["field"] (or **value inside a loop over kwargs.items())."""
        if isinstance(value, ast.Dict):  # **{**kwargs["field"], "default": None}
            for key, item in zip(value.keys, value.values):
                if key is None:
                    self.apply_field(argument, item, bindings, keywords)
                elif constant(key):
                    keywords[constant(key)] = item
            return
        if isinstance(value, ast.Name) and isinstance(bindings.get(value.id), tuple):
            _, variable, field = bindings[value.id]
        elif (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name)
              and value.value.id in self.kwargs_of):
            variable, field = value.value.id, constant(value.slice)
        else:
            return
        class_name = self.kwargs_of[variable]
        for name, annotation, where in dataclass_fields(self.source, self.module, class_name):
            if name == field:
                info = TypeInfo()
                resolve_type(self.source, where, annotation, info)
                argument.apply_kind(info, f"{class_name}.{field}: {ast.unparse(annotation)}")
                break
        keywords.update(self.overrides.get((variable, field), {}))

    def apply_keywords(self, argument, keywords, bindings):
        action = keywords.get("action")
        if action is not None:
            text = dotted(action) or constant(action) or ""
            if text.endswith("BooleanOptionalAction"):
                argument.takes_value, argument.negatable = False, True
            elif text in ("store_true", "store_false", "count", "help", "version", "store_const"):
                argument.takes_value, argument.negatable = False, False
            else:
                argument.takes_value = True
        if "type" in keywords and action is None:
            argument.takes_value, argument.negatable = True, False
        if "nargs" in keywords:
            nargs = keywords["nargs"]
            argument.nargs = nargs.value if isinstance(nargs, ast.Constant) else "+"
            if isinstance(argument.nargs, int) and argument.nargs == 1:
                argument.nargs = None
        if "choices" in keywords:
            values = literal_list(keywords["choices"])
            if values is not None:
                argument.choices, argument.enforced = values, True
                argument.origin = "choices=" + ast.unparse(keywords["choices"])[:80]


def bind(target, value, bindings):
    if isinstance(target, ast.Name):
        bindings[target.id] = value
    elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for t, v in zip(target.elts, value.elts):
            bind(t, v, bindings)


def constant(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def literal_list(node):
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(isinstance(e, ast.Constant) for e in node.elts):
        return [str(e.value) for e in node.elts]
    return None


def evaluate_string(node, bindings):
    """A flag name: a constant, a bound loop variable, or f"--{key.replace('_', '-')}"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and isinstance(bindings.get(node.id), ast.Constant):
        return bindings[node.id].value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                text = evaluate_expression(value.value, bindings)
                if text is None:
                    return None
                parts.append(text)
        return "".join(parts)
    return None


def evaluate_expression(node, bindings):
    if isinstance(node, ast.Name):
        bound = bindings.get(node.id)
        return bound.value if isinstance(bound, ast.Constant) else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
            and len(node.args) == 2):
        base = evaluate_expression(node.func.value, bindings)
        old, new = constant(node.args[0]), constant(node.args[1])
        if base is not None and old is not None and new is not None:
            return base.replace(old, new)
    return None


def registered_parsers(source, kind):
    """Names registered with the tool or reasoning parser manager in the source tree."""
    directory = {"tool": ["vllm/tool_parsers", "vllm/entrypoints/openai/tool_parsers"],
                 "reasoning": ["vllm/reasoning"]}[kind]
    table = {"tool": "_TOOL_PARSERS_TO_REGISTER", "reasoning": "_REASONING_PARSERS_TO_REGISTER"}[kind]
    manager = {"tool": "ToolParserManager", "reasoning": "ReasoningParserManager"}[kind]
    names, files = set(), []
    for folder in directory:
        for path in sorted(glob.glob(os.path.join(source.root, folder, "**", "*.py"), recursive=True)):
            tree = ast.parse(open(path, encoding="utf-8").read())
            before = len(names)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == table for t in node.targets):
                    if isinstance(node.value, ast.Dict):
                        names.update(k.value for k in node.value.keys if isinstance(k, ast.Constant))
                if isinstance(node, ast.Call) and dotted(node.func) in (f"{manager}.register_module", f"{manager}.register_lazy_module"):
                    candidates = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("name", "name_or_names")]
                    for candidate in candidates:
                        if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                            names.add(candidate.value)
                        elif isinstance(candidate, (ast.List, ast.Tuple)):
                            names.update(e.value for e in candidate.elts if isinstance(e, ast.Constant))
            if len(names) > before:
                files.append(os.path.relpath(path, source.root))
    return sorted(names), files


def find_make_arg_parser(source):
    """The make_arg_parser that vllm/entrypoints/cli/serve.py imports."""
    module = "vllm.entrypoints.cli.serve"
    found = source.definition(module, "make_arg_parser")
    if not found or not isinstance(found[1], ast.FunctionDef):
        raise SystemExit("vllm-facts: make_arg_parser not found from vllm/entrypoints/cli/serve.py")
    return found


def extract(root, version, commit, tag):
    source = Source(root)
    where, function = find_make_arg_parser(source)
    walker = Walker(source)
    walker.walk_function(where, function)
    flags = {}
    for argument in walker.arguments:
        negations = ["--no-" + f[2:] for f in argument.flags if f.startswith("--")] if argument.negatable else []
        for name in argument.flags + negations:
            entry = {"takes_value": argument.takes_value and name not in negations, "canonical": argument.flags[0]}
            if entry["takes_value"] and argument.nargs is not None:
                entry["nargs"] = argument.nargs
            if argument.choices is not None and entry["takes_value"]:
                entry["choices"] = argument.choices
                entry["choices_enforced_by"] = "argparse" if argument.enforced else "vLLM's config validation"
                entry["choices_from"] = argument.origin
            flags[name] = entry
    for flag, kind in REGISTRY_FLAGS.items():
        if flag in flags:
            names, files = registered_parsers(source, kind)
            flags[flag]["choices"] = names
            flags[flag]["choices_enforced_by"] = f"validated after parsing against the {kind} parser registry"
            flags[flag]["choices_from"] = ", ".join(files)
    return {
        "version": version,
        "tag": tag,
        "commit": commit,
        "source": f"vllm-project/vllm@{tag} (commit {commit})",
        "extracted_by": "scripts/vllm-facts.py",
        "entry": f"{where.replace('.', '/')}.py:make_arg_parser",
        "flags": dict(sorted(flags.items())),
    }


def unpack_wheel(wheel, directory):
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith("vllm/") and name.endswith(".py"):
                archive.extract(name, directory)


def version_from_tree(root):
    text = open(os.path.join(root, "vllm", "_version.py"), encoding="utf-8").read()
    version = re.search(r"__version__ = version = '([^']+)'", text).group(1)
    commit = re.search(r"commit_id = '([^']*)'", text)
    return version, (commit.group(1).lstrip("g") if commit else "unknown")


def command_extract(options):
    with tempfile.TemporaryDirectory(prefix="vllm-facts-") as scratch:
        if options.git:
            tag = options.tag
            commit = subprocess.run(["git", "-C", options.git, "rev-parse", f"{tag}^{{commit}}"],
                                    check=True, capture_output=True, text=True).stdout.strip()
            archive = subprocess.run(["git", "-C", options.git, "archive", tag, "vllm"], check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", scratch], input=archive.stdout, check=True)
            root, version = scratch, tag.lstrip("v")
        else:
            if options.wheel:
                unpack_wheel(options.wheel, scratch)
                root = scratch
            else:
                root = options.source
            version, commit = version_from_tree(root)
            tag = f"v{version}"
            if options.commit:
                # The wheel names the commit by setuptools-scm's short id; a full id given here
                # must be that commit.
                if not options.commit.startswith(commit):
                    raise SystemExit(f"vllm-facts: --commit {options.commit} is not the wheel's commit {commit}")
                short, commit = commit, options.commit
        facts = extract(root, version, commit, tag)
        if options.commit and not options.git:
            facts["commit_check"] = f"the wheel's vllm/_version.py names commit {short}; the full id is the tag's, as given with --commit"
    facts["read_from"] = options.note or ("git archive of the tag" if options.git else
                                          f"PyPI wheel {os.path.basename(options.wheel)} (vllm/*.py of the release; commit from vllm/_version.py)"
                                          if options.wheel else "source tree")
    output = options.output or os.path.join(FACTS, f"{facts['version']}.json")
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as handle:
        json.dump(facts, handle, indent=1, sort_keys=False)
        handle.write("\n")
    print(f"{output}: {len(facts['flags'])} flags at {facts['source']}")


def version_key(version):
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", version))


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def release_name(version):
    return "v" + re.sub(r"[^0-9A-Za-z]", "_", version)


def render_swift(root=ROOT):
    """{path: text}: +Table.swift with `versions` and `at(version:)`, and one file per release (each under 600 lines)."""
    facts, table_path = os.path.join(root, "facts", "vllm"), swift_table(root)
    tables = sorted((json.load(open(p)) for p in glob.glob(os.path.join(facts, "[0-9]*.json"))),
                    key=lambda t: version_key(t["version"]))
    # Generated tables keep the generator's layout: swift format skips them (docs/development.md).
    header = [
        "// swift-format-ignore-file",
        "// Generated by scripts/vllm-facts.py swift from facts/vllm/*.json. Do not edit:",
        "// extract a release with scripts/vllm-facts.py extract, then run scripts/vllm-facts.py swift.",
    ]
    names = [(t["version"], release_name(t["version"])) for t in tables]
    files = {table_path: "\n".join(header + [
        "",
        "extension VLLMServeArguments {",
        "    /// The extracted releases, oldest first; each table is in VLLMServeArguments+<release>.swift.",
        "    public static let versions: [String] = [" + ", ".join(swift_string(v) for v, _ in names) + "]",
        "",
        "    /// The release extracted for exactly this version (\"0.11.2\"), or nil. Only the table",
        "    /// asked for is built: lint checks a model against the one release its image holds.",
        "    public static func at(version: String) -> VLLMServeArguments? {",
        "        switch version {",
    ] + [f"        case {swift_string(v)}: {n}" for v, n in names] + [
        "        default: nil",
        "        }",
        "    }",
        "}",
    ]) + "\n"}
    for table in tables:
        name = release_name(table["version"])
        flags = sorted(table["flags"].items())
        lines = header + [
            "// An array literal of explicitly typed (flag, values) pairs in ascending order of flag:",
            "// the type checker has nothing to infer, and a lookup is a binary search, so building the",
            "// table hashes nothing.",
            "",
            "extension VLLMServeArguments {",
            f"    /// {table['source']}",
            f"    static let {name}: VLLMServeArguments = VLLMServeArguments(",
            f"        version: {swift_string(table['version'])},",
            f"        source: {swift_string(table['source'])},",
            f"        sorted: flags_{name})",
            "",
            f"    private static let flags_{name}: [(flag: String, values: [String])] = ["]
        for flag, entry in flags:
            values = ", ".join(swift_string(c) for c in entry.get("choices") or [])
            lines.append(f"        ({swift_string(flag)}, [{values}]),")
        lines += ["    ]", "}"]
        files[table_path.replace("+Table.swift", f"+{name}.swift")] = "\n".join(lines) + "\n"
    # Which vLLM an image carries has one home, facts/vllm/images.json: the proof reads it, and
    # the compiler's ImageFacts reads this rendering of its named images (tags with the
    # release in them, vllm/vllm-openai:vX.Y.Z, are read from the tag by both).
    images = json.load(open(os.path.join(facts, "images.json")))["images"]
    lines = [
        "// swift-format-ignore-file",
        "// Generated by scripts/vllm-facts.py swift from facts/vllm/images.json. Do not edit.",
        "",
        "extension VLLMImageReleases {",
        "    /// Images whose tag does not name their vLLM release: image, release, evidence.",
        "    static let named: [(image: String, version: String, evidence: String)] = [",
    ]
    for image, entry in sorted(images.items()):
        lines.append(f"        ({swift_string(image)}, {swift_string(entry['vllm'])}, {swift_string(entry['evidence'])}),")
    lines += ["    ]", "}"]
    files[table_path.replace("VLLMServeArguments+Table.swift", "VLLMImageReleases+Table.swift")] = "\n".join(lines) + "\n"
    return files


def swift_table(root):
    return os.path.join(root, "Sources", "SparkPlan", "Facts", "VLLMServeArguments+Table.swift")


def command_swift(options):
    root = options.root
    files = render_swift(root)
    stale = [p for p in glob.glob(swift_table(root).replace("+Table.swift", "+v*.swift")) if p not in files]
    if options.check:
        wrong = [p for p, text in files.items() if not os.path.exists(p) or open(p).read() != text] + stale
        for path in wrong:
            print(f"vllm-facts: {os.path.relpath(path, root)} is stale; run scripts/vllm-facts.py swift", file=sys.stderr)
        if not wrong:
            print(f"vllm-facts: {len(files)} Swift files match facts/vllm/*.json")
        return 1 if wrong else 0
    for path in stale:
        os.remove(path)
    os.makedirs(os.path.dirname(swift_table(root)), exist_ok=True)
    for path, text in files.items():
        with open(path, "w") as handle:
            handle.write(text)
        print(f"wrote {os.path.relpath(path, root)}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    extract_parser = commands.add_parser("extract")
    where = extract_parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--git", help="a vLLM git directory (bare is fine); needs --tag")
    where.add_argument("--wheel", help="a vLLM wheel from PyPI")
    where.add_argument("--source", help="a directory holding vllm/ and vllm/_version.py")
    extract_parser.add_argument("--tag")
    extract_parser.add_argument("-o", "--output")
    extract_parser.add_argument("--commit", help="the tag's full commit id, when the wheel names only its short id")
    extract_parser.add_argument("--note", help="how the source was had, recorded as read_from")
    swift_parser = commands.add_parser("swift")
    swift_parser.add_argument("--check", action="store_true")
    swift_parser.add_argument("--root", default=ROOT, help="a checkout holding facts/ and Sources/ (default: this one)")
    options = parser.parse_args()
    if options.command == "extract":
        if options.git and not options.tag:
            parser.error("--git needs --tag")
        command_extract(options)
        return 0
    return command_swift(options)


if __name__ == "__main__":
    sys.exit(main())

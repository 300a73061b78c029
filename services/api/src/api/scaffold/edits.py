"""Careful text edits of the files that register a context.

Each edit changes the text the way a person would (one line added where
its neighbours are, comments and layout kept) and then re-reads the file
with a real parser to prove that exactly the intended value was added;
anything unexpected raises :class:`ScaffoldError` before a file is written.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

from api.scaffold.names import ScaffoldError

_HEADER = re.compile(r"^\s*\[")


def _section(lines: list[str], table: str) -> tuple[int, int]:
    """(first line after the header, end) of the TOML table ``[table]``."""
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        raise ScaffoldError(f"no [{table}] table")
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    return start + 1, end


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ScaffoldError(f"no {dotted}")
        value = value[part]
    return value


def toml_array_add(
    text: str,
    table: str,
    key: str,
    value: str,
    *,
    after: Callable[[str], bool] | None = None,
) -> str:
    """Add the string ``value`` to the array ``key`` of ``[table]``.

    It goes after the last item for which ``after`` is true (else last).
    Unchanged if already present.
    """
    before = tomllib.loads(text)
    current = list(_lookup(before, f"{table}.{key}"))
    if value in current:
        return text
    lines = text.splitlines(keepends=True)
    start, end = _section(lines, table)
    opening = re.compile(rf"^\s*{re.escape(key)}\s*=\s*\[")
    first = next((i for i in range(start, end) if opening.match(lines[i])), None)
    if first is None:
        raise ScaffoldError(f"no {key} = [...] in [{table}]")
    literal = json.dumps(value)
    if lines[first].rstrip().endswith("]") and "#" not in lines[first]:
        # One-line array, key = ["a", "b"]: rewritten with the item in place.
        if not all(isinstance(item, str) for item in current):
            raise ScaffoldError(f"{key} in [{table}] holds more than strings")
        line = lines[first].rstrip()
        items = ", ".join(json.dumps(item) for item in _inserted(current, value, after))
        newline = lines[first][len(line) :]
        lines[first] = f"{line[: line.index('[') + 1]}{items}]{newline}"
    else:
        close = next((i for i in range(first + 1, end) if lines[i].strip().startswith("]")), None)
        if close is None:
            raise ScaffoldError(f"cannot find the end of {key} in [{table}]")
        item_lines = [i for i in range(first + 1, close) if lines[i].strip().startswith('"')]
        target = close
        if after is not None:
            chosen = [i for i in item_lines if after(_string_item(lines[i]))]
            if chosen:
                target = chosen[-1] + 1
        indent = _indent(lines[item_lines[-1]]) if item_lines else "    "
        previous = target - 1
        if previous > first and lines[previous].strip().startswith('"'):
            stripped = lines[previous].rstrip("\n")
            if not stripped.rstrip().endswith(","):
                lines[previous] = stripped.rstrip() + ",\n"
        lines.insert(target, f"{indent}{literal},\n")
    result = "".join(lines)
    after_parse = tomllib.loads(result)
    if list(_lookup(after_parse, f"{table}.{key}")) != _inserted(current, value, after):
        raise ScaffoldError(f"could not add {value!r} to {key} in [{table}] cleanly")
    _check_only_changed(before, after_parse, f"{table}.{key}")
    return result


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _string_item(line: str) -> str:
    match = re.match(r'^\s*"([^"]*)"', line)
    return match.group(1) if match else ""


def _inserted(items: list[Any], value: str, after: Callable[[str], bool] | None) -> list[Any]:
    if after is None:
        return [*items, value]
    positions = [i for i, item in enumerate(items) if isinstance(item, str) and after(item)]
    if not positions:
        return [*items, value]
    at = positions[-1] + 1
    return [*items[:at], value, *items[at:]]


def _check_only_changed(before: dict[str, Any], after: dict[str, Any], path: str) -> None:
    """Everything but ``path`` (dotted) is unchanged."""

    def strip(data: dict[str, Any]) -> dict[str, Any]:
        copy = dict(data)
        *parents, leaf = path.split(".")
        node: dict[str, Any] = copy
        for part in parents:
            node[part] = dict(node[part])
            node = node[part]
        node.pop(leaf, None)
        return copy

    if strip(before) != strip(after):
        raise ScaffoldError(f"editing {path} would change other settings")


def toml_table_add(text: str, table: str, key: str, value_literal: str) -> str:
    """Add ``key = value_literal`` at the end of ``[table]`` (unless present)."""
    before = tomllib.loads(text)
    if key in _lookup(before, table):
        return text
    lines = text.splitlines(keepends=True)
    start, end = _section(lines, table)
    last = max((i for i in range(start, end) if lines[i].strip()), default=start - 1)
    if last >= 0 and not lines[last].endswith("\n"):
        lines[last] += "\n"
    quoted = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'
    lines.insert(last + 1, f"{quoted} = {value_literal}\n")
    result = "".join(lines)
    after = tomllib.loads(result)
    expected = tomllib.loads(f"v = {value_literal}")["v"]
    if _lookup(after, table).get(key) != expected:
        raise ScaffoldError(f"could not add {key} to [{table}] cleanly")
    _check_only_changed(before, after, f"{table}.{key}")
    return result


def ini_list_add(text: str, section: str, key: str, value: str) -> str:
    """Add a line to a multi-line INI value (e.g. import-linter's root_packages,
    Alembic's version_locations)."""

    def values(source: str) -> list[str]:
        parser = configparser.ConfigParser(interpolation=None)  # alembic.ini has %(here)s
        parser.read_string(source)
        return [line.strip() for line in parser[section][key].splitlines() if line.strip()]

    current = values(text)
    if value in current:
        return text
    lines = text.splitlines(keepends=True)
    header = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
    if header is None:
        raise ScaffoldError(f"no [{section}] section")
    opening = re.compile(rf"^{re.escape(key)}\s*[=:]")
    first = next(
        (i for i in range(header + 1, len(lines)) if opening.match(lines[i])),
        None,
    )
    if first is None:
        raise ScaffoldError(f"no {key} in [{section}]")
    last = first
    while (
        last + 1 < len(lines)
        and lines[last + 1][:1] in (" ", "\t")
        and lines[last + 1].strip()
        and not lines[last + 1].lstrip().startswith(("#", ";"))
    ):
        last += 1
    indent = _indent(lines[last]) if last > first else "    "
    lines.insert(last + 1, f"{indent}{value}\n")
    result = "".join(lines)
    if values(result) != [*current, value]:
        raise ScaffoldError(f"could not add {value!r} to {key} in [{section}] cleanly")
    return result


def python_register_context(
    source: str,
    *,
    imports: list[str],
    first_party: set[str],
    function: str,
    entry: str,
    registry: str = "CONTEXTS",
) -> str:
    """Register a context in the composition root's module.

    ``imports`` (``from x import y`` lines) go among the first-party imports
    in sorted position, ``function`` right before the ``registry``
    assignment, ``entry`` as the last element of its tuple.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    assignment = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                isinstance(target, ast.Name) and target.id == registry
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        ),
        None,
    )
    if assignment is None or not isinstance(assignment.value, ast.Tuple | ast.List):
        raise ScaffoldError(f"no `{registry} = (...)` tuple to add the context to")
    closing = assignment.end_lineno
    assert closing is not None
    if not lines[closing - 1].strip().startswith((")", "]")):
        raise ScaffoldError(f"`{registry}` must end with its closing bracket on a line of its own")

    # Bottom-up, so earlier line numbers stay valid.
    lines.insert(closing - 1, entry)
    start = assignment.lineno - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    lines.insert(start, function)

    new_modules = sorted(line.split()[1] for line in imports)
    existing = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module is not None
        and node.module.split(".")[0] in first_party
    ]
    if not existing:
        raise ScaffoldError("no first-party imports to put the new ones next to")
    later = [node for node in existing if node.module is not None and node.module > new_modules[0]]
    at = later[0].lineno - 1 if later else existing[-1].end_lineno
    assert at is not None
    for line in reversed(sorted(imports)):
        lines.insert(at, line if line.endswith("\n") else line + "\n")

    result = "".join(lines)
    ast.parse(result)  # still Python
    return result

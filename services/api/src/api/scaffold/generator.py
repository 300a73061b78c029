"""Create a bounded context and register it everywhere it must be known.

What :func:`create_context` writes, for ``billing --aggregate Invoice``:

* ``packages/billing/``: ``pyproject.toml``, ``src/billing/`` with the four
  layers (an ``Invoice`` aggregate with one rule, its events, errors and
  repository port; a use-case service, its unit-of-work port, views and
  in-memory fakes; the record, mapper, repository, unit of work and the
  first migration on the ``billing`` branch; a router and its schemas) and
  ``tests/`` at each level (domain, application, infrastructure, api);
* the workspace's ``pyproject.toml``: dependency, ``[tool.uv.sources]``
  entry, pytest ``testpaths``, mypy ``files``/``mypy_path``, ruff's
  ``known-first-party``;
* ``services/api/pyproject.toml``: dependency and source;
* ``services/api/src/api/contexts.py``: the ``ContextModule`` entry, which
  the app (router, service wiring), the Alembic environment (metadata and
  version directory) and the CLI read;
* ``importlinter.ini``: the package under ``root_packages`` (the contracts
  find the layers and the context by themselves).

Everything is prepared in memory and checked first; files are written only
when every edit succeeded.
"""

from __future__ import annotations

import configparser
import importlib.util
import re
import string
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from api.scaffold.edits import (
    ini_list_add,
    python_register_context,
    toml_array_add,
    toml_table_add,
)
from api.scaffold.names import ContextNames, ScaffoldError

ROOT_PYPROJECT = "pyproject.toml"
SERVICE_PYPROJECT = "services/api/pyproject.toml"
COMPOSITION_ROOT = "services/api/src/api/contexts.py"
IMPORT_CONTRACTS = "importlinter.ini"
ROOT_ALEMBIC_INI = "alembic.ini"
TEMPLATE_SUFFIX = ".tmpl"


@dataclass
class CreatedContext:
    names: ContextNames
    root: Path
    created: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)
    revision: str = ""

    @property
    def directory(self) -> Path:
        return self.root / self.names.directory


def find_workspace_root(start: Path | None = None) -> Path:
    """The nearest ancestor whose ``pyproject.toml`` declares a uv workspace."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        pyproject = candidate / ROOT_PYPROJECT
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            if "workspace" in data.get("tool", {}).get("uv", {}):
                return candidate
    raise ScaffoldError(f"no uv workspace (pyproject.toml with [tool.uv.workspace]) above {here}")


def _templates() -> Traversable:
    return resources.files("api.scaffold") / "templates" / "context"


def _walk(node: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    for child in sorted(node.iterdir(), key=lambda item: item.name):
        if child.is_dir():
            if child.name != "__pycache__":
                found.extend(_walk(child, (*prefix, child.name)))
        elif child.name.endswith(TEMPLATE_SUFFIX):
            found.append(((*prefix, child.name), child.read_text(encoding="utf-8")))
    return found


def render_templates(names: ContextNames, revision: str, today: str) -> dict[Path, str]:
    """Relative path -> content of every file of the new member."""
    values = {**names.substitutions(), "revision": revision, "create_date": today}
    placeholders = {
        "__package__": names.package,
        "__aggregate__": names.aggregate,
        "__revision__": revision,
        "__table__": names.table,
    }
    rendered: dict[Path, str] = {}
    for parts, text in _walk(_templates()):
        relative = "/".join(parts).removesuffix(TEMPLATE_SUFFIX)
        for placeholder, value in placeholders.items():
            relative = relative.replace(placeholder, value)
        try:
            rendered[Path(relative)] = string.Template(text).substitute(values)
        except (KeyError, ValueError) as error:
            raise ScaffoldError(f"template {'/'.join(parts)}: bad placeholder {error}") from error
    return rendered


def _root_packages(root: Path) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(root / IMPORT_CONTRACTS, encoding="utf-8")
    return {line.strip() for line in parser["importlinter"]["root_packages"].splitlines() if line}


def _check_free(names: ContextNames, root: Path) -> None:
    if (root / names.directory).exists():
        raise ScaffoldError(f"{names.directory} already exists")
    members = [*root.glob("packages/*/src"), *root.glob("services/*/src")]
    if any((src / names.package).exists() for src in members):
        raise ScaffoldError(f"a member already provides the package {names.package!r}")
    if names.package in _root_packages(root):
        raise ScaffoldError(f"{names.package!r} is already a root package of {IMPORT_CONTRACTS}")
    if importlib.util.find_spec(names.package) is not None:
        raise ScaffoldError(f"{names.package!r} is already an installed module: choose another")
    declared = re.compile(rf"""__tablename__\s*[:=].*["']{re.escape(names.table)}["']""")
    for src in members:
        for path in src.rglob("*.py"):
            if declared.search(path.read_text(encoding="utf-8")):
                raise ScaffoldError(
                    f"table {names.table!r} is already declared in {path.relative_to(root)}: "
                    "pass --aggregate or --table"
                )


def _member_path(distribution: str) -> str:
    return f"packages/{distribution}"


def _is_member_dependency(item: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9._-]+", item) is not None  # no version specifier


def _edit_root_pyproject(text: str, names: ContextNames) -> str:
    member = _member_path(names.distribution)

    def in_packages(item: str) -> bool:
        return item.startswith("packages/")

    text = toml_array_add(
        text, "project", "dependencies", names.distribution, after=_is_member_dependency
    )
    text = toml_table_add(text, "tool.uv.sources", names.distribution, "{ workspace = true }")
    text = toml_array_add(
        text, "tool.pytest.ini_options", "testpaths", f"{member}/tests", after=in_packages
    )
    text = toml_array_add(text, "tool.mypy", "mypy_path", f"{member}/src", after=in_packages)
    text = toml_array_add(text, "tool.mypy", "files", f"{member}/src", after=in_packages)
    return toml_array_add(text, "tool.ruff.lint.isort", "known-first-party", names.package)


def _edit_service_pyproject(text: str, names: ContextNames) -> str:
    text = toml_array_add(
        text, "project", "dependencies", names.distribution, after=_is_member_dependency
    )
    return toml_table_add(text, "tool.uv.sources", names.distribution, "{ workspace = true }")


def _edit_composition_root(text: str, names: ContextNames, first_party: set[str]) -> str:
    n = names
    function = (
        f"def _{n.package}_service(database: AsyncDatabase) -> {n.Aggregate}Service:\n"
        f"    return {n.Aggregate}Service(lambda: SqlAlchemy{n.Context}UnitOfWork(database))\n"
        "\n\n"
    )
    entry = (
        "    ContextModule(\n"
        f'        name="{n.package}",\n'
        f'        tag="{n.tag}",\n'
        f'        description="{n.context_title}: {n.aggregates_words}.",\n'
        f'        records="{n.package}.infrastructure.records",\n'
        f'        migrations="{n.package}.infrastructure.migrations",\n'
        f"        build_service=_{n.package}_service,\n"
        f"        create_router=create_{n.package}_router,\n"
        "    ),\n"
    )
    imports = [
        f"from {n.package}.api import create_router as create_{n.package}_router",
        f"from {n.package}.application import {n.Aggregate}Service",
        f"from {n.package}.infrastructure import SqlAlchemy{n.Context}UnitOfWork",
    ]
    return python_register_context(
        text,
        imports=imports,
        first_party=first_party | {n.package},
        function=function,
        entry=entry,
    )


def _format(paths: list[Path], composition_root: Path) -> None:
    """Sort imports and format with ruff when it is installed (best effort)."""
    if importlib.util.find_spec("ruff") is None:
        return
    ruff = [sys.executable, "-m", "ruff"]
    targets = [str(path) for path in paths]
    for arguments in (["check", "--fix", "--quiet", "--exit-zero"], ["format", "--quiet"]):
        subprocess.run([*ruff, *arguments, *targets], check=False, capture_output=True)
    subprocess.run(
        [*ruff, "check", "--fix", "--quiet", "--exit-zero", "--select", "I", str(composition_root)],
        check=False,
        capture_output=True,
    )


def create_context(
    name: str,
    root: Path | str | None = None,
    *,
    aggregate: str | None = None,
    table: str | None = None,
    format_code: bool = True,
) -> CreatedContext:
    """Create the bounded context ``name`` in the workspace at ``root``."""
    workspace = find_workspace_root(Path(root) if root is not None else None)
    names = ContextNames.derive(name, aggregate=aggregate, table=table)
    for required in (ROOT_PYPROJECT, SERVICE_PYPROJECT, COMPOSITION_ROOT, IMPORT_CONTRACTS):
        if not (workspace / required).is_file():
            raise ScaffoldError(f"{required} not found in {workspace}")
    _check_free(names, workspace)

    revision = uuid.uuid4().hex[:12]
    files = render_templates(names, revision, datetime.now(UTC).date().isoformat())
    first_party = _root_packages(workspace)
    edits: dict[str, Callable[[str], str]] = {
        ROOT_PYPROJECT: lambda text: _edit_root_pyproject(text, names),
        SERVICE_PYPROJECT: lambda text: _edit_service_pyproject(text, names),
        IMPORT_CONTRACTS: lambda text: ini_list_add(
            text, "importlinter", "root_packages", names.package
        ),
        COMPOSITION_ROOT: lambda text: _edit_composition_root(text, names, first_party),
    }
    if (workspace / ROOT_ALEMBIC_INI).is_file():  # plain `alembic` sees the new branch too
        versions = (
            f"%(here)s/{names.directory}/src/{names.package}/infrastructure/migrations/versions"
        )
        edits[ROOT_ALEMBIC_INI] = lambda text: ini_list_add(
            text, "alembic", "version_locations", versions
        )
    edited: dict[Path, str] = {}
    for relative, edit in edits.items():
        path = workspace / relative
        try:
            edited[path] = edit(path.read_text(encoding="utf-8"))
        except ScaffoldError as error:
            raise ScaffoldError(f"{relative}: {error}") from error

    result = CreatedContext(names, workspace, revision=revision)
    for relative_file, content in files.items():
        target = result.directory / relative_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        result.created.append(target)
    for path, content in edited.items():
        path.write_text(content, encoding="utf-8")
        result.edited.append(path)
    if format_code:
        _format([result.directory], workspace / COMPOSITION_ROOT)
    return result

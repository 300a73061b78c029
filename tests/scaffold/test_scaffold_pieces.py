"""The scaffold's parts, fast: names, the registration edits, the rendering.

The end-to-end proof (lock, contracts, tests in a copy of the workspace)
is ``test_new_context_end_to_end.py``.
"""

from __future__ import annotations

import ast
import configparser
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from api.scaffold import ContextNames, ScaffoldError, create_context
from api.scaffold.edits import (
    ini_list_add,
    python_register_context,
    toml_array_add,
    toml_table_add,
)
from api.scaffold.generator import COMPOSITION_ROOT, render_templates

ROOT = Path(__file__).resolve().parents[2]


# -- names ----------------------------------------------------------------------


def test_names_from_a_plain_context_name() -> None:
    names = ContextNames.derive("billing", aggregate="Invoice")
    assert (names.package, names.distribution, names.Context) == ("billing", "billing", "Billing")
    assert (names.Aggregate, names.aggregate, names.aggregates) == (
        "Invoice",
        "invoice",
        "invoices",
    )
    assert (names.table, names.route, names.directory) == (
        "invoices",
        "invoices",
        "packages/billing",
    )


def test_names_from_a_multi_word_context_name() -> None:
    names = ContextNames.derive("loyalty-points")
    assert (names.package, names.distribution) == ("loyalty_points", "loyalty-points")
    assert (names.Context, names.context_title) == ("LoyaltyPoints", "Loyalty points")
    assert (names.Aggregate, names.aggregates) == ("LoyaltyPoint", "loyalty_points")
    assert names.route == "loyalty-points"


@pytest.mark.parametrize(
    ("aggregate", "plural"),
    [("Category", "categories"), ("Box", "boxes"), ("Day", "days"), ("LineItem", "line_items")],
)
def test_table_names_are_plural(aggregate: str, plural: str) -> None:
    assert ContextNames.derive("shop", aggregate=aggregate).table == plural


@pytest.mark.parametrize(
    ("name", "aggregate", "message"),
    [
        ("Billing!", None, "not a usable context name"),
        ("2fa", None, "not a usable context name"),
        ("json", None, "shadow a Python module"),
        ("class", None, "shadow a Python module"),
        ("api", None, "taken by the workspace"),
        ("shared_infrastructure", None, "taken by the workspace"),
        ("billing", "invoice", "not a usable aggregate name"),
        ("billing", "Errors", "clashes with a module"),
    ],
)
def test_unusable_names_are_refused(name: str, aggregate: str | None, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        ContextNames.derive(name, aggregate=aggregate)


# -- edits ----------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "root"
# members first
dependencies = [
    "shared-infrastructure",
    "events",
    "fastapi>=0.115"
]

[tool.uv.sources]
events = { workspace = true }

[tool.mypy]
files = ["packages/a/src", "services/api/src"]
"""


def test_an_item_goes_after_its_kind_and_everything_else_stays() -> None:
    edited = toml_array_add(
        PYPROJECT,
        "project",
        "dependencies",
        "billing",
        after=lambda item: ">" not in item,
    )
    assert tomllib.loads(edited)["project"]["dependencies"] == [
        "shared-infrastructure",
        "events",
        "billing",
        "fastapi>=0.115",
    ]
    assert "# members first" in edited
    assert toml_array_add(edited, "project", "dependencies", "billing") == edited


def test_one_line_arrays_and_tables_are_extended() -> None:
    edited = toml_array_add(
        PYPROJECT, "tool.mypy", "files", "packages/b/src", after=lambda i: i.startswith("pack")
    )
    assert tomllib.loads(edited)["tool"]["mypy"]["files"] == [
        "packages/a/src",
        "packages/b/src",
        "services/api/src",
    ]
    assert 'files = ["packages/a/src", "packages/b/src", "services/api/src"]\n' in edited
    edited = toml_table_add(edited, "tool.uv.sources", "billing", "{ workspace = true }")
    assert tomllib.loads(edited)["tool"]["uv"]["sources"]["billing"] == {"workspace": True}
    assert tomllib.loads(edited)["project"] == tomllib.loads(PYPROJECT)["project"]


def test_a_missing_array_is_an_error() -> None:
    with pytest.raises(ScaffoldError):
        toml_array_add(PYPROJECT, "tool.mypy", "mypy_path", "x")


def test_root_packages_get_one_more_line(unused_contexts: Any) -> None:
    [names] = unused_contexts(ROOT)
    text = (ROOT / "importlinter.ini").read_text(encoding="utf-8")
    edited = ini_list_add(text, "importlinter", "root_packages", names.package)
    parser = configparser.ConfigParser()
    parser.read_string(edited)
    assert parser["importlinter"]["root_packages"].split()[-1] == names.package
    assert len(edited.splitlines()) == len(text.splitlines()) + 1
    assert ini_list_add(edited, "importlinter", "root_packages", names.package) == edited


REGISTRY = """\
from fastapi import APIRouter

from events.api import create_router as create_events_router
from shared_infrastructure.database.database import AsyncDatabase


def _events_service(database: AsyncDatabase) -> object:
    return object()


# The contexts.
CONTEXTS: tuple[object, ...] = (
    dict(name="events"),
)
"""


def test_the_composition_root_gets_imports_a_builder_and_an_entry() -> None:
    edited = python_register_context(
        REGISTRY,
        imports=["from billing.api import create_router as create_billing_router"],
        first_party={"events", "shared_infrastructure", "billing"},
        function="def _billing_service(database: AsyncDatabase) -> object:\n    return 1\n\n\n",
        entry='    dict(name="billing"),\n',
    )
    tree = ast.parse(edited)
    imports = [node.module for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert imports == [
        "fastapi",
        "billing.api",
        "events.api",
        "shared_infrastructure.database.database",
    ]
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == ["_events_service", "_billing_service"]
    assert edited.index("_billing_service") < edited.index("# The contexts.")
    assert edited.rstrip().endswith('dict(name="events"),\n    dict(name="billing"),\n)')


# -- rendering and creation -------------------------------------------------------


def test_every_template_renders_to_valid_python_without_placeholders() -> None:
    names = ContextNames.derive("loyalty-points", aggregate="PointAccount")
    files = render_templates(names, "0123456789ab", "2030-01-01")
    assert Path("src/loyalty_points/domain/point_account.py") in files
    assert (
        Path(
            "src/loyalty_points/infrastructure/migrations/versions/"
            "0123456789ab_create_point_accounts.py"
        )
        in files
    )
    for path, content in files.items():
        assert "${" not in content, path
        assert "__package__" not in str(path)
        if path.suffix == ".py":
            compile(content, str(path), "exec")
    assert tomllib.loads(files[Path("pyproject.toml")])["project"]["name"] == "loyalty-points"


def _fake_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    for relative in (
        "pyproject.toml",
        "importlinter.ini",
        "alembic.ini",
        "services/api/pyproject.toml",
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, root / relative)
    for src in [*ROOT.glob("packages/*/src"), *ROOT.glob("services/*/src")]:
        shutil.copytree(
            src, root / src.relative_to(ROOT), ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_create_context_writes_the_member_and_registers_it(
    tmp_path: Path, unused_contexts: Any
) -> None:
    root = _fake_workspace(tmp_path)
    [names] = unused_contexts(root)

    created = create_context(names.distribution, root, aggregate=names.Aggregate, format_code=False)

    assert created.directory == root / names.directory
    assert {path.relative_to(root).as_posix() for path in created.edited} == {
        "pyproject.toml",
        "services/api/pyproject.toml",
        "importlinter.ini",
        "alembic.ini",
        COMPOSITION_ROOT,
    }
    alembic_ini = (root / "alembic.ini").read_text(encoding="utf-8")
    assert (
        f"%(here)s/{names.directory}/src/{names.package}/infrastructure/migrations/versions"
        in alembic_ini
    )
    workspace = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert names.distribution in workspace["project"]["dependencies"]
    assert workspace["tool"]["uv"]["sources"][names.distribution] == {"workspace": True}
    testpaths = workspace["tool"]["pytest"]["ini_options"]["testpaths"]
    assert f"{names.directory}/tests" in testpaths
    assert f"{names.directory}/src" in workspace["tool"]["mypy"]["files"]
    service = tomllib.loads((root / "services/api/pyproject.toml").read_text(encoding="utf-8"))
    assert names.distribution in service["project"]["dependencies"]
    registry = (root / COMPOSITION_ROOT).read_text(encoding="utf-8")
    assert f'name="{names.package}"' in registry
    assert f"build_service=_{names.package}_service" in registry


def test_refusals_leave_every_file_as_it_was(tmp_path: Path, unused_contexts: Any) -> None:
    root = _fake_workspace(tmp_path)
    first, other = unused_contexts(root, 2)
    create_context(first.distribution, root, aggregate=first.Aggregate, format_code=False)
    before = _snapshot(root)

    with pytest.raises(ScaffoldError, match="already exists"):
        create_context(first.distribution, root, format_code=False)
    with pytest.raises(ScaffoldError, match=f"table '{first.table}' is already declared"):
        create_context(other.distribution, root, aggregate=first.Aggregate, format_code=False)
    with pytest.raises(ScaffoldError, match="already an installed module"):
        create_context("pytest", root, format_code=False)

    assert _snapshot(root) == before

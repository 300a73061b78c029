"""Every contract of ``importlinter.ini`` bites.

Each case plants one violation in a private copy of the sources and runs
``lint-imports`` there: the run must fail, break exactly the contracts
listed (the first one is the contract the case is about; others that also
forbid the same import are listed with it), and name the planted module.
The clean copy must pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("sqlite_pass_only")


@dataclass(frozen=True)
class Plant:
    """Modules to write (or append to) and the contracts they must break."""

    modules: dict[str, str]
    broken: tuple[str, ...]
    shows: tuple[str, ...] = ()


PLANTS: dict[str, Plant] = {
    "domain imports sqlalchemy": Plant(
        {"product_catalog.domain.planted": "import sqlalchemy\n"},
        ("domain-purity",),
        ("product_catalog.domain.planted -> sqlalchemy",),
    ),
    "domain imports pydantic_settings": Plant(
        {"events.domain.planted": "from pydantic_settings import BaseSettings\n"},
        ("domain-purity",),
        ("events.domain.planted -> pydantic_settings",),
    ),
    "domain reaches sqlalchemy through a helper": Plant(
        {
            # A harmless-looking helper outside every layer...
            "shared_infrastructure.planted_helpers": "from sqlalchemy import func\n",
            # ...imported by a domain module: the chain is still found.
            "product_catalog.domain.planted": "import shared_infrastructure.planted_helpers\n",
        },
        ("domain-purity",),
        (
            "product_catalog.domain.planted -> shared_infrastructure.planted_helpers",
            "shared_infrastructure.planted_helpers -> sqlalchemy",
        ),
    ),
    "domain imports an application port": Plant(
        {"events.domain.planted": "import shared_infrastructure.application\n"},
        ("domain-no-infrastructure",),
        ("events.domain.planted -> shared_infrastructure.application",),
    ),
    "domain imports the shared persistence adapters": Plant(
        {"product_catalog.domain.planted": "import shared_infrastructure.persistence\n"},
        ("domain-no-infrastructure", "domain-purity"),
        ("product_catalog.domain.planted -> shared_infrastructure.persistence",),
    ),
    "application imports fastapi": Plant(
        {"product_catalog.application.planted": "from fastapi import HTTPException\n"},
        ("application-purity",),
        ("product_catalog.application.planted -> fastapi",),
    ),
    "application imports the shared database adapter": Plant(
        {"events.application.planted": "import shared_infrastructure.database.errors\n"},
        ("application-no-adapters", "application-purity"),
        ("events.application.planted -> shared_infrastructure.database.errors",),
    ),
    "context api imports sqlalchemy": Plant(
        {"product_catalog.api.planted": "from sqlalchemy import select\n"},
        ("api-no-persistence",),
        ("product_catalog.api.planted -> sqlalchemy",),
    ),
    "context api imports alembic": Plant(
        {"events.api.planted": "from alembic import op\n"},
        ("api-no-persistence",),
        ("events.api.planted -> alembic",),
    ),
    "context api imports the shared database adapter": Plant(
        {"events.api.planted": "from shared_infrastructure.database.helpers import transaction\n"},
        ("api-no-persistence",),
        ("events.api.planted -> shared_infrastructure.database.helpers",),
    ),
    "context api imports the shared persistence adapter": Plant(
        {"product_catalog.api.planted": "import shared_infrastructure.persistence\n"},
        ("api-no-persistence",),
        ("product_catalog.api.planted -> shared_infrastructure.persistence",),
    ),
    "context api reaches sqlalchemy through a helper": Plant(
        {
            # Only the web adapter's imports are excused: a helper elsewhere is not.
            "shared_infrastructure.planted_helpers": "from sqlalchemy import text\n",
            "events.api.planted": "import shared_infrastructure.planted_helpers\n",
        },
        ("api-no-persistence",),
        (
            "events.api.planted -> shared_infrastructure.planted_helpers",
            "shared_infrastructure.planted_helpers -> sqlalchemy",
        ),
    ),
    "context infrastructure imports fastapi": Plant(
        {"product_catalog.infrastructure.planted": "from fastapi import HTTPException\n"},
        ("infrastructure-no-web",),
        ("product_catalog.infrastructure.planted -> fastapi",),
    ),
    "context infrastructure imports starlette": Plant(
        {"events.infrastructure.planted": "from starlette.requests import Request\n"},
        ("infrastructure-no-web",),
        ("events.infrastructure.planted -> starlette",),
    ),
    "context infrastructure imports the shared web adapter": Plant(
        {"events.infrastructure.planted": "from shared_infrastructure.web import etag\n"},
        ("infrastructure-no-web",),
        ("events.infrastructure.planted -> shared_infrastructure.web",),
    ),
    "context infrastructure reaches starlette through a helper": Plant(
        {
            "shared_infrastructure.planted_helpers": "import starlette.responses\n",
            "product_catalog.infrastructure.planted": (
                "import shared_infrastructure.planted_helpers\n"
            ),
        },
        ("infrastructure-no-web",),
        ("shared_infrastructure.planted_helpers -> starlette",),
    ),
    "context api imports its infrastructure": Plant(
        {"product_catalog.api.planted": "import product_catalog.infrastructure\n"},
        # The infrastructure is built on SQLAlchemy: the router now reaches it too.
        ("context-layers", "api-no-persistence"),
        ("product_catalog.api.planted -> product_catalog.infrastructure",),
    ),
    "context infrastructure imports its api": Plant(
        {"events.infrastructure.planted": "import events.api\n"},
        # The api is built on FastAPI: the infrastructure now reaches it too.
        ("context-layers", "infrastructure-no-web"),
        ("events.infrastructure.planted -> events.api",),
    ),
    "context application imports its api": Plant(
        {"events.application.planted": "import events.api\n"},
        # events.api imports events.application: the upward import is a cycle too.
        ("context-layers", "application-no-adapters", "application-purity", "acyclic-siblings"),
        ("events.application.planted -> events.api",),
    ),
    "context grows a module outside the four layers": Plant(
        {"product_catalog.planted_utils": '"""Neither domain nor application."""\n'},
        ("context-layers",),
        ("product_catalog.planted_utils",),
    ),
    "product_catalog imports events": Plant(
        {"product_catalog.domain.planted": "import events.domain\n"},
        ("independent-contexts",),
        ("product_catalog.domain.planted -> events.domain",),
    ),
    "events imports product_catalog": Plant(
        {"events.infrastructure.planted": "import product_catalog.infrastructure\n"},
        ("independent-contexts",),
        ("events.infrastructure.planted -> product_catalog.infrastructure",),
    ),
    "shared_infrastructure imports a context": Plant(
        {"shared_infrastructure.web.planted": "import product_catalog.api\n"},
        ("workspace-layers",),
        ("shared_infrastructure.web.planted -> product_catalog.api",),
    ),
    "shared_infrastructure imports the service": Plant(
        {"shared_infrastructure.testing.planted": "import api\n"},
        ("workspace-layers",),
        ("shared_infrastructure.testing.planted -> api",),
    ),
    "a context imports the service": Plant(
        {"events.infrastructure.planted": "import api\n"},
        ("workspace-layers",),
        ("events.infrastructure.planted -> api",),
    ),
    "shared building block imports sqlalchemy": Plant(
        {"shared_infrastructure.application.planted": "import sqlalchemy.orm\n"},
        ("shared-building-blocks", "application-purity"),
        ("shared_infrastructure.application.planted -> sqlalchemy",),
    ),
    "shared building block imports the shared database adapter": Plant(
        {"shared_infrastructure.domain.planted": "import shared_infrastructure.database.base\n"},
        # database imports domain: importing it back from domain is a cycle too.
        (
            "shared-building-blocks",
            "domain-no-infrastructure",
            "domain-purity",
            "shared-layers",
            "acyclic-siblings",
        ),
        ("shared_infrastructure.domain.planted -> shared_infrastructure.database.base",),
    ),
    "shared database adapter imports the web adapter": Plant(
        {"shared_infrastructure.database.planted": "import shared_infrastructure.web\n"},
        ("shared-layers", "acyclic-siblings"),
        ("shared_infrastructure.database.planted -> shared_infrastructure.web",),
    ),
    "cycle between two domain modules": Plant(
        {
            "product_catalog.domain.planted_a": "from product_catalog.domain import planted_b\n",
            "product_catalog.domain.planted_b": "from product_catalog.domain import planted_a\n",
        },
        ("acyclic-siblings",),
        ("No cycles are allowed in product_catalog.domain.", ".planted_b -> .planted_a"),
    ),
}


def test_every_contract_is_proven_by_a_planted_violation() -> None:
    configured = set(_contract_ids())
    proven = {plant.broken[0] for plant in PLANTS.values()}
    assert configured == proven


def test_every_ignored_import_is_justified_by_a_comment() -> None:
    """An ``ignore_imports`` entry needs a comment line right above it."""
    lines = (ROOT / "importlinter.ini").read_text(encoding="utf-8").splitlines()
    unjustified: list[str] = []
    for index, line in enumerate(lines):
        if not line.strip().startswith("ignore_imports"):
            continue
        entries = [line.partition("=")[2]] if line.partition("=")[2].strip() else []
        position = index + 1
        while position < len(lines) and lines[position][:1].isspace() and lines[position].strip():
            entries.append(lines[position])
            position += 1
        previous = lines[index - 1].strip()
        for offset, entry in enumerate(entries):
            if entry.strip().startswith("#"):
                previous = entry.strip()
                continue
            if not previous.startswith("#"):
                unjustified.append(entry.strip() or f"line {index + 1 + offset}")
            previous = entry.strip()
    assert not unjustified


def _contract_ids() -> list[str]:
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / "importlinter.ini", encoding="utf-8")
    prefix = "importlinter:contract:"
    return [s.removeprefix(prefix) for s in parser.sections() if s.startswith(prefix)]


def test_the_clean_tree_keeps_every_contract(source_tree: Any) -> None:
    origins = source_tree.module_origins(
        "shared_infrastructure", "product_catalog", "events", "api"
    )
    for name, origin in origins.items():
        assert origin.is_relative_to(source_tree.root), f"{name} resolved to {origin}"

    result = source_tree.lint()

    assert result.returncode == 0, result.explain()
    assert result.broken == frozenset(), result.explain()
    assert result.kept == frozenset(_contract_ids()), result.explain()


@pytest.mark.parametrize("case", list(PLANTS))
def test_a_planted_violation_breaks_its_contract(source_tree: Any, case: str) -> None:
    plant = PLANTS[case]
    for module, source in plant.modules.items():
        source_tree.plant(module, source)

    result = source_tree.lint()

    assert result.returncode != 0, result.explain()
    assert result.broken == frozenset(plant.broken), result.explain()
    # The planted modules exist only in the copy: seeing them proves the
    # copy, not the checkout, was analysed.
    for text in plant.shows:
        assert text in result.output, result.explain()


# Imports a rule allows on purpose: planting them must keep every contract.
ALLOWED: dict[str, dict[str, str]] = {
    "context api uses the whole shared web adapter": {
        # shared_infrastructure.web is built on the database adapters and
        # SQLAlchemy; a router may still use all of it.
        "product_catalog.api.planted": (
            "import shared_infrastructure.web\n"
            "from shared_infrastructure.web.dependencies import DbSession\n"
        ),
    },
    "context infrastructure uses the shared database and persistence adapters": {
        "events.infrastructure.planted": (
            "import shared_infrastructure.database\nimport shared_infrastructure.persistence\n"
        ),
    },
}


@pytest.mark.parametrize("case", list(ALLOWED))
def test_an_allowed_import_keeps_every_contract(source_tree: Any, case: str) -> None:
    for module, source in ALLOWED[case].items():
        source_tree.plant(module, source)

    result = source_tree.lint()

    assert result.returncode == 0, result.explain()
    assert result.kept == frozenset(_contract_ids()), result.explain()


def _add_root_package(tree: Any, name: str) -> None:
    config = tree.root / "importlinter.ini"
    text = config.read_text(encoding="utf-8")
    anchor = "root_packages =\n"
    assert anchor in text
    config.write_text(text.replace(anchor, f"{anchor}    {name}\n", 1), encoding="utf-8")


def test_a_new_context_is_covered_once_its_name_is_a_root_package(
    source_tree: Any, unused_contexts: Any
) -> None:
    # A name no member uses yet, whatever contexts the workspace already has.
    [names] = unused_contexts(source_tree.root)
    new = names.package
    package = source_tree.root / names.directory / "src" / new
    for layer in ("", "domain", "application", "infrastructure", "api"):
        (package / layer).mkdir(parents=True)
        (package / layer / "__init__.py").write_text('"""New context."""\n', encoding="utf-8")
    (package / "domain" / f"{names.aggregate}.py").write_text(
        "import sqlalchemy\nimport product_catalog.domain\n", encoding="utf-8"
    )
    (package / "api" / "routes.py").write_text(f"import {new}.infrastructure\n", encoding="utf-8")
    (package / "infrastructure" / "records.py").write_text("import api\n", encoding="utf-8")
    _add_root_package(source_tree, new)

    result = source_tree.lint()

    assert result.returncode != 0, result.explain()
    assert result.broken == frozenset(
        {"domain-purity", "independent-contexts", "context-layers", "workspace-layers"}
    ), result.explain()
    assert f"{new}.domain.{names.aggregate} -> sqlalchemy" in result.output
    assert f"{new}.domain.{names.aggregate} -> product_catalog.domain" in result.output
    assert f"{new}.api.routes -> {new}.infrastructure" in result.output
    assert f"{new}.infrastructure.records -> api" in result.output


def test_a_context_missing_a_layer_is_an_error(source_tree: Any, unused_contexts: Any) -> None:
    [names] = unused_contexts(source_tree.root)
    package = source_tree.root / names.directory / "src" / names.package
    for layer in ("", "domain", "application"):
        (package / layer).mkdir(parents=True)
        (package / layer / "__init__.py").write_text('"""New context."""\n', encoding="utf-8")
    _add_root_package(source_tree, names.package)

    result = source_tree.lint()

    assert result.returncode != 0, result.explain()
    assert f"Missing layer in container '{names.package}'" in result.output, result.explain()


def test_declaring_an_unknown_package_shared_is_an_error(source_tree: Any) -> None:
    config = source_tree.root / "importlinter.ini"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("shared = shared_infrastructure", "shared = shared_infra", 1),
        encoding="utf-8",
    )

    result = source_tree.lint()

    assert result.returncode != 0, result.explain()
    assert "shared_infra must be listed in root_packages" in result.output, result.explain()

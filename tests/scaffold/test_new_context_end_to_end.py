"""``uv run api new-context`` in a copy of the workspace leaves a green tree.

The copy gets its own virtual environment from the lock (from uv's cache;
``uv lock`` may ask the package index for what the cache lacks, e.g. on a
fresh machine) and runs the scaffold as a user would; then ``uv lock``, the import
contracts, ruff, mypy, the new context's tests and a smoke run of the
service: every migration branch upgraded and checked through ``api
migrate``, the new routes served by the real app. Nothing is edited by
hand in between.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = shutil.which("uv")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("sqlite_pass_only"),
    pytest.mark.skipif(UV is None, reason="uv is not on PATH"),
]


def _env(workspace: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT")
        and not key.startswith(("DATABASE_", "DB_", "PYTEST_"))
    }
    env.update(UV_NO_PROGRESS="1", NO_COLOR="1", COLUMNS="200")
    env["DATABASE_URL"] = f"sqlite:///{workspace / 'data' / 'app.db'}"
    return env


def _run(workspace: Path, *command: str, timeout: float = 300) -> str:
    """``uv COMMAND...`` in the copy; its output, or a failure showing it."""
    assert UV is not None
    completed = subprocess.run(
        [UV, *command],
        cwd=workspace,
        env=_env(workspace),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"$ uv {' '.join(command)}\n{output}"
    return output


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, workspace_copier: Callable[[Path], Path]
) -> Path:
    copy = tmp_path_factory.mktemp("scaffold") / "workspace"
    workspace_copier(copy)
    (copy / "data").mkdir(exist_ok=True)
    return copy


# Two words, so that the distribution (loyalty-points) and the import name
# (loyalty_points) differ, as do the aggregate and the context. The next
# candidates serve when a workspace already has a context of that name
# (e.g. this test running inside a scaffolded copy).
CANDIDATES = (
    ("loyalty-points", "PointAccount", "point_accounts"),
    ("parcel-shipping", "ParcelLabel", "parcel_labels"),
    ("stock-keeping", "StockItem", "stock_items"),
)


def _free_candidate(workspace: Path) -> tuple[str, str, str]:
    sources = "\n".join(
        path.read_text(encoding="utf-8") for path in workspace.glob("packages/*/src/**/*.py")
    )
    for name, aggregate, table in CANDIDATES:
        if not (workspace / "packages" / name).exists() and f'"{table}"' not in sources:
            return name, aggregate, table
    raise AssertionError("every candidate context name is taken")


def test_a_scaffolded_context_is_green_with_no_manual_edit(workspace: Path) -> None:
    name, aggregate, table = _free_candidate(workspace)
    module = name.replace("-", "_")
    route = table.replace("_", "-")
    _run(workspace, "sync", "--frozen")

    output = _run(
        workspace, "run", "--frozen", "api", "new-context", name, "--aggregate", aggregate
    )
    assert f"Created packages/{name}" in output

    package = workspace / "packages" / name
    for layer in ("domain", "application", "infrastructure", "api"):
        assert (package / "src" / module / layer / "__init__.py").is_file()
        assert list((package / "tests" / layer).glob("test_*.py")), layer
    versions = package / "src" / module / "infrastructure" / "migrations" / "versions"
    [revision] = versions.glob(f"*_create_{table}.py")
    assert f"('{module}',)" in revision.read_text(encoding="utf-8").replace('"', "'")

    _run(workspace, "lock")
    _run(workspace, "lock", "--check")
    _run(workspace, "sync", "--frozen")

    contracts = _run(
        workspace, "run", "--frozen", "lint-imports", "--config", "importlinter.ini", "--no-cache"
    )
    assert "0 broken" in contracts

    _run(workspace, "run", "--frozen", "ruff", "check", str(package), "services/api/src")
    _run(workspace, "run", "--frozen", "ruff", "format", "--check", str(package))
    _run(workspace, "run", "--frozen", "mypy", f"{package}/src", "services/api/src")

    tests = _run(
        workspace,
        "run",
        "--frozen",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        f"{package}/tests",
        timeout=600,
    )
    assert " passed" in tests
    assert "failed" not in tests

    # The service knows the context: its Alembic environment builds the whole
    # schema (every branch) with no drift, and the app serves the new routes.
    (workspace / "service_smoke.py").write_text(SERVICE_SMOKE, encoding="utf-8")
    smoke = _run(workspace, "run", "--frozen", "python", "service_smoke.py", route)
    assert "smoke ok" in smoke
    with closing(sqlite3.connect(workspace / "data" / "app.db")) as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert {table, "products", "events"} <= tables


SERVICE_SMOKE = """
import asyncio
import sys

import httpx

from api.app import create_app
from api.cli import main
from shared_infrastructure.config.settings import load_settings

route = sys.argv[1]
assert main(["migrate", "upgrade"]) == 0
assert main(["migrate", "check"]) == 0


async def serve() -> None:
    app = create_app(load_settings(database_url="sqlite://"), apply_migrations=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post(f"/{route}", json={"name": "First"})
            assert created.status_code == 201, created.text
            listed = await client.get(f"/{route}")
            assert listed.json()["total"] == 1, listed.text
            tags = {tag["name"] for tag in (await client.get("/openapi.json")).json()["tags"]}
            assert route in tags, tags


asyncio.run(serve())
print("smoke ok")
"""

"""``api --help`` answers without importing the database or web stack.

The parser is built from the standard library and the scaffold; a command
imports SQLAlchemy, Alembic, the contexts or uvicorn only once its
arguments are parsed. Checked on the modules a fresh interpreter holds after
the help was printed, not on a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SUBPROCESS_SECONDS = 120

# Packages whose import is what made `api --help` take seconds.
HEAVY = frozenset(
    {
        "sqlalchemy",
        "alembic",
        "fastapi",
        "uvicorn",
        "pydantic",
        "pydantic_settings",
        "aiosqlite",
        "psycopg",
        "asyncpg",
        "pymysql",
        "aiomysql",
        "asyncmy",
        "product_catalog",
        "events",
        "api.contexts",
        "api.app",
        "api.migrations",
        "shared_infrastructure.database",
        "shared_infrastructure.persistence",
    }
)

SCRIPT = """
import contextlib, io, json, sys
{preload}
from api.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[1:])
    except SystemExit as done:
        code = done.code
print(json.dumps({{"code": code, "help": out.getvalue(), "modules": sorted(sys.modules)}}))
"""


def heavy_modules_after(*argv: str, preload: str = "") -> tuple[set[str], str]:
    """The heavy packages (or modules) imported by ``api ARGV``, and its output."""
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(preload=preload), *argv],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        check=True,
    )
    report = json.loads(completed.stdout)
    assert report["code"] == 0, completed.stderr
    found = {
        heavy
        for module in report["modules"]
        for heavy in HEAVY
        if module == heavy or module.startswith(f"{heavy}.")
    }
    return found, report["help"]


@pytest.fixture(autouse=True)
def _once_per_run(db_kind: str) -> None:
    """No database involved: the SQLite pass of CI runs it."""
    if db_kind != "sqlite":
        pytest.skip("independent of the test database: runs in the SQLite pass")


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("serve", "--help"),
        ("migrate", "--help"),
        ("migrate", "upgrade", "--help"),
        ("new-context", "--help"),
    ],
    ids=" ".join,
)
def test_help_imports_no_database_or_web_stack(argv: tuple[str, ...]) -> None:
    heavy, help_text = heavy_modules_after(*argv)

    assert heavy == set()
    assert help_text.startswith("usage: api")


def test_a_context_option_lists_the_contexts_in_its_help() -> None:
    # Listing the choices is what needs the registry: only that help imports it.
    heavy, help_text = heavy_modules_after("seed", "--help")

    assert "product_catalog" in help_text
    assert "events" in help_text
    assert "api.contexts" in heavy


def test_the_check_sees_an_eager_import() -> None:
    # The same check, with the registry imported up front, reports it.
    heavy, _ = heavy_modules_after("--help", preload="import api.contexts")

    assert {"sqlalchemy", "fastapi", "api.contexts", "product_catalog", "events"} <= heavy


def test_a_missing_driver_is_a_one_line_error_naming_the_extra(tmp_path: Path) -> None:
    # Drivers are extras of shared-infrastructure: without psycopg installed
    # (simulated: None in sys.modules blocks the import), a PostgreSQL URL
    # fails at start with what to install, not a traceback.
    script = (
        "import sys\n"
        "sys.modules['psycopg'] = None\n"
        "from api.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "migrate",
            "current",
            "--database-url",
            "postgresql://app:secret@127.0.0.1:1/app",
        ],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        cwd=tmp_path,
    )

    assert completed.returncode == 2, completed.stderr
    # (Alembic's INFO lines may come first: the error is the last line.)
    assert completed.stderr.strip().splitlines()[-1:] == [
        "api: invalid settings: DATABASE_URL postgresql+psycopg://app:***@127.0.0.1:1/app "
        "needs the psycopg driver, which is not installed: "
        "install shared-infrastructure[postgresql]"
    ]

"""A user who follows docs/adding-a-bounded-context.md (``uv run api
new-context billing --aggregate Invoice``) and then runs the workspace's
tests gets no failure from tests that invent a context of their own.

In a copy of the workspace: run the documented command, then the
workspace-level tests that create, plant or register a new context (they
must pick a name that is still free rather than assume one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "adding-a-bounded-context.md"
COMMAND = ("new-context", "billing", "--aggregate", "Invoice")
# The tests that make up a context; the planted-violation cases do not.
NAME_SENSITIVE = (
    "tests/scaffold/test_scaffold_pieces.py",
    "tests/architecture/test_import_contracts.py::test_the_clean_tree_keeps_every_contract",
    "tests/architecture/test_import_contracts.py"
    "::test_a_new_context_is_covered_once_its_name_is_a_root_package",
    "tests/architecture/test_import_contracts.py::test_a_context_missing_a_layer_is_an_error",
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sqlite_pass_only")]


def _env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONPATH" and not key.startswith(("DATABASE_", "DB_", "PYTEST_"))
    }
    env.update(TEST_DATABASE="sqlite", NO_COLOR="1", COLUMNS="200")
    return env


def _run(workspace: Path, *arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, *arguments],
        cwd=workspace,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"$ python {' '.join(arguments)}\n{output}"
    return output


def test_the_documented_command_is_the_one_run_here() -> None:
    assert f"uv run api {' '.join(COMMAND)}" in DOCUMENT.read_text(encoding="utf-8")


def test_workspace_tests_pass_after_following_the_docs(
    tmp_path: Path, unused_contexts: Any, workspace_copier: Any
) -> None:
    if unused_contexts(ROOT)[0].package != "billing":
        pytest.skip("this workspace already has billing: the suite runs with it anyway")
    workspace = tmp_path / "workspace"
    workspace_copier(workspace)

    created = _run(workspace, "-m", "api", *COMMAND)
    assert "Created packages/billing" in created

    tests = _run(workspace, "-m", "pytest", "-p", "no:cacheprovider", "-q", *NAME_SENSITIVE)
    summary = tests.strip().splitlines()[-1]
    assert " passed" in summary, tests
    assert "failed" not in summary, tests
    assert "error" not in summary, tests

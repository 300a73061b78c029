"""The code in ``docs/`` runs.

Fenced blocks, by their info string:

``python``
    Run. The blocks of one document run in order, in one namespace, in a
    fresh interpreter whose working directory is a temporary directory
    (so files the examples create land there, and settings files of the
    checkout are not picked up). A traceback points at the line of the
    Markdown file.
``python pytest``
    Test code: the blocks of one document are written to one test module and
    run with pytest (the workspace's pytest configuration and plugin), which
    must pass.
``python no-run: <reason>``
    Only compiled. The reason is mandatory (e.g. a server that never returns).

Other languages (``bash``, ``toml``, ``ini``, ``text``) are not run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DOCUMENTS = sorted(DOCS.rglob("*.md"))
REQUIRED = (
    "architecture.md",
    "database.md",
    "migrations.md",
    "testing.md",
    "adding-a-bounded-context.md",
    "configuration.md",
)

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^`\n]*)$")
_NO_RUN = re.compile(r"^python no-run:\s*\S")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    """Line of the Markdown file where the code starts (1-based)."""
    info: str
    code: str

    @property
    def kind(self) -> str:
        if self.info == "python":
            return "run"
        if self.info == "python pytest":
            return "pytest"
        if _NO_RUN.match(self.info):
            return "no-run"
        if self.info.startswith("python"):
            return "invalid"
        return "other"

    def compiled_source(self) -> str:
        """The code, shifted so that line numbers match the Markdown file."""
        return "\n" * (self.line - 1) + self.code


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        start = index - len(body) + 1
        found.append(Block(path, start, opening["info"].strip(), "\n".join(body) + "\n"))
        index += 1
    return found


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


def _env(*, keep: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment minus settings that would change what examples do
    (examples name their databases); ``keep`` lets some through."""
    env = dict(os.environ)
    for name in list(env):
        if name in keep:
            continue
        if name.startswith(("DATABASE_", "DB_", "APP_", "TEST_")) or name == "PYTHONPATH":
            del env[name]
    return env


RUNNER = textwrap.dedent(
    """
    import json, sys
    namespace = {"__name__": "__main__"}
    for block in json.load(sys.stdin):
        exec(compile(block["source"], block["path"], "exec"), namespace)
    """
)


def test_every_required_document_exists() -> None:
    missing = [name for name in REQUIRED if not (DOCS / name).is_file()]
    assert not missing
    assert list((DOCS / "adr").glob("0*.md"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_python_blocks_are_marked_run_pytest_or_no_run_with_a_reason(path: Path) -> None:
    invalid = [f"{path.name}:{b.line} {b.info!r}" for b in blocks(path) if b.kind == "invalid"]
    assert not invalid, "use ```python, ```python pytest or ```python no-run: <reason>"
    for block in blocks(path):
        if block.kind in ("run", "pytest", "no-run"):
            compile(block.compiled_source(), str(block.path), "exec")


def test_every_decision_record_is_listed_in_the_index() -> None:
    index = (DOCS / "adr" / "README.md").read_text(encoding="utf-8")
    unlisted = [p.name for p in sorted((DOCS / "adr").glob("0*.md")) if f"({p.name})" not in index]
    assert not unlisted


def test_every_setting_is_documented() -> None:
    from shared_infrastructure.config import Settings

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name.upper()}`" not in text]
    assert not missing


RUNNABLE = [path for path in DOCUMENTS if any(b.kind == "run" for b in blocks(path))]
TESTED = [path for path in DOCUMENTS if any(b.kind == "pytest" for b in blocks(path))]


@pytest.mark.usefixtures("sqlite_pass_only")  # the examples name their (SQLite) databases
@pytest.mark.parametrize("path", RUNNABLE, ids=_id)
def test_python_examples_run(path: Path, tmp_path: Path) -> None:
    payload = [
        {"path": str(block.path), "source": block.compiled_source()}
        for block in blocks(path)
        if block.kind == "run"
    ]
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(payload),
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("path", TESTED, ids=_id)
def test_python_test_examples_pass(path: Path, tmp_path: Path, db_kind: str) -> None:
    """On the database this run uses (``--db``/``TEST_DATABASE``)."""
    module = tmp_path / f"test_doc_{path.stem.replace('-', '_')}.py"
    module.write_text(
        "\n".join(
            f"# {_id(path)}, line {block.line}\n{block.code}"
            for block in blocks(path)
            if block.kind == "pytest"
        ),
        encoding="utf-8",
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
            "-q",
            "--db",
            db_kind,
            str(module),
        ],
        cwd=tmp_path,
        env=_env(keep=("TEST_POSTGRESQL_URL", "TEST_MARIADB_URL")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr

"""The sync twins are generated from their async modules, and stay current.

``packages/shared-infrastructure/codegen/unasync.py`` writes them when the
package is built or installed (``uv sync``, ``uv run``); these tests fail
when a twin on disk differs from what its async source gives, and prove the
generator on small sources.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "packages" / "shared-infrastructure"

pytestmark = pytest.mark.usefixtures("sqlite_pass_only")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync", PACKAGE / "codegen" / "unasync.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("unasync", module)
    spec.loader.exec_module(module)
    return module


unasync = _load_generator()


def test_every_twin_on_disk_is_what_its_async_module_gives() -> None:
    # Fails after an edit of an async module that no install regenerated
    # (``uv run`` does it; ``--no-sync`` does not): run
    # ``uv run --frozen python packages/shared-infrastructure/codegen/unasync.py``.
    assert [twin.target for twin in unasync.stale(PACKAGE)] == []


def test_the_sync_repository_is_generated_from_the_async_one() -> None:
    [twin] = [t for t in unasync.TWINS if t.target.endswith("repository/sync.py")]
    generated = twin.target_path(PACKAGE).read_text(encoding="utf-8")
    assert generated.startswith("# Generated from async_.py")
    assert "class SyncBaseRepository(RepositoryBase[ModelT, Session]):" in generated
    assert "from sqlalchemy.orm import Session" in generated
    tree = ast.parse(generated)
    [repository] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    methods = {node.name for node in repository.body if isinstance(node, ast.FunctionDef)}
    source = ast.parse(twin.source_path(PACKAGE).read_text(encoding="utf-8"))
    [async_repository] = [node for node in source.body if isinstance(node, ast.ClassDef)]
    assert methods == {
        node.name for node in async_repository.body if isinstance(node, ast.AsyncFunctionDef)
    }
    assert not [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef | ast.Await | ast.AsyncWith | ast.AsyncFor)
    ]


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """The twins' sources and current targets, copied where a test may edit them."""
    for twin in unasync.TWINS:
        for relative in (twin.source, twin.target):
            target = tmp_path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PACKAGE / relative, target)
    assert unasync.stale(tmp_path) == []
    return tmp_path


def _repository_twin() -> Any:
    return next(t for t in unasync.TWINS if t.target.endswith("repository/sync.py"))


def test_a_hand_edited_twin_is_stale_and_rewritten(package_copy: Path) -> None:
    twin = _repository_twin()
    target = twin.target_path(package_copy)
    target.write_text(target.read_text(encoding="utf-8") + "PATCHED = True\n", encoding="utf-8")

    assert unasync.stale(package_copy) == [twin]
    assert unasync.write(package_copy) == [twin]
    assert unasync.stale(package_copy) == []
    assert "PATCHED" not in target.read_text(encoding="utf-8")


def test_an_edited_async_module_makes_its_twin_stale(package_copy: Path) -> None:
    twin = _repository_twin()
    source = twin.source_path(package_copy)
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("    async def count(", "    async def count_rows(", 1), encoding="utf-8"
    )

    assert unasync.stale(package_copy) == [twin]
    unasync.write(package_copy)
    target = twin.target_path(package_copy).read_text(encoding="utf-8")
    assert "    def count_rows(" in target


def test_a_missing_twin_is_stale(package_copy: Path) -> None:
    twin = _repository_twin()
    twin.target_path(package_copy).unlink()

    assert unasync.stale(package_copy) == [twin]


def test_check_exits_1_naming_the_stale_twin(
    package_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert unasync.main(["--check"], root=package_copy) == 0

    twin = _repository_twin()
    twin.target_path(package_copy).write_text("# stale\n", encoding="utf-8")

    assert unasync.main(["--check"], root=package_copy) == 1
    assert "stale: src/shared_infrastructure/database/repository/sync.py" in capsys.readouterr().err
    assert unasync.main([], root=package_copy) == 0
    assert unasync.main(["--check"], root=package_copy) == 0


# -- the generator on small sources ------------------------------------------------

SOURCE = '''\
"""Works on an ``AsyncSession``."""

from sqlalchemy.ext.asyncio import AsyncSession


class Reader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session  # an AsyncSession, never an AsyncSessionMaker

    async def __aenter__(self) -> "Reader":
        return self

    async def rows(self) -> list[int]:
        async with self.session.begin():
            found = [row async for row in await self.session.stream_scalars(1)]
            async for row in self.session.scalars_iter():
                found.append(row)
            return (await self.first()) + found
'''

RENAMES = {
    "sqlalchemy.ext.asyncio": "sqlalchemy.orm",
    "AsyncSession": "Session",
    "stream_scalars": "scalars",
    "scalars_iter": "scalars",
}


def test_async_and_await_are_taken_out_and_names_swapped() -> None:
    result = unasync.unasync(SOURCE, {**unasync.PROTOCOL_RENAMES, **RENAMES})

    assert (
        result
        == '''\
"""Works on an ``Session``."""

from sqlalchemy.orm import Session


class Reader:
    def __init__(self, session: Session) -> None:
        self.session = session  # an Session, never an AsyncSessionMaker

    def __enter__(self) -> "Reader":
        return self

    def rows(self) -> list[int]:
        with self.session.begin():
            found = [row for row in self.session.scalars(1)]
            for row in self.session.scalars():
                found.append(row)
            return (self.first()) + found
'''
    )


def test_a_name_left_asynchronous_is_refused() -> None:
    source = "import asyncio\n\n\nasync def pause() -> None:\n    await asyncio.sleep(1)\n"

    with pytest.raises(unasync.UnasyncError, match=r"line 1: 'asyncio' is still asynchronous"):
        unasync.unasync(source, {})


def test_a_rename_covers_a_name_left_asynchronous() -> None:
    source = "import asyncio\n\n\nasync def pause() -> None:\n    await asyncio.sleep(1)\n"

    result = unasync.unasync(source, {"asyncio": "time"})

    assert result == "import time\n\n\ndef pause() -> None:\n    time.sleep(1)\n"

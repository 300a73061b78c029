"""Fixtures of the workspace-level tests: copies of the source tree and
``lint-imports`` runs on them.

The workspace's virtual environment has every member installed in editable
mode, pointing at this checkout. A copy is analysed instead by putting the
copied ``src`` directories first on ``PYTHONPATH`` (grimp finds packages
through ``sys.path``); :meth:`SourceTree.lint` checks that it really was.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pytest

from api.scaffold import ContextNames

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "importlinter.ini"
# What the contracts need besides the members' sources.
CONTRACT_SUPPORT = ("tools",)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".import_linter_cache")
# "NAME KEPT", "NAME BROKEN"; a contract with ignore_imports adds "(N ignored imports)".
_VERDICT = re.compile(r"^(?P<name>.+?) (?P<verdict>KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: end-to-end test running uv and the test suite in a copy of the workspace",
    )


def bin_dir() -> Path:
    """The directory of the running interpreter's console scripts."""
    return Path(sys.executable).parent


def member_src_dirs(root: Path) -> list[Path]:
    """``src`` of every workspace member, packages first, sorted."""
    return sorted(root.glob("packages/*/src")) + sorted(root.glob("services/*/src"))


def contract_names(config_file: Path) -> dict[str, str]:
    """Contract id (``[importlinter:contract:ID]``) -> its ``name``."""
    parser = configparser.ConfigParser()
    parser.read(config_file, encoding="utf-8")
    prefix = "importlinter:contract:"
    return {
        section.removeprefix(prefix): parser[section]["name"]
        for section in parser.sections()
        if section.startswith(prefix)
    }


@dataclass(frozen=True)
class LintResult:
    returncode: int
    output: str
    kept: frozenset[str]
    broken: frozenset[str]

    def explain(self) -> str:
        return f"lint-imports exited {self.returncode}:\n{self.output}"


@dataclass
class SourceTree:
    """A copy of the members' sources, the contracts and their support code."""

    root: Path
    planted: list[Path] = field(default_factory=list)

    @property
    def src_dirs(self) -> list[Path]:
        return member_src_dirs(self.root)

    def module_path(self, module: str) -> Path:
        """Where ``module`` (``pkg.sub.name``) lives, or would live, in the copy."""
        top, *rest = module.split(".")
        for src in self.src_dirs:
            if (src / top / "__init__.py").is_file():
                return src.joinpath(top, *rest).with_suffix(".py")
        raise LookupError(f"no member of the copy holds the package {top!r}")

    def plant(self, module: str, source: str) -> Path:
        """Write (or append to) a module of the copy."""
        path = self.module_path(module)
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(existing + source, encoding="utf-8")
        self.planted.append(path)
        return path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # The copy first: it shadows the editable installs of the checkout.
        env["PYTHONPATH"] = os.pathsep.join(
            [*(str(src) for src in self.src_dirs), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep)
        env["COLUMNS"] = "250"  # one contract per line, never wrapped
        env["NO_COLOR"] = "1"
        return env

    def module_origins(self, *modules: str) -> dict[str, Path]:
        """Where the interpreter finds ``modules`` with this tree's environment."""
        script = (
            "import importlib.util, sys\n"
            "for name in sys.argv[1:]:\n"
            "    print(importlib.util.find_spec(name).origin)\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", script, *modules],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return {
            name: Path(line)
            for name, line in zip(modules, completed.stdout.splitlines(), strict=True)
        }

    def lint(self) -> LintResult:
        completed = subprocess.run(
            [str(bin_dir() / "lint-imports"), "--config", CONFIG, "--no-cache", "--no-logo"],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = completed.stdout + completed.stderr
        names = {name: key for key, name in contract_names(self.root / CONFIG).items()}
        verdicts: dict[str, set[str]] = {"KEPT": set(), "BROKEN": set()}
        for line in output.splitlines():
            match = _VERDICT.match(line.strip())
            if match and match["name"] in names:
                verdicts[match["verdict"]].add(names[match["name"]])
        return LintResult(
            completed.returncode,
            output,
            frozenset(verdicts["KEPT"]),
            frozenset(verdicts["BROKEN"]),
        )


def copy_sources(destination: Path, root: Path = ROOT) -> SourceTree:
    """Copy ``packages/*/src``, ``services/*/src``, the contracts and their
    support code: all ``lint-imports`` needs."""
    for src in member_src_dirs(root):
        shutil.copytree(src, destination / src.relative_to(root), ignore=IGNORED)
    shutil.copy2(root / CONFIG, destination / CONFIG)
    for name in CONTRACT_SUPPORT:
        shutil.copytree(root / name, destination / name, ignore=IGNORED)
    return SourceTree(destination)


@pytest.fixture
def sqlite_pass_only(db_kind: str) -> None:
    """For tests that do not touch the test database: CI runs the suite once
    per database, these need to run once."""
    if db_kind != "sqlite":
        pytest.skip("independent of the test database: runs in the SQLite pass")


@pytest.fixture(scope="session")
def pristine_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the checkout per run; tests copy it again to change it."""
    return copy_sources(tmp_path_factory.mktemp("pristine")).root


@pytest.fixture
def source_tree(pristine_sources: Path, tmp_path: Path) -> SourceTree:
    """A private copy of the sources that a test may change."""
    destination = tmp_path / "workspace"
    shutil.copytree(pristine_sources, destination)
    return SourceTree(destination)


# -- context names no workspace member uses ----------------------------------------

# Tried in order; the numbered fallbacks serve when a workspace already has
# every one of them (e.g. someone followed docs/adding-a-bounded-context.md
# and created ``billing`` for real).
CONTEXT_CANDIDATES = (
    ("billing", "Invoice"),
    ("invoicing", "Bill"),
    ("parcel-shipping", "ParcelLabel"),
)


def _candidates() -> Iterator[ContextNames]:
    for name, aggregate in CONTEXT_CANDIDATES:
        yield ContextNames.derive(name, aggregate=aggregate)
    for number in count(1):
        yield ContextNames.derive(f"probe-context{number}", aggregate=f"ProbeItem{number}")


def _root_packages(root: Path) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(root / CONFIG, encoding="utf-8")
    return set(parser["importlinter"]["root_packages"].split())


def find_unused_contexts(root: Path = ROOT, number: int = 1) -> list[ContextNames]:
    """``number`` contexts the workspace at ``root`` could still create: no
    member directory, package, root package of the contracts, installed
    module or table of that name, and no two sharing a name or a table."""
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for src in member_src_dirs(root)
        for path in src.rglob("*.py")
    )
    taken = _root_packages(root)
    found: list[ContextNames] = []
    for names in _candidates():
        if len(found) == number:
            return found
        if (
            (root / names.directory).exists()
            or any((src / names.package).exists() for src in member_src_dirs(root))
            or names.package in taken
            or importlib.util.find_spec(names.package) is not None
            or any(f"{quote}{names.table}{quote}" in sources for quote in "\"'")
            or any(names.table == other.table for other in found)
        ):
            continue
        found.append(names)
        taken.add(names.package)
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.fixture
def unused_contexts() -> Callable[..., list[ContextNames]]:
    """``unused_contexts(root=ROOT, number=1)``: see :func:`find_unused_contexts`."""
    return find_unused_contexts


# Not copied into a sandbox workspace: environments, caches, local data, VCS.
WORKSPACE_IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "__pycache__",
    "*.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".import_linter_cache",
    "*.db",
    "*.db-*",
    "results",
)


def copy_workspace(target: Path) -> Path:
    """The workspace's sources at ``target``, without environments or data."""
    shutil.copytree(ROOT, target, ignore=WORKSPACE_IGNORE)
    return target


@pytest.fixture(scope="session")
def workspace_copier() -> Callable[[Path], Path]:
    """``workspace_copier(target)``: see :func:`copy_workspace`."""
    return copy_workspace

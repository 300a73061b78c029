"""Every workspace member's package is checked by the import contracts.

grimp builds the graph only from the packages named in ``importlinter.ini``'s
``root_packages``: a member whose package is missing there is not checked
at all, and every contract still reports KEPT. These tests read the members
the way uv does (``[tool.uv.workspace]`` of the root ``pyproject.toml``) and
fail on a package the contracts would not see.
"""

from __future__ import annotations

import configparser
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("sqlite_pass_only")


def workspace_members(root: Path) -> list[Path]:
    """Member directories, as uv resolves ``members`` and ``exclude`` globs."""
    workspace = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["uv"][
        "workspace"
    ]
    excluded = {path for pattern in workspace.get("exclude", []) for path in root.glob(pattern)}
    return sorted(
        path
        for pattern in workspace["members"]
        for path in root.glob(pattern)
        if (path / "pyproject.toml").is_file() and path not in excluded
    )


def member_packages(member: Path) -> list[str]:
    """Import packages of a member (src layout: ``src/<name>/__init__.py``)."""
    src = member / "src"
    if not src.is_dir():
        return []
    return sorted(path.parent.name for path in src.glob("*/__init__.py"))


def root_packages(root: Path) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(root / "importlinter.ini", encoding="utf-8")
    return set(parser["importlinter"]["root_packages"].split())


def unchecked_packages(root: Path) -> dict[str, str]:
    """Package (or member without one) -> why the contracts do not check it."""
    checked = root_packages(root)
    problems: dict[str, str] = {}
    for member in workspace_members(root):
        relative = member.relative_to(root).as_posix()
        packages = member_packages(member)
        if not packages:
            problems[relative] = f"{relative} has no package under src/ for the contracts to check"
        for package in packages:
            if package not in checked:
                problems[package] = (
                    f"{package} ({relative}) is missing from root_packages in importlinter.ini"
                )
    return problems


def test_every_workspace_package_is_a_root_package() -> None:
    assert unchecked_packages(ROOT) == {}


def test_the_members_found_are_the_workspace_as_uv_sees_it() -> None:
    # Guards the reading itself: an empty member list would make the check vacuous.
    found = {package for member in workspace_members(ROOT) for package in member_packages(member)}
    assert {"shared_infrastructure", "product_catalog", "events", "api"} <= found


@pytest.fixture
def workspace(source_tree: Any) -> Path:
    """The source copy plus the workspace's and members' pyproject files."""
    shutil.copy2(ROOT / "pyproject.toml", source_tree.root / "pyproject.toml")
    for member in workspace_members(ROOT):
        target = source_tree.root / member.relative_to(ROOT)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(member / "pyproject.toml", target / "pyproject.toml")
    root: Path = source_tree.root
    assert unchecked_packages(root) == {}
    return root


def _add_member(root: Path, directory: str, package: str) -> None:
    member = root / directory
    (member / "src" / package).mkdir(parents=True)
    (member / "src" / package / "__init__.py").write_text('"""Planted."""\n', encoding="utf-8")
    (member / "pyproject.toml").write_text(
        f'[project]\nname = "{member.name}"\nversion = "0.1.0"\n', encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("directory", "package"),
    [("packages/planted-context", "planted_context"), ("services/planted-worker", "worker")],
)
def test_a_new_member_missing_from_root_packages_fails(
    workspace: Path, directory: str, package: str
) -> None:
    _add_member(workspace, directory, package)

    assert unchecked_packages(workspace) == {
        package: f"{package} ({directory}) is missing from root_packages in importlinter.ini"
    }


def test_a_package_removed_from_root_packages_fails(workspace: Path) -> None:
    config = workspace / "importlinter.ini"
    text = config.read_text(encoding="utf-8")
    assert "    events\n" in text
    config.write_text(text.replace("    events\n", "", 1), encoding="utf-8")

    assert unchecked_packages(workspace) == {
        "events": "events (packages/events) is missing from root_packages in importlinter.ini"
    }


def test_a_member_without_a_package_fails(workspace: Path) -> None:
    member = workspace / "packages" / "planted-empty"
    member.mkdir()
    (member / "pyproject.toml").write_text('[project]\nname = "planted-empty"\n', encoding="utf-8")

    assert unchecked_packages(workspace) == {
        "packages/planted-empty": (
            "packages/planted-empty has no package under src/ for the contracts to check"
        )
    }


def test_a_package_listed_in_root_packages_is_covered(workspace: Path) -> None:
    _add_member(workspace, "packages/planted-context", "planted_context")
    config = workspace / "importlinter.ini"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("root_packages =\n", "root_packages =\n    planted_context\n", 1),
        encoding="utf-8",
    )

    assert unchecked_packages(workspace) == {}

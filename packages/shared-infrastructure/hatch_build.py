"""Build hook: write the generated sync modules (codegen/unasync.py).

Runs for every wheel, the editable one ``uv sync`` installs included, so a
fresh clone gets ``sync.py`` from ``async_.py`` without a manual step. The
generated files are not in git; a wheel carries them through
``force_include``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "codegen"))

from unasync import TWINS, write  # noqa: E402


class UnasyncBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "unasync"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        write(ROOT)
        if version != "editable":
            for twin in TWINS:
                package_path = Path(twin.target).relative_to("src").as_posix()
                build_data["force_include"][str(twin.target_path(ROOT))] = package_path

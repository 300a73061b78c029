"""Write the synchronous twin of an asynchronous module.

The async module is the one source of truth; its sync twin is the same code
with ``async``/``await`` taken out and a few names swapped (``AsyncSession``
-> ``Session``). The twin is not kept in git: the package's build hook
(``hatch_build.py``) writes it whenever the package is built or installed,
``uv sync`` and ``uv run`` included, and ``uv`` rebuilds the package when the
async source changes (``[tool.uv] cache-keys``). By hand::

    uv run --frozen python packages/shared-infrastructure/codegen/unasync.py
    uv run --frozen python packages/shared-infrastructure/codegen/unasync.py --check

Standard library only (the build hook runs in a bare build environment).
It edits tokens in place, so the twin keeps the source's layout, comments
and line numbers (after a two-line header). Any ``async``/``await`` it
cannot take out, and any name that still says async, is an error: never a
silently different program.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TWINS", "Twin", "UnasyncError", "main", "stale", "unasync", "write"]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]

#: Names every twin swaps (the async protocol methods).
PROTOCOL_RENAMES: Mapping[str, str] = {
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
}


class UnasyncError(ValueError):
    """The async source uses something this generator cannot translate."""


@dataclass(frozen=True)
class Twin:
    """An async module (``source``) and the sync module generated from it.

    ``renames`` swap whole names in code, docstrings and comments; a dotted
    key (``sqlalchemy.ext.asyncio``) matches a dotted name in code only.
    """

    source: str
    target: str
    renames: Mapping[str, str] = field(default_factory=dict)

    def source_path(self, root: Path = PACKAGE_ROOT) -> Path:
        return root / self.source

    def target_path(self, root: Path = PACKAGE_ROOT) -> Path:
        return root / self.target

    def render(self, root: Path = PACKAGE_ROOT) -> str:
        text = self.source_path(root).read_text(encoding="utf-8")
        header = (
            f"# Generated from {Path(self.source).name} by codegen/unasync.py when the\n"
            "# package is built or installed (uv sync): edit the async module instead.\n"
        )
        return header + unasync(text, {**PROTOCOL_RENAMES, **self.renames})


_REPOSITORY = "src/shared_infrastructure/database/repository"

#: Every generated module of the package (paths relative to the package root).
TWINS: tuple[Twin, ...] = (
    Twin(
        source=f"{_REPOSITORY}/async_.py",
        target=f"{_REPOSITORY}/sync.py",
        renames={
            "sqlalchemy.ext.asyncio": "sqlalchemy.orm",
            "AsyncSession": "Session",
            "AsyncBaseRepository": "SyncBaseRepository",
        },
    ),
)


def _word_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted((name for name in names if "." not in name), key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, words)) + r")(?!\w)")


def unasync(source: str, renames: Mapping[str, str]) -> str:
    """``source`` without ``async``/``await``, with ``renames`` applied."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    words = _word_pattern(list(renames))
    dotted = sorted(
        ((key.split("."), value) for key, value in renames.items() if "." in key),
        key=lambda item: -len(item[0]),
    )
    # (start, end, replacement), positions as tokenize reports them: (row, col).
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else token
        if token.type == tokenize.NAME and token.string in {"async", "await"}:
            # Take the keyword and the blank that follows it on the same line.
            same_line = following.start[0] == token.end[0]
            edits.append((token.start, following.start if same_line else token.end, ""))
        elif token.type == tokenize.NAME:
            for parts, value in dotted:
                span = tokens[index : index + 2 * len(parts) - 1]
                if [t.string for t in span[::2]] == parts and all(
                    t.string == "." for t in span[1::2]
                ):
                    edits.append((token.start, span[-1].end, value))
                    index += len(span) - 1
                    break
            else:
                if token.string in renames:
                    edits.append((token.start, token.end, renames[token.string]))
        elif token.type in {tokenize.STRING, tokenize.COMMENT} and words is not None:
            replaced = words.sub(lambda match: renames[match.group(1)], token.string)
            if replaced != token.string:
                edits.append((token.start, token.end, replaced))
        index += 1
    result = _apply(source, edits)
    _check_synchronous(result)
    return result


def _apply(source: str, edits: list[tuple[tuple[int, int], tuple[int, int], str]]) -> str:
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def position(point: tuple[int, int]) -> int:
        return offsets[point[0] - 1] + point[1]

    result = source
    for start, end, text in sorted(edits, key=lambda edit: edit[0], reverse=True):
        result = result[: position(start)] + text + result[position(end) :]
    return result


def _check_synchronous(source: str) -> None:
    """Refuse a twin that still names something asynchronous (``asyncio.gather``,
    ``AsyncEngine``...): it would run, but not synchronously. Add a rename."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and "async" in token.string.lower():
            raise UnasyncError(
                f"line {token.start[0]}: {token.string!r} is still asynchronous in the twin; "
                "give it a synchronous name in the twin's renames"
            )


def stale(root: Path = PACKAGE_ROOT, twins: Sequence[Twin] = TWINS) -> list[Twin]:
    """Twins whose file is missing or differs from what the source gives."""
    return [
        twin
        for twin in twins
        if not twin.target_path(root).is_file()
        or twin.target_path(root).read_text(encoding="utf-8") != twin.render(root)
    ]


def write(root: Path = PACKAGE_ROOT, twins: Sequence[Twin] = TWINS) -> list[Twin]:
    """Write every stale twin; returns those written."""
    written = stale(root, twins)
    for twin in written:
        # Whole or not at all: a concurrent build or import never reads half a file.
        target = twin.target_path(root)
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        partial.write_text(twin.render(root), encoding="utf-8")
        os.replace(partial, target)
    return written


def main(argv: Sequence[str] | None = None, root: Path = PACKAGE_ROOT) -> int:
    parser = argparse.ArgumentParser(description="Write the sync twins of the async modules.")
    parser.add_argument(
        "--check", action="store_true", help="only report stale twins (exit 1 if any)"
    )
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(root)
        for twin in outdated:
            print(f"stale: {twin.target} (generated from {twin.source})", file=sys.stderr)
        return 1 if outdated else 0
    for twin in write(root):
        print(f"wrote {twin.target} from {twin.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The bounded-context scaffold: ``uv run api new-context NAME``.

:func:`create_context` writes ``packages/NAME`` from the templates in
``templates/context`` and registers the context in the workspace, the
composition root and ``importlinter.ini``; :func:`main` is the command line.
"""

from api.scaffold.cli import build_parser, configure_parser, main, run
from api.scaffold.generator import CreatedContext, create_context, find_workspace_root
from api.scaffold.names import ContextNames, ScaffoldError

__all__ = [
    "ContextNames",
    "CreatedContext",
    "ScaffoldError",
    "build_parser",
    "configure_parser",
    "create_context",
    "find_workspace_root",
    "main",
    "run",
]

"""``api new-context NAME``: the command-line front end of the scaffold."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.scaffold.generator import create_context
from api.scaffold.names import ScaffoldError

DESCRIPTION = """\
Create a bounded context: packages/NAME with the four layers (an example
aggregate with one rule, its record, mapper, repository, unit of work, use
case service, router and first migration on the NAME branch) and tests at
each level, registered in the workspace, the composition root
(api/contexts.py, which also feeds the Alembic environment) and
importlinter.ini. Then run: uv lock && uv run pytest packages/NAME/tests
"""


def build_parser(prog: str = "api new-context") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    configure_parser(parser)
    return parser


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the scaffold's arguments (for a subcommand of another parser)."""
    if parser.description is None:
        parser.description = DESCRIPTION
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("name", help="context name, e.g. billing or loyalty-points")
    parser.add_argument(
        "--aggregate",
        help="class name of the example aggregate (default: the name, singular), e.g. Invoice",
    )
    parser.add_argument("--table", help="table name (default: the aggregate's name, plural)")
    parser.add_argument(
        "--root", help="workspace root (default: the uv workspace above the current directory)"
    )
    parser.add_argument(
        "--no-format", action="store_true", help="do not run ruff on the generated code"
    )


def run(args: argparse.Namespace) -> int:
    """Run the scaffold for parsed arguments; 0 on success, 2 on a refusal."""
    try:
        created = create_context(
            args.name,
            args.root,
            aggregate=args.aggregate,
            table=args.table,
            format_code=not args.no_format,
        )
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    names = created.names
    print(f"Created {names.directory} ({len(created.created)} files):")
    print(f"  aggregate {names.Aggregate}, table {names.table}, routes /{names.route}")
    print(f"  migration {created.revision} on the {names.package!r} branch")
    print("Registered in:")
    for path in created.edited:
        print(f"  {path.relative_to(created.root)}")
    print("Next:")
    print("  uv lock")
    print("  uv run lint-imports --config importlinter.ini")
    print(f"  uv run pytest {names.directory}/tests")
    print(f"  then replace the example {names.Aggregate} with the context's real model")
    print("  (docs/adding-a-bounded-context.md)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

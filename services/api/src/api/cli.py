"""``api``: serve the service, migrate its database, load sample data,
look after the outbox of integration events.

``uv run api`` with no command applies every migration and serves on
http://127.0.0.1:8000 (the embedded SQLite file unless ``DATABASE_URL``
says otherwise). ``uv run api COMMAND --help`` explains each command.

A bad setting, an unreachable database or a failed migration ends the
command with a one-line message naming the problem and a non-zero exit
status, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.logging_config import LEVELS, configure_logging
from api.outbox_cli import add_outbox_parser, run_outbox
from api.scaffold import configure_parser as configure_new_context
from api.scaffold import run as run_new_context
from api.worker_cli import add_worker_parsers, run_broker_command, run_worker_command

# Building the parser and answering --help import none of these: a command
# imports what it runs (SQLAlchemy, Alembic, the contexts, uvicorn) once the
# arguments are parsed. tests/test_api_cli_imports.py keeps it that way.
if TYPE_CHECKING:
    from api.broker import BrokerSettings
    from api.contexts import ContextModule
    from api.observability.settings import ObservabilitySettings
    from shared_infrastructure.config.settings import Settings
    from shared_infrastructure.database.migrations import Migrations, RevisionInfo

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
EXIT_FAILURE = 1
WORKER_HEALTHCHECK_SECONDS = 60
EXIT_USAGE = 2

logger = logging.getLogger("api.cli")


class CommandFailed(Exception):
    """Ends the command with this message and exit status 1."""


class _ContextNames(Sequence[str]):
    """The registered contexts' names, read from :mod:`api.contexts` only when
    argparse checks a ``--context`` value or prints that option's help."""

    def _names(self) -> list[str]:
        from api.contexts import CONTEXTS

        return [context.name for context in CONTEXTS]

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()


CONTEXT_NAMES: Sequence[str] = _ContextNames()


# -- the parser -----------------------------------------------------------------


def _log_level_option() -> argparse.ArgumentParser:
    """``--log-level``: every command accepts it (before or after the command name)."""
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--log-level",
        choices=LEVELS,
        default=argparse.SUPPRESS,
        help="log level (default: $LOG_LEVEL, else info)",
    )
    return option


def _common() -> argparse.ArgumentParser:
    """Options of every command that uses the database (all but ``new-context``,
    which only writes source files): ``--database-url`` and ``--log-level``."""
    common = argparse.ArgumentParser(add_help=False, parents=[_log_level_option()])
    common.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database to use for this run (default: $DATABASE_URL, else the embedded "
        "SQLite file data/app.db); e.g. postgresql://user:pass@127.0.0.1:5432/app",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="api",
        description="The API service: every bounded context behind one FastAPI app.\n\n"
        "With no command: apply every migration, then serve on "
        f"http://{DEFAULT_HOST}:{DEFAULT_PORT} (docs at /docs).",
        epilog="Settings come from the environment (DATABASE_URL, DATABASE_POOL_SIZE, ...), "
        "a .env file or config.json.\nLogs: LOG_LEVEL, LOG_FORMAT=text|json; metrics: "
        "METRICS_ENABLED; traces: OTEL_* (docs/operations.md).\n"
        "Run `api COMMAND --help` for a command's options.",
        formatter_class=formatter,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        parents=[common],
        formatter_class=formatter,
        help="serve the API over HTTP (uvicorn)",
        description="Serve the API over HTTP with uvicorn.\n\n"
        "Migrations are not applied unless --migrate is given (`api` with no command does).\n"
        "Several workers share nothing but the database: each opens its own pool.\n"
        "GET /metrics adds up every worker's figures (PROMETHEUS_MULTIPROC_DIR: emptied of\n"
        "an earlier run's files at start; a temporary directory when unset).",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"interface (default: {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default: {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default: 1; not with --reload)"
    )
    serve.add_argument(
        "--reload", action="store_true", help="restart when the source changes (development)"
    )
    serve.add_argument(
        "--migrate", action="store_true", help="apply every migration before serving"
    )
    serve.add_argument(
        "--seed", action="store_true", help="load every context's sample data before serving"
    )

    _add_migrate(commands, common, formatter)
    add_outbox_parser(commands, common, formatter)
    add_worker_parsers(commands, common, formatter)

    seed = commands.add_parser(
        "seed",
        parents=[common],
        formatter_class=formatter,
        help="load every context's sample data (idempotent)",
        description="Insert each context's sample data that is not there yet; running it "
        "twice inserts once.\nThe database must be migrated first (`api migrate upgrade`).",
    )
    seed.add_argument(
        "--context",
        action="append",
        choices=CONTEXT_NAMES,
        metavar="CONTEXT",  # argparse would list the choices, importing every context
        help="only this context: %(choices)s (repeatable; default: all)",
    )
    configure_new_context(
        commands.add_parser(
            "new-context",
            parents=[_log_level_option()],
            help="create a bounded context and register it (no database: no --database-url)",
        )
    )
    return parser


def _add_migrate(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    formatter: type[argparse.HelpFormatter],
) -> None:
    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        formatter_class=formatter,
        help="database migrations (Alembic)",
        description="Database migrations (Alembic), one branch per bounded context,\n"
        "each in its own version directory (`api migrate heads` lists them).",
    )
    actions = migrate.add_subparsers(dest="action", metavar="ACTION", required=True)

    upgrade = actions.add_parser(
        "upgrade",
        parents=[common],
        help="apply migrations (default: every context's head)",
        description="Apply migrations up to REVISION (default: heads = every context's "
        "latest).\nExamples: heads, product_catalog@head, <revision id>.",
    )
    upgrade.add_argument("revision", nargs="?", default="heads")
    upgrade.add_argument("--sql", action="store_true", help="print the SQL instead of running it")

    downgrade = actions.add_parser(
        "downgrade",
        parents=[common],
        help="revert migrations (base = remove the whole schema)",
        description="Revert migrations down to REVISION.\nExamples: base (every context, "
        "the whole schema), product_catalog@-1 (that context's last one), <revision id>.",
    )
    downgrade.add_argument("revision")
    downgrade.add_argument(
        "--sql",
        action="store_true",
        help="print the SQL instead of running it (REVISION must be FROM:TO)",
    )

    actions.add_parser(
        "current",
        parents=[common],
        help="show the revisions applied to the database",
        description="Show the revision applied to the database, for every context.",
    )
    actions.add_parser(
        "history",
        parents=[common],
        help="list every revision, newest first",
        description="List every revision of every context, newest first, marking the "
        "heads and the revisions the database is at.",
    )
    actions.add_parser(
        "heads",
        parents=[common],
        help="show the latest revision of every context",
        description="Show the latest revision of every context (no database needed).",
    )

    revision = actions.add_parser(
        "revision",
        parents=[common],
        help="write a new revision for one context (autogenerated)",
        description="Write a new revision on one context's branch, into its version "
        "directory.\nAutogenerate compares that context's records with the database, which "
        "must be at every head\n(`api migrate upgrade` first). Nothing is written when "
        "nothing changed.",
    )
    revision.add_argument("-m", "--message", required=True, help="what the revision does")
    revision.add_argument(
        "--context",
        required=True,
        choices=CONTEXT_NAMES,
        metavar="CONTEXT",
        help="the bounded context: %(choices)s",
    )
    revision.add_argument(
        "--empty",
        action="store_true",
        help="write an empty revision to fill in by hand (no autogenerate)",
    )

    actions.add_parser(
        "check",
        parents=[common],
        help="fail if the records drifted from the migrations (alembic check)",
        description="Compare every context's records with the database at every head; "
        "exit 1 and list\nthe differences when a migration is missing.",
    )

    stamp = actions.add_parser(
        "stamp",
        parents=[common],
        help="record a revision as applied without running it",
        description="Record REVISION as applied without running anything (e.g. for a "
        "schema created by other means).",
    )
    stamp.add_argument("revision", nargs="?", default="heads")


# -- commands -------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    from sqlalchemy import exc as sa_exc

    from shared_infrastructure.config.settings import SettingsError, load_settings

    url = getattr(args, "database_url", None)
    try:
        return load_settings(database_url=url) if url else load_settings()
    except sa_exc.ArgumentError as error:  # a URL naming a dialect SQLAlchemy lacks
        raise SettingsError(f"invalid settings: DATABASE_URL: {error}") from None


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def service_migrations(settings: Settings) -> Migrations:
    """:func:`api.migrations.service_migrations`, imported when a command runs."""
    from api import migrations

    return migrations.service_migrations(settings)


def create_context_revision(
    message: str, context: str, settings: Settings, *, autogenerate: bool = True
) -> RevisionInfo | None:
    """:func:`api.migrations.create_context_revision`, imported when a command runs."""
    from api import migrations

    return migrations.create_context_revision(message, context, settings, autogenerate=autogenerate)


def _migrations(settings: Settings) -> Migrations:
    return service_migrations(settings)


def _print_revisions(revisions: Sequence[RevisionInfo]) -> None:
    for item in revisions:
        print(item)


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from api.migrate_safety import refuse_ambiguous_downgrade, refuse_revision_when_behind

    action: str = args.action
    if action == "revision":
        if not args.empty:
            refuse_revision_when_behind(_migrations(settings))
        written = create_context_revision(
            args.message, args.context, settings, autogenerate=not args.empty
        )
        if written is None:
            print(f"{args.context}: the records match the migrations; nothing written")
        else:
            print(f"wrote {written.path}")
        return 0

    migrations = _migrations(settings)
    if action == "upgrade":
        sql = migrations.upgrade(args.revision, sql=args.sql)
        if sql is not None:
            print(sql, end="")
        else:
            print(f"database at: {', '.join(migrations.current()) or 'base'}")
    elif action == "downgrade":
        refuse_ambiguous_downgrade(migrations, args.revision)
        sql = migrations.downgrade(args.revision, sql=args.sql)
        if sql is not None:
            print(sql, end="")
        else:
            print(f"database at: {', '.join(migrations.current()) or 'base'}")
    elif action == "current":
        current = [item for item in migrations.history(with_current=True) if item.is_current]
        if not current:
            print("no revision applied (empty database): run `api migrate upgrade`")
        _print_revisions(current)
    elif action == "history":
        _print_revisions(migrations.history(with_current=True))
    elif action == "heads":
        _print_revisions([item for item in migrations.history() if item.is_head])
    elif action == "check":
        differences = migrations.check()
        if differences:
            print("the records differ from the migrations (write a revision):")
            for line in differences:
                print(f"  {line}")
            return EXIT_FAILURE
        print("no differences: the records match the migrations")
    elif action == "stamp":
        migrations.stamp(args.revision)
        print(f"database stamped at: {', '.join(migrations.current()) or 'base'}")
    return 0


def run_seed(settings: Settings, contexts: Sequence[ContextModule]) -> int:
    import asyncio

    migrations = _migrations(settings)
    if not migrations.is_up_to_date():
        raise CommandFailed("the database is not migrated: run `api migrate upgrade` first")
    for context in contexts:
        if context.seed is None:
            print(f"{context.name}: no sample data")
            continue
        outcome = asyncio.run(context.seed(settings))
        created = ", ".join(outcome.created) or "none"
        skipped = ", ".join(outcome.skipped) or "none"
        print(f"{context.name}: created {created}; already present {skipped}")
    return 0


def _reload_dirs() -> list[str]:
    """The source directories of the service and its contexts."""
    import api
    from api.contexts import CONTEXTS

    roots = [Path(api.__file__).resolve().parent]
    for context in CONTEXTS:
        module = __import__(context.package)
        roots.append(Path(module.__file__ or ".").resolve().parent)
    roots.append(Path(__import__("shared_infrastructure").__file__ or ".").resolve().parent)
    return [str(root) for root in roots]


def run_serve(
    args: argparse.Namespace, settings: Settings, level: str, observability: ObservabilitySettings
) -> int:
    from api.contexts import CONTEXTS
    from api.logging_config import logging_config
    from api.observability.multiprocess import MetricsDirectoryError, metrics_directory
    from shared_infrastructure.database.urls import is_sqlite_memory

    workers: int = args.workers
    if workers < 1:
        raise CommandFailed("--workers must be at least 1")
    if args.reload and workers > 1:
        raise CommandFailed("--reload runs one process: drop --workers")
    memory = is_sqlite_memory(settings.url)
    if memory and (workers > 1 or args.reload):
        raise CommandFailed(
            "an in-memory SQLite database lives in one process: use one worker, or a file"
        )
    if args.migrate and not memory:
        migrations = _migrations(settings)
        migrations.upgrade()
        logger.info("database at every head: %s", ", ".join(migrations.current()))
    if args.seed:
        run_seed(settings, CONTEXTS)
    from api.broker import load_broker_settings

    broker = load_broker_settings()
    if broker.enabled:
        logger.info(
            "integration events go to RabbitMQ (%s); this process publishes them and does "
            "not consume: run `api worker` to apply them",
            broker.describe(),
        )
    else:
        logger.info("integration events are delivered in this process (no BROKER_URL)")

    logger.info(
        "serving on http://%s:%s (database: %s, workers: %s)",
        args.host,
        args.port,
        _describe(settings.url.render_as_string(hide_password=False)),
        workers,
    )
    common = {
        "host": args.host,
        "port": args.port,
        "log_config": logging_config(level, observability.log_format),
        "log_level": level,
        "access_log": False,  # the app writes its own (api.observability.middleware)
        "timeout_graceful_shutdown": 10,
    }
    from api.observability.tracing import check_tracing_environment

    check_tracing_environment()
    if not observability.metrics_enabled:
        _run_uvicorn(args, settings, workers, memory, common, broker)
        return 0
    try:
        with metrics_directory(workers if not args.reload else 1):
            _run_uvicorn(args, settings, workers, memory, common, broker)
    except MetricsDirectoryError as error:
        raise CommandFailed(str(error)) from None
    return 0


def _run_uvicorn(
    args: argparse.Namespace,
    settings: Settings,
    workers: int,
    memory: bool,
    common: dict[str, Any],
    broker: BrokerSettings,
) -> None:
    import uvicorn

    if workers > 1 or args.reload:
        # Other processes rebuild the app from the environment: hand them
        # what came from the command line.
        os.environ["DATABASE_URL"] = settings.url.render_as_string(hide_password=False)
        uvicorn.run(
            "api.app:create_app_from_environment",
            factory=True,
            workers=workers if not args.reload else None,
            reload=args.reload,
            reload_dirs=_reload_dirs() if args.reload else None,
            # A worker answers the supervisor only once it has imported the
            # app: allow for a slow, busy machine (the default is 5 s).
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **common,
        )
    else:
        from api.app import create_app

        app = create_app(settings, apply_migrations=args.migrate and memory, broker=broker)
        uvicorn.run(app, **common)


def _default_serve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``api`` alone = ``api serve --migrate`` with the defaults."""
    serve_defaults = parser.parse_args(["serve", "--migrate"])
    for key, value in vars(serve_defaults).items():
        if not hasattr(args, key) or key == "command":
            setattr(args, key, value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        _default_serve(parser, args)
    from api.observability.settings import load_observability_settings
    from shared_infrastructure.config.settings import SettingsError

    try:
        observability = load_observability_settings()
    except SettingsError as error:
        print(f"api: {error}", file=sys.stderr)
        return EXIT_USAGE
    level: str = getattr(args, "log_level", observability.log_level.value)
    log_format = observability.log_format.value
    if args.command == "new-context":  # needs no settings and no database
        if hasattr(args, "database_url"):  # given before the command name
            parser.error(
                "new-context writes source files and uses no database: drop --database-url"
            )
        configure_logging(level, log_format)
        return run_new_context(args)
    configure_logging(level, log_format)
    return _run_with_database(args, level, observability)


def _run_with_database(
    args: argparse.Namespace, level: str, observability: ObservabilitySettings
) -> int:
    """Run a command that needs settings (and so SQLAlchemy), turning the
    errors a user can cause into a one-line message and an exit status."""
    from sqlalchemy import exc as sa_exc

    from api.contexts import CONTEXTS, get_context
    from shared_infrastructure.config.settings import SettingsError
    from shared_infrastructure.database.errors import DatabaseUnavailable
    from shared_infrastructure.database.migrations import MigrationError

    handlers: dict[str, Callable[[Settings], int]] = {
        "serve": lambda settings: run_serve(args, settings, level, observability),
        "migrate": lambda settings: run_migrate(args, settings),
        "outbox": lambda settings: run_outbox(args, settings),
        "worker": lambda settings: run_worker_command(args, settings),
        "broker": lambda settings: run_broker_command(args, settings),
        "seed": lambda settings: run_seed(
            settings, [get_context(name) for name in args.context] if args.context else CONTEXTS
        ),
    }
    try:
        settings = _settings(args)
        return handlers[args.command](settings)
    except SettingsError as error:
        print(f"api: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandFailed, MigrationError) as error:
        print(f"api: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except (DatabaseUnavailable, sa_exc.OperationalError, sa_exc.InterfaceError) as error:
        reason = getattr(error, "orig", None) or error
        first = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason)
        print(f"api: cannot use the database: {first}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

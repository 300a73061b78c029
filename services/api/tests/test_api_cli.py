"""The ``api`` console script: help, migrations, seeding, serving options,
and one-line errors (never a traceback) for bad settings or databases."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

import api.cli
from api.cli import build_parser, main
from api.contexts import CONTEXTS, SHARED_SCHEMAS, get_context
from api.migrations import create_context_revision, service_migrations

SUBPROCESS_SECONDS = 120


@pytest.fixture(autouse=True)
def _keep_pytest_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI configures logging for a terminal; not inside pytest."""
    monkeypatch.setattr(api.cli, "configure_logging", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """``serve --workers N`` hands its settings to the worker processes through
    the environment (``DATABASE_URL``...): undo that for the next test."""
    saved = os.environ.copy()
    yield
    os.environ.clear()
    os.environ.update(saved)


def url_of(database: URL) -> str:
    return database.render_as_string(hide_password=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["serve", "migrate", "seed", "127.0.0.1:8000", "--database-url"]),
        (["serve"], ["--host", "--port", "--workers", "--reload", "--migrate"]),
        (["migrate"], ["upgrade", "downgrade", "current", "history", "revision", "check"]),
        (["migrate", "upgrade"], ["heads", "--sql"]),
        (["migrate", "downgrade"], ["base", "product_catalog@-1"]),
        (["migrate", "revision"], ["--context", "--message", "autogenerate"]),
        (["migrate", "check"], ["differences"]),
        (["seed"], ["--context", "twice"]),
        (["outbox"], ["status", "retry", "replay", "parked"]),
        (["outbox", "replay"], ["--consumer", "--from", "--to", "projection"]),
    ],
)
def test_every_command_explains_itself(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in expected:
        assert word in text


def test_migrate_upgrade_current_history_check_downgrade(
    capsys: pytest.CaptureFixture[str], fresh_database: URL
) -> None:
    url = url_of(fresh_database)

    code, out, _ = run(capsys, "migrate", "upgrade", "--database-url", url)
    assert code == 0
    assert "database at:" in out

    code, out, _ = run(capsys, "migrate", "current", "--database-url", url)
    assert code == 0
    for branch in [*CONTEXTS, *SHARED_SCHEMAS]:
        assert f"({branch.name})" in out
    assert out.count("(current)") == len(CONTEXTS) + len(SHARED_SCHEMAS)

    code, out, _ = run(capsys, "--database-url", url, "migrate", "history")
    assert code == 0
    assert "(head)" in out

    code, out, _ = run(capsys, "migrate", "heads")
    assert code == 0
    assert out.count("(head)") == len(CONTEXTS) + len(SHARED_SCHEMAS)

    code, out, _ = run(capsys, "migrate", "check", "--database-url", url)
    assert code == 0
    assert "no differences" in out

    code, out, _ = run(capsys, "migrate", "downgrade", "base", "--database-url", url)
    assert code == 0
    assert "database at: base" in out

    code, _, err = run(capsys, "migrate", "check", "--database-url", url)
    assert code == 1
    assert "not up to date" in err


def test_upgrade_can_print_the_sql(capsys: pytest.CaptureFixture[str], fresh_database: URL) -> None:
    code, out, _ = run(
        capsys, "migrate", "upgrade", "--sql", "--database-url", url_of(fresh_database)
    )
    assert code == 0
    assert "CREATE TABLE products" in out
    assert "CREATE TABLE events" in out


def test_check_fails_on_drift(capsys: pytest.CaptureFixture[str], fresh_database: URL) -> None:
    url = url_of(fresh_database)
    assert run(capsys, "migrate", "upgrade", "--database-url", url)[0] == 0
    engine = create_engine(fresh_database)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE leftover (id INTEGER PRIMARY KEY)"))
    finally:
        engine.dispose()

    code, out, _ = run(capsys, "migrate", "check", "--database-url", url)
    assert code == 1
    assert "remove_table leftover" in out


def test_revision_for_a_context(
    capsys: pytest.CaptureFixture[str],
    fresh_database: URL,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Into a copy of the version directories: a test never writes into the
    source tree, even if the records drifted."""
    copies = []
    for context in CONTEXTS:
        target = tmp_path / context.name
        shutil.copytree(context.version_location, target, ignore=shutil.ignore_patterns("__*"))
        copies.append(dataclasses.replace(context, versions=target))

    def into_copies(*args: Any, **kwargs: Any) -> Any:
        return create_context_revision(*args, **kwargs, contexts=tuple(copies))

    monkeypatch.setattr(api.cli, "create_context_revision", into_copies)
    monkeypatch.setattr(api.cli, "service_migrations", lambda *a, **k: _copies(copies, *a, **k))
    url = url_of(fresh_database)
    assert run(capsys, "migrate", "upgrade", "--database-url", url)[0] == 0

    code, out, _ = run(
        capsys, "migrate", "revision", "--context", "events", "-m", "nothing", "--database-url", url
    )
    assert code == 0
    assert "nothing written" in out

    code, out, _ = run(
        capsys,
        "migrate",
        "revision",
        "--context",
        "events",
        "-m",
        "add a view by hand",
        "--empty",
        "--database-url",
        url,
    )
    assert code == 0
    assert "wrote" in out
    written = [path for path in (tmp_path / "events").glob("*add_a_view_by_hand.py")]
    assert len(written) == 1


def _copies(copies: list[Any], *args: Any, **kwargs: Any) -> Any:
    return service_migrations(*args, **kwargs, contexts=tuple(copies))


def test_seed_loads_sample_data_once(
    capsys: pytest.CaptureFixture[str], fresh_database: URL
) -> None:
    url = url_of(fresh_database)
    code, _, err = run(capsys, "seed", "--database-url", url)
    assert code == 1
    assert "not migrated" in err

    assert run(capsys, "migrate", "upgrade", "--database-url", url)[0] == 0
    code, first, _ = run(capsys, "seed", "--database-url", url)
    code_again, second, _ = run(capsys, "seed", "--database-url", url)
    code_one, only, _ = run(capsys, "seed", "--context", "events", "--database-url", url)

    assert (code, code_again, code_one) == (0, 0, 0)
    assert "product_catalog: created PROD001" in first
    assert "events: created ev_001" in first
    assert "created none" in second
    assert "already present PROD001" in second
    assert "product_catalog" not in only


def test_no_command_migrates_then_serves_on_the_default_address(
    capsys: pytest.CaptureFixture[str], fresh_database: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        served.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.setenv("DATABASE_URL", url_of(fresh_database))

    assert main([]) == 0
    code, out, _ = run(capsys, "migrate", "check")

    assert (served["host"], served["port"]) == ("127.0.0.1", 8000)
    assert served["app"].title
    assert code == 0
    assert "no differences" in out


def test_several_workers_get_an_import_string_and_the_url(
    fresh_database: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(options, app=app))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")  # restored afterwards, whatever the CLI sets

    code = main(
        ["serve", "--workers", "3", "--port", "9999", "--database-url", url_of(fresh_database)]
    )

    assert code == 0
    assert served["app"] == "api.app:create_app_from_environment"
    assert served["factory"] is True
    assert served["workers"] == 3
    assert os.environ["DATABASE_URL"] == url_of(fresh_database)


def test_several_workers_share_a_metrics_directory_made_for_the_run(
    fresh_database: URL, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[Path] = []

    def fake_run(app: Any, **options: Any) -> None:
        directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        assert directory.is_dir()
        seen.append(directory)

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR

    assert main(["serve", "--workers", "2", "--database-url", url_of(fresh_database)]) == 0

    (directory,) = seen
    assert directory.parent == tmp_path
    assert not directory.exists()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_a_given_metrics_directory_is_emptied_of_old_files_and_kept(
    fresh_database: URL, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old")
    (directory / "README").write_text("not ours")
    left: list[list[str]] = []
    monkeypatch.setattr(
        "uvicorn.run",
        lambda app, **options: left.append(sorted(path.name for path in directory.iterdir())),
    )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    assert main(["serve", "--workers", "2", "--database-url", url_of(fresh_database)]) == 0

    assert left == [["README"]]
    assert directory.is_dir()


def test_one_worker_needs_no_metrics_directory(
    fresh_database: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    monkeypatch.setattr(
        "uvicorn.run",
        lambda app, **options: seen.append(os.environ.get("PROMETHEUS_MULTIPROC_DIR")),
    )
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    assert main(["serve", "--database-url", url_of(fresh_database)]) == 0
    assert seen == [None]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_FORMAT": "yaml"}, "LOG_FORMAT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"METRICS_ENABLED": "perhaps"}, "METRICS_ENABLED"),
    ],
)
def test_bad_observability_settings_are_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "migrate", "heads")
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_tracing_request_that_cannot_be_met_is_named(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    workers: str,
) -> None:
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.append(app))
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "carrier-pigeon")

    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, err = run(capsys, "serve", "--workers", workers, "--database-url", url)

    assert code == 2
    assert "OTEL_TRACES_EXPORTER" in err
    assert "carrier-pigeon" in err
    assert len(err.strip().splitlines()) == 1
    assert served == []


def test_a_metrics_directory_that_is_a_file_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    occupied = tmp_path / "a-file"
    occupied.write_text("")
    monkeypatch.setattr("uvicorn.run", lambda app, **options: None)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(occupied))

    url = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, err = run(capsys, "serve", "--workers", "2", "--database-url", url)

    assert code == 1
    assert "PROMETHEUS_MULTIPROC_DIR" in err
    assert "not a directory" in err


def test_log_level_comes_from_the_environment_unless_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured: list[tuple[str, str]] = []
    monkeypatch.setattr(
        api.cli,
        "configure_logging",
        lambda level, log_format="text": configured.append((level, log_format)),
    )
    monkeypatch.setattr(api.cli, "run_new_context", lambda args: 0)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("LOG_FORMAT", "json")

    assert main(["new-context", "foo"]) == 0
    assert main(["new-context", "--log-level", "debug", "bar"]) == 0

    assert configured == [("warning", "json"), ("debug", "json")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--workers", "0"], "at least 1"),
        (["serve", "--reload", "--workers", "2"], "--reload"),
        (["serve", "--workers", "2", "--database-url", "sqlite://"], "in-memory"),
        (["migrate", "current", "--database-url", "postgresql://nobody@127.0.0.1:1/x"], "cannot"),
    ],
)
def test_bad_requests_end_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("env", "argv", "setting"),
    [
        ({"DATABASE_POOL_SIZE": "zero"}, ["migrate", "current"], "DATABASE_POOL_SIZE"),
        ({}, ["--database-url", "oracle://x/y", "migrate", "current"], "DATABASE_URL"),
        ({}, ["--database-url", "nonsense", "migrate", "current"], "DATABASE_URL"),
    ],
)
def test_a_bad_setting_is_named_at_start(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    argv: list[str],
    setting: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert setting in err
    assert "Traceback" not in err


def test_the_console_script_runs_as_a_program(tmp_path: Path) -> None:
    """The real entry point, in its own process: help works, a bad setting
    exits non-zero with its name and no traceback."""
    env = {**os.environ, "DATABASE_POOL_SIZE": "-3"}
    ok = subprocess.run(
        [sys.executable, "-m", "api", "--help"],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        cwd=tmp_path,
    )
    bad = subprocess.run(
        [sys.executable, "-m", "api", "migrate", "current"],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_SECONDS,
        cwd=tmp_path,
        env=env,
    )

    assert ok.returncode == 0
    assert "migrate" in ok.stdout
    assert bad.returncode == 2
    assert "DATABASE_POOL_SIZE" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_get_context_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="product_catalog"):
        get_context("nope")


# -- which command takes which option ----------------------------------------------


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and sub-command of ``parser``, with its name path."""
    found: list[tuple[tuple[str, ...], argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*path, name), sub))
                found.extend(_commands(sub, (*path, name)))
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def test_log_level_everywhere_database_url_wherever_a_database_is_used() -> None:
    """What docs/configuration.md and services/api/README.md promise."""
    commands = dict(_commands(build_parser()))
    assert ("new-context",) in commands
    assert ("migrate", "upgrade") in commands
    for path, parser in commands.items():
        assert "--log-level" in _options(parser), path
        if path == ("new-context",):
            assert "--database-url" not in _options(parser)
        else:
            assert "--database-url" in _options(parser), path


def test_new_context_takes_log_level(monkeypatch: pytest.MonkeyPatch) -> None:
    levels: list[str] = []
    scaffolded: list[argparse.Namespace] = []
    monkeypatch.setattr(
        api.cli, "configure_logging", lambda level, log_format="text": levels.append(level)
    )

    def scaffold(args: argparse.Namespace) -> int:
        scaffolded.append(args)
        return 0

    monkeypatch.setattr(api.cli, "run_new_context", scaffold)

    assert main(["new-context", "--log-level", "debug", "foo"]) == 0
    assert main(["--log-level", "warning", "new-context", "bar"]) == 0

    assert [args.name for args in scaffolded] == ["foo", "bar"]
    assert levels == ["debug", "warning"]


def test_new_context_refuses_a_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--database-url", "sqlite://", "new-context", "foo"])
    assert exit_info.value.code == 2
    assert "new-context" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["new-context", "--database-url", "sqlite://", "foo"])


def test_a_relative_downgrade_with_several_heads_is_refused_and_drops_nothing(
    capsys: pytest.CaptureFixture[str], fresh_database: URL
) -> None:
    url = url_of(fresh_database)
    assert run(capsys, "migrate", "upgrade", "--database-url", url)[0] == 0
    before = service_migrations(database_url=url).current()

    code, _, err = run(capsys, "migrate", "downgrade", "-1", "--database-url", url)

    assert code == 1
    assert "ambiguous" in err
    assert "product_catalog@-1" in err
    assert "events@-1" in err
    assert service_migrations(database_url=url).current() == before


def test_an_autogenerated_revision_on_a_database_behind_is_refused(
    capsys: pytest.CaptureFixture[str], fresh_database: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Any] = []
    monkeypatch.setattr(api.cli, "create_context_revision", lambda *a, **k: written.append(a))
    url = url_of(fresh_database)

    code, _, err = run(
        capsys, "migrate", "revision", "--context", "events", "-m", "x", "--database-url", url
    )

    assert code == 1
    assert "run `api migrate upgrade`" in err
    assert written == []

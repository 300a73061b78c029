"""The directory where several workers keep their metrics.

prometheus-client's multiprocess mode writes each worker's values to files
in ``PROMETHEUS_MULTIPROC_DIR``; a scrape, answered by any worker, adds them
up. The directory must exist before the workers start and must be empty of
a previous run's files (they would count again). ``api serve`` prepares it
with :func:`metrics_directory`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class MetricsDirectoryError(ValueError):
    """``PROMETHEUS_MULTIPROC_DIR`` names something that cannot hold the files."""


@contextmanager
def metrics_directory(
    workers: int, environ: MutableMapping[str, str] = os.environ
) -> Iterator[Path | None]:
    """Make ``PROMETHEUS_MULTIPROC_DIR`` ready for this run.

    Set: that directory is created if missing and its ``*.db`` files from
    an earlier run are removed (nothing else is touched; it stays). Unset
    with several workers: a temporary directory is created, exported to the
    workers, and removed when the server stops. Unset with one worker:
    nothing to do (``None``).
    """
    configured = environ.get(MULTIPROCESS_DIR_ENV)
    if configured:
        path = Path(configured)
        if path.exists() and not path.is_dir():
            raise MetricsDirectoryError(f"{MULTIPROCESS_DIR_ENV}: {path} is not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
            for stale in path.glob("*.db"):
                stale.unlink()
        except OSError as error:
            raise MetricsDirectoryError(f"{MULTIPROCESS_DIR_ENV}: {path}: {error}") from None
        yield path
        return
    if workers <= 1:
        yield None
        return
    path = Path(tempfile.mkdtemp(prefix="api-metrics-"))
    environ[MULTIPROCESS_DIR_ENV] = str(path)
    try:
        yield path
    finally:
        environ.pop(MULTIPROCESS_DIR_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


__all__ = ["MULTIPROCESS_DIR_ENV", "MetricsDirectoryError", "metrics_directory"]

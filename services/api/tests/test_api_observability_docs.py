"""docs/operations.md and docs/configuration.md name every metric the
service exports and every variable it reads."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from api.observability.collectors import POOL_GAUGES
from api.observability.metrics import HttpMetrics
from api.observability.settings import ObservabilitySettings

DOCS = Path(__file__).resolve().parents[3] / "docs"
OUTBOX = ("outbox_pending_messages", "outbox_parked_messages", "outbox_oldest_pending_age_seconds")


def test_every_metric_is_documented() -> None:
    registry = CollectorRegistry()
    HttpMetrics(registry)
    exported = {family.name for family in registry.collect()} | set(POOL_GAUGES) | set(OUTBOX)
    text = (DOCS / "operations.md").read_text(encoding="utf-8")

    missing = [name for name in sorted(exported) if f"`{name}`" not in text]
    # Counters are exported with a _total suffix.
    missing = [name for name in missing if f"`{name}_total`" not in text]
    assert not missing


def test_every_observability_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    names = [name.upper() for name in ObservabilitySettings.model_fields]
    assert names
    assert not [name for name in names if f"`{name}`" not in text]
    assert "`PROMETHEUS_MULTIPROC_DIR`" in text


def test_the_operations_page_is_linked_from_the_index() -> None:
    assert "(operations.md)" in (DOCS / "README.md").read_text(encoding="utf-8")

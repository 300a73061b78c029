"""Ports the application layer depends on, and in-memory fakes of them."""

from shared_infrastructure.application.retry import retry_on_conflict
from shared_infrastructure.application.unit_of_work import SyncUnitOfWork, UnitOfWork

__all__ = ["SyncUnitOfWork", "UnitOfWork", "retry_on_conflict"]

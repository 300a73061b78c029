"""A small aggregate with child entities, its records and mapper (test-only)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin, VersionMixin
from shared_infrastructure.domain import AggregateRoot, DomainEvent, DomainRuleViolation, Entity
from shared_infrastructure.persistence import (
    AggregateMapper,
    SqlAlchemyRepository,
    SqlAlchemyUnitOfWork,
    SyncSqlAlchemyRepository,
    SyncSqlAlchemyUnitOfWork,
)


@dataclass(frozen=True, kw_only=True)
class LineAdded(DomainEvent):
    order_id: str
    sku: str


@dataclass(frozen=True, kw_only=True)
class OrderRenamed(DomainEvent):
    order_id: str
    name: str


class Line(Entity[str]):
    def __init__(self, sku: str, quantity: int) -> None:
        self.id = sku
        self.quantity = quantity


class Order(AggregateRoot[str]):
    def __init__(self, id: str, name: str, total: Decimal = Decimal("0"), version: int = 0):
        super().__init__()
        self.id = id
        self.name = name
        self.total = total
        self.version = version
        self.lines: list[Line] = []

    def rename(self, name: str) -> None:
        self.name = name
        self.record_event(OrderRenamed(order_id=self.id, name=name))

    def add_line(self, sku: str, quantity: int) -> None:
        if any(line.id == sku for line in self.lines):
            raise DomainRuleViolation(f"{sku} already on the order", field="sku")
        self.lines.append(Line(sku, quantity))
        self.record_event(LineAdded(order_id=self.id, sku=sku))


class OrderRecord(Base, TimestampMixin, SoftDeleteMixin, VersionMixin):
    __tablename__ = "pers_orders"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lines: Mapped[list[OrderLineRecord]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLineRecord.sku"
    )


class OrderLineRecord(Base):
    __tablename__ = "pers_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("pers_orders.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]


class OrderMapper(AggregateMapper[Order, OrderRecord]):
    record_type = OrderRecord

    def to_aggregate(self, record: OrderRecord) -> Order:
        order = Order(record.id, record.name, record.total, record.version)
        order.lines = [Line(line.sku, line.quantity) for line in record.lines]
        return order

    def to_record(self, aggregate: Order, record: OrderRecord | None = None) -> OrderRecord:
        record = record or OrderRecord(id=aggregate.id, lines=[])
        record.name = aggregate.name
        record.total = aggregate.total
        existing = {line.sku: line for line in record.lines}
        record.lines = [
            _line(existing.get(line.id), line.id, line.quantity) for line in aggregate.lines
        ]
        return record


def _line(record: OrderLineRecord | None, sku: str, quantity: int) -> OrderLineRecord:
    record = record or OrderLineRecord(sku=sku)
    record.quantity = quantity
    return record


class OrderRepository(SqlAlchemyRepository[Order, str]):
    entity_name = "Order"
    mapper = OrderMapper()
    queryable = {"name": OrderRecord.name, "total": OrderRecord.total}
    load_options = (selectinload(OrderRecord.lines),)

    async def by_name(self, name: str) -> Order | None:
        return await self._find_one(OrderRecord.name == name)

    async def locked(self, order_id: str) -> Order | None:
        return await self._get_for_update(order_id)


class OrderUnitOfWork(SqlAlchemyUnitOfWork):
    orders: OrderRepository

    def _create_repositories(self) -> None:
        self.orders = OrderRepository(self)


class SyncOrderRepository(SyncSqlAlchemyRepository[Order, str]):
    entity_name = "Order"
    mapper = OrderMapper()
    queryable = {"name": OrderRecord.name}
    load_options = (selectinload(OrderRecord.lines),)


class SyncOrderUnitOfWork(SyncSqlAlchemyUnitOfWork):
    orders: SyncOrderRepository

    def _create_repositories(self) -> None:
        self.orders = SyncOrderRepository(self)

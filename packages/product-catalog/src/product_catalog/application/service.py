"""Use cases of the catalog: one unit of work each, plain results out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from product_catalog.application.queries import DEFAULT_LIMIT, ProductListQuery
from product_catalog.application.unit_of_work import ProductCatalogUnitOfWork
from product_catalog.application.views import ProductPage, ProductView
from product_catalog.domain import (
    DuplicateProductCode,
    InvalidMoney,
    InvalidPrice,
    Money,
    Product,
    ProductCode,
    ProductNotFound,
)
from shared_infrastructure.application import retry_on_conflict
from shared_infrastructure.domain import (
    ConcurrencyConflict,
    Conflict,
    DomainEvent,
    DomainRuleViolation,
)

EventPublisher = Callable[[Sequence[DomainEvent]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ProductChanges:
    """A partial update; ``None`` leaves a field as it is.

    A price amount or currency given alone keeps the other half of the
    current price.
    """

    name: str | None = None
    description: str | None = None
    price_amount: Decimal | None = None
    price_currency: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (self.name, self.description, self.price_amount, self.price_currency)
        )


class ProductService:
    """Application service of the catalog.

    Every write runs in its own unit of work and commits once, so a request
    that fails half-way leaves nothing behind. Writes take the version the
    caller last saw (``expected_version``, e.g. from ``If-Match``) and refuse
    to overwrite a newer state. Domain events go to ``publish`` only after
    the commit succeeded.
    """

    def __init__(
        self,
        uow_factory: Callable[[], ProductCatalogUnitOfWork],
        *,
        publish: EventPublisher | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._publish = publish

    # -- writes -------------------------------------------------------------
    async def create(
        self,
        *,
        code: str,
        name: str,
        price_amount: Decimal | int | str,
        price_currency: str,
        description: str = "",
    ) -> ProductView:
        product = Product.create(
            code=ProductCode(code),
            name=name,
            description=description,
            price=_price(price_amount, price_currency),
        )

        async def add() -> ProductView:
            # No read before the write: the unique constraint on the code
            # (deleted products included) decides, also between concurrent
            # requests, and costs no round trip.
            async with self._uow_factory().writing() as uow:
                await uow.products.add(product)
                try:
                    await self._commit(uow)
                except Conflict as error:
                    if error.field != "code" or isinstance(error, ConcurrencyConflict):
                        raise
                    raise DuplicateProductCode(code) from error
                return ProductView.of(product)

        return await retry_on_conflict(add)

    async def update(
        self, product_id: UUID, changes: ProductChanges, *, expected_version: int | None = None
    ) -> ProductView:
        """Apply several changes atomically: all of them or none.

        An update that names no field is refused, as in the events context:
        it is almost always a client bug (a misspelt or dropped field), and
        answering 200 would hide it.
        """
        if changes.is_empty:
            raise DomainRuleViolation("nothing to change: give at least one field")

        def apply(product: Product) -> None:
            if changes.name is not None:
                product.rename(changes.name)
            if changes.description is not None:
                product.describe(changes.description)
            if changes.price_amount is not None or changes.price_currency is not None:
                amount = changes.price_amount
                product.change_price(
                    _price(
                        product.price.amount if amount is None else amount,
                        changes.price_currency or product.price.currency,
                    )
                )

        return await self._change(product_id, expected_version, apply)

    async def rename(
        self, product_id: UUID, name: str, *, expected_version: int | None = None
    ) -> ProductView:
        return await self.update(
            product_id, ProductChanges(name=name), expected_version=expected_version
        )

    async def describe(
        self, product_id: UUID, description: str, *, expected_version: int | None = None
    ) -> ProductView:
        return await self.update(
            product_id, ProductChanges(description=description), expected_version=expected_version
        )

    async def change_price(
        self,
        product_id: UUID,
        amount: Decimal | int | str,
        currency: str,
        *,
        expected_version: int | None = None,
    ) -> ProductView:
        price = _price(amount, currency)
        return await self._change(product_id, expected_version, lambda p: p.change_price(price))

    async def activate(
        self, product_id: UUID, *, expected_version: int | None = None
    ) -> ProductView:
        return await self._change(product_id, expected_version, Product.activate)

    async def discontinue(
        self, product_id: UUID, *, expected_version: int | None = None
    ) -> ProductView:
        return await self._change(product_id, expected_version, Product.discontinue)

    async def delete(self, product_id: UUID, *, expected_version: int | None = None) -> None:
        """Soft delete: the product disappears from reads, its code stays taken."""

        async def remove() -> None:
            async with self._uow_factory().writing() as uow:
                product = await self._load(uow, product_id, expected_version)
                product.mark_deleted()
                await uow.products.remove(product)
                await self._commit(uow)

        await retry_on_conflict(remove)

    # -- reads --------------------------------------------------------------
    async def get(self, product_id: UUID) -> ProductView:
        async with self._uow_factory() as uow:
            return ProductView.of(await self._load(uow, product_id, None))

    async def get_by_code(self, code: str) -> ProductView:
        product_code = ProductCode(code)
        async with self._uow_factory() as uow:
            product = await uow.products.get_by_code(product_code)
            if product is None:
                raise ProductNotFound(code)
            return ProductView.of(product)

    async def list(self, query: ProductListQuery | None = None) -> ProductPage:
        spec = (query or ProductListQuery()).to_spec()
        async with self._uow_factory() as uow:
            page = await uow.products.list(spec)
            return ProductPage(
                items=[ProductView.of(product) for product in page.items],
                total=page.total,
                limit=page.limit,
                offset=page.offset,
                next_cursor=page.next_cursor,
            )

    async def search_by_name(
        self, text: str, *, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> ProductPage:
        """Products whose name contains ``text``, ignoring case, by name."""
        return await self.list(
            ProductListQuery(name=text, sort=("name",), limit=limit, offset=offset)
        )

    # -- helpers ------------------------------------------------------------
    @staticmethod
    async def _load(
        uow: ProductCatalogUnitOfWork, product_id: UUID, expected_version: int | None
    ) -> Product:
        product = await uow.products.get(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        product.check_version(expected_version)
        return product

    async def _change(
        self,
        product_id: UUID,
        expected_version: int | None,
        change: Callable[[Product], None],
    ) -> ProductView:
        """Load, change, commit; a lost race is re-run from a fresh load
        (a stale ``expected_version`` is not: that is the caller's 412)."""

        async def attempt() -> ProductView:
            async with self._uow_factory().writing() as uow:
                product = await self._load(uow, product_id, expected_version)
                change(product)
                await self._commit(uow)
                return ProductView.of(product)

        return await retry_on_conflict(attempt)

    async def _commit(self, uow: ProductCatalogUnitOfWork) -> None:
        await uow.commit()
        events = uow.collect_events()
        if events and self._publish is not None:
            await self._publish(events)


def _price(amount: Decimal | int | str, currency: str) -> Money:
    """Money errors name ``amount``/``currency``; callers see ``price.*``."""
    try:
        return Money(amount, currency)
    except InvalidMoney as error:
        raise InvalidPrice(error.message, field=f"price.{error.field}") from error

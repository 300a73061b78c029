"""Tickets in the domain: the product copy and the "on sale" rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.domain import (
    Event,
    TicketNotOnSale,
    TicketPrice,
    TicketProduct,
    validate_ticket_product_code,
)
from shared_infrastructure.domain import Conflict, DomainRuleViolation

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
EUR_25 = TicketPrice(amount="25.00", currency="EUR")


def ticketed_event(code: str | None = "PASS001") -> Event:
    event = Event.create(
        id="ev_jazz",
        title="Jazz night",
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        capacity=10,
        now=NOW,
        ticket_product_code=code,
    )
    event.publish(now=NOW)
    return event


def product(code: str = "PASS001", *, on_sale: bool = True) -> TicketProduct:
    return TicketProduct.first_heard(code, price=EUR_25, on_sale=on_sale, as_of=NOW)


class TestTicketProductCode:
    @pytest.mark.parametrize("code", ["PROD001", "AB123", "ABCDEFGHIJ0123456789"])
    def test_catalog_codes_are_accepted(self, code: str) -> None:
        assert validate_ticket_product_code(code) == code
        assert ticketed_event(code).ticket_product_code == code

    @pytest.mark.parametrize(
        "code",
        ["", "prod001", "PROD01", "P001", "PROD 001", "PROD001\x00", "\uff21B001", "PROD0001X"],
    )
    def test_anything_else_is_refused_naming_the_field(self, code: str) -> None:
        with pytest.raises(DomainRuleViolation) as error:
            ticketed_event(code)

        assert error.value.field == "ticket_product_code"

    def test_an_event_without_a_ticket_product_has_none(self) -> None:
        assert ticketed_event(None).ticket_product_code is None


class TestTicketPrice:
    @pytest.mark.parametrize("amount", ["25.00", "0", "1200", "0.5"])
    def test_decimal_texts_are_kept_as_given(self, amount: str) -> None:
        assert TicketPrice(amount=amount, currency="EUR").amount == amount

    @pytest.mark.parametrize("amount", ["", "abc", "-1.00", "NaN", "Infinity", " 1", "1" * 33])
    def test_anything_but_a_non_negative_decimal_is_refused(self, amount: str) -> None:
        with pytest.raises(DomainRuleViolation) as error:
            TicketPrice(amount=amount, currency="EUR")

        assert error.value.field == "price.amount"

    @pytest.mark.parametrize("currency", ["", "eur", "EURO", "E1R"])
    def test_the_currency_is_an_iso_code(self, currency: str) -> None:
        with pytest.raises(DomainRuleViolation) as error:
            TicketPrice(amount="1.00", currency=currency)

        assert error.value.field == "price.currency"


class TestTicketProduct:
    def test_it_takes_a_newer_state(self) -> None:
        copy = product(on_sale=False)
        later = TicketPrice(amount="30.00", currency="EUR")

        assert copy.update(price=later, on_sale=True, as_of=NOW + timedelta(seconds=1))

        assert (copy.price, copy.on_sale) == (later, True)
        assert copy.as_of == NOW + timedelta(seconds=1)

    def test_an_older_state_arriving_late_changes_nothing(self) -> None:
        copy = product(on_sale=False)

        applied = copy.update(
            price=TicketPrice(amount="1.00", currency="EUR"),
            on_sale=True,
            as_of=NOW - timedelta(seconds=1),
        )

        assert applied is False
        assert (copy.price, copy.on_sale, copy.as_of) == (EUR_25, False, NOW)

    def test_a_state_without_a_price_keeps_the_known_one(self) -> None:
        copy = product()

        copy.update(price=None, on_sale=False, as_of=NOW + timedelta(seconds=1))

        assert (copy.price, copy.on_sale) == (EUR_25, False)

    def test_the_time_of_a_state_must_be_aware(self) -> None:
        with pytest.raises(DomainRuleViolation):
            product().update(price=None, on_sale=False, as_of=datetime(2030, 1, 2))


class TestRegisteringNeedsTheTicketOnSale:
    def test_an_event_with_its_product_on_sale_registers(self) -> None:
        event = ticketed_event()

        registration = event.register("a@example.org", now=NOW, ticket=product())

        assert registration.seats == 1
        assert event.seats_taken == 1

    @pytest.mark.parametrize(
        "ticket",
        [None, product(on_sale=False), product("OTHER001")],
        ids=["never-heard-of", "not-on-sale", "another-product"],
    )
    def test_otherwise_it_is_a_conflict_and_takes_no_seat(
        self, ticket: TicketProduct | None
    ) -> None:
        event = ticketed_event()

        with pytest.raises(TicketNotOnSale) as error:
            event.register("a@example.org", now=NOW, ticket=ticket)

        assert isinstance(error.value, Conflict)
        assert error.value.field == "ticket_product_code"
        assert (event.seats_taken, event.registration_count) == (0, 0)

    def test_an_event_without_a_ticket_product_needs_none(self) -> None:
        event = ticketed_event(None)

        event.register("a@example.org", now=NOW)

        assert event.seats_taken == 1

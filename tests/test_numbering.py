"""Ticket numbers: prefix and year, unique under concurrent creation, never reused."""

from __future__ import annotations

import threading

import peewee
import pytest

from server.db import database
from server.models import Customer, Ticket, TicketCounter
from server.tickets import NewTicket, create_ticket, next_ticket_number
from tests.conftest import ensure_user

THREADS = 8
PER_THREAD = 25


def _new(app, customer):
    registry = app.extensions["aftersales"].registry
    return NewTicket(
        industry="sample",
        service=registry.service("sample", "consult"),
        customer=customer,
        title="concurrent",
    )


def test_number_carries_prefix_year_and_six_digits(app):
    actor = ensure_user(app, "d", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="c")
        ticket = create_ticket(
            app.extensions["aftersales"].registry, _new(app, customer), actor, 2026
        )
    assert ticket.number == "SP-2026-000001"


def test_each_year_counts_from_one(app):
    with app.app_context():
        assert next_ticket_number("SP", 2026) == "SP-2026-000001"
        assert next_ticket_number("SP", 2026) == "SP-2026-000002"
        assert next_ticket_number("SP", 2027) == "SP-2027-000001"
        assert next_ticket_number("XY", 2026) == "XY-2026-000001"


def test_numbers_stay_unique_under_concurrent_creation(app):
    actor = ensure_user(app, "d", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="c")
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                start.wait()
                for _ in range(PER_THREAD):
                    create_ticket(registry, _new(app, customer), actor, 2026)
                database.close()
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        numbers = [t.number for t in Ticket.select(Ticket.number)]
    expected = {f"SP-2026-{n:06d}" for n in range(1, THREADS * PER_THREAD + 1)}
    assert sorted(numbers) == sorted(expected)


def test_a_failed_creation_leaves_no_gap_and_no_half_written_ticket(app):
    actor = ensure_user(app, "d", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="c")
        first = create_ticket(registry, _new(app, customer), actor, 2026)
        ghost = Customer(id=99999, name="not saved")  # the insert breaks its foreign key
        with pytest.raises(peewee.IntegrityError):
            create_ticket(registry, _new(app, ghost), actor, 2026)
        second = create_ticket(registry, _new(app, customer), actor, 2026)
        assert (first.number, second.number) == ("SP-2026-000001", "SP-2026-000002")
        assert Ticket.select().count() == 2


def test_a_deleted_tickets_number_is_never_handed_out_again(app):
    actor = ensure_user(app, "d", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="c")
        create_ticket(registry, _new(app, customer), actor, 2026)
        last = create_ticket(registry, _new(app, customer), actor, 2026)
        Ticket.delete().where(Ticket.id == last.id).execute()
        assert create_ticket(registry, _new(app, customer), actor, 2026).number == "SP-2026-000003"
        assert TicketCounter.get().value == 3

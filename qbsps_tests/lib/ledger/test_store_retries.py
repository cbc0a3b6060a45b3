"""A write PostgreSQL rolls back to break a deadlock runs again; other failures do not."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from qbsps_orchestration.lib.ledger.storage.store import Store

pytestmark = pytest.mark.services


def test_a_deadlock_victim_runs_again_and_both_writers_finish(postgres_schema_url: str) -> None:
    setup = Store(postgres_schema_url)
    with setup.write() as session:
        session.execute(text("CREATE TABLE pair (name text PRIMARY KEY, touched int NOT NULL)"))
        session.execute(text("INSERT INTO pair VALUES ('a', 0), ('b', 0)"))
    setup.engine.dispose()
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts: list[str] = []
    errors: list[BaseException] = []

    def opposite_orders(first: str, second: str) -> None:
        store = Store(postgres_schema_url)

        def work(session: Session) -> None:
            attempts.append(first)
            touch = text("UPDATE pair SET touched = touched + 1 WHERE name = :name")
            session.execute(touch, {"name": first})
            if attempts.count(first) == 1:  # only the first try waits: the retry must not re-deadlock
                both_hold_one.wait()
            session.execute(touch, {"name": second})

        try:
            store.write_retrying(work)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            store.engine.dispose()

    threads = [threading.Thread(target=opposite_orders, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(attempts) == 3  # one of the two was chosen as the victim and ran once more
    check = Store(postgres_schema_url)
    with check.read() as session:
        touched = {r.name: r.touched for r in session.execute(text("SELECT name, touched FROM pair"))}
    check.engine.dispose()
    assert touched == {"a": 2, "b": 2}  # each writer's whole transaction counted once


def test_a_lock_timeout_is_raised_after_one_try(postgres_schema_url: str) -> None:
    """lock_timeout (55P03) means a caller chose not to wait; running again would wait again."""
    setup = Store(postgres_schema_url)
    with setup.write() as session:
        session.execute(text("CREATE TABLE held (id int PRIMARY KEY)"))
        session.execute(text("INSERT INTO held VALUES (1)"))
    holder = setup.write_session()
    holder.execute(text("SELECT id FROM held WHERE id = 1 FOR UPDATE"))
    calls: list[int] = []

    def work(session: Session) -> None:
        calls.append(1)
        session.execute(text("SET LOCAL lock_timeout = '50ms'"))
        session.execute(text("SELECT id FROM held WHERE id = 1 FOR UPDATE"))

    try:
        with pytest.raises(OperationalError):
            setup.write_retrying(work)
    finally:
        holder.rollback()
        holder.close()
        setup.engine.dispose()
    assert calls == [1]

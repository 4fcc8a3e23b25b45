"""Locks, held until the transaction ends, on things that are not rows: a user (their presses
counted against the hourly limit), a phone number (two presses for contacts sharing it) or a call
id (its events and the recording of the call id).

PostgreSQL: an advisory lock per key, taken in one order everywhere, so no two transactions wait
for each other in a circle. SQLite: nothing to do, its transactions are IMMEDIATE and so run one
at a time."""

from collections.abc import Iterable

from django.db import connection

# pg_advisory_xact_lock(namespace, hashtext(key)): the namespaces keep these apart from any other
# lock.
NUMBERS = 0x43420001
CALLS = 0x43420002
USERS = 0x43420003


def hold(namespace: int, keys: Iterable[str]) -> None:
    if connection.vendor != "postgresql":
        return
    ordered = sorted(set(keys))
    if not ordered:
        return
    with connection.cursor() as cursor:
        # One round trip for them all: unnest gives the keys in the array's (sorted) order, and
        # each row's lock is taken as the row comes.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(key)) FROM unnest(%s::text[]) AS key",
            [namespace, ordered],
        )

"""The call log benchmark's big tables, generated in PostgreSQL with INSERT … SELECT from
generate_series: contacts and their change trail, callback requests with their numbers, attempts,
the placed calls' final events and legs, and the reference TaskResult rows. At 10,000,000 attempts
Python's bulk_create would take hours; this takes minutes.

The tables are loaded without their indexes and constraints (primary keys aside), which are put
back afterwards from their own definitions: one sorted build per index instead of millions of
random inserts into each. random() is seeded once, so a load gives the same data every time."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

STATUSES = [("placed", 70), ("failed", 15), ("unknown", 5), ("refused", 5), ("cancelled", 5)]
OUTCOMES = [("connected", 60), ("agents_no_answer", 15), ("contact_no_answer", 20), ("failed", 5)]
REFUSALS = [("cooldown", 60), ("hourly_limit", 20), ("do_not_call", 10), ("no_opening", 10)]
FIRST_NAMES = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Ольга", "Сергей", "Елена", "Дмитрий"]
FIRST_NAMES += ["Наталья"]
LAST_NAMES = ["Петров", "Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев"]
LAST_NAMES += ["Козлова"]
ERROR = "Exolve answered 400: invalid MakeCallbackRequest.Line_1"
NOTE = "Звонить после 18:00"  # every fifth contact was edited once, a week after it was made
REQUEST_BODY = '{"duration": 1800, "line_1": {"destinations": []}, "line_2": {"destinations": []}}'
SPAN = timedelta(days=365)  # the requests are spread evenly over the year before the load

TABLES = [
    "callbacks_contact",
    "callbacks_historicalcontact",
    "callbacks_callbackrequest",
    "callbacks_callbacknumber",
    "callbacks_callbackattempt",
    "callbacks_callevent",
    "callbacks_callleg",
    "django_celery_results_taskresult",
]


@dataclass(frozen=True)
class Sizes:
    contacts: int
    requests: int
    attempts: int
    task_results: int
    group_ids: list[int]
    user_ids: list[int]  # who asked for the callbacks and edited the contacts
    now: datetime


def weighted(draw, choices):
    """A CASE giving each value for its share of a uniform draw in [0, 1), by its weight."""
    total = sum(weight for _value, weight in choices)
    whens, cumulative = [], 0
    for value, weight in choices[:-1]:
        cumulative += weight
        whens.append(f"WHEN {draw} < {cumulative / total} THEN '{value}'")
    return f"CASE {' '.join(whens)} ELSE '{choices[-1][0]}' END"


def pick(draw, array):
    """An element of an array parameter, chosen by a uniform draw."""
    return f"({array})[1 + floor({draw} * cardinality({array}))::int]"


CONTACTS = f"""
INSERT INTO callbacks_contact (name, company, notes, time_zone, created_at, updated_at)
SELECT {pick("first_draw", "%(first_names)s::text[]")} || ' '
       || {pick("last_draw", "%(last_names)s::text[]")} || ' ' || i,
       '', CASE WHEN i %% 5 = 0 THEN %(note)s ELSE '' END, '', created,
       created + CASE WHEN i %% 5 = 0 THEN interval '7 days' ELSE interval '0' END
FROM (SELECT i, random() AS first_draw, random() AS last_draw,
             %(start)s + make_interval(secs => (%(span)s - 7 * 86400) * i / %(contacts)s::float8)
                 AS created
      FROM generate_series(0, %(contacts)s - 1) AS i OFFSET 0) AS drawn
"""

# Each contact's creation, and the edit of every fifth, by one of the staff.
CONTACT_HISTORY = f"""
INSERT INTO callbacks_historicalcontact (id, name, company, notes, created_at, updated_at,
    time_zone, test_caller_id, history_date, history_change_reason, history_type, history_user_id)
SELECT c.id, c.name, c.company, change.notes, c.created_at, change.at, c.time_zone, NULL,
       change.at, NULL, change.kind, {pick("random()", "%(user_ids)s::int[]")}
FROM callbacks_contact c
CROSS JOIN LATERAL (VALUES ('+', c.created_at, ''), ('~', c.updated_at, c.notes))
    AS change (kind, at, notes)
WHERE change.kind = '+' OR c.notes <> ''
"""

# The draws come from a subquery that OFFSET 0 keeps whole: a CASE reads its draw once.
REQUESTS = f"""
INSERT INTO callbacks_callbackrequest (contact_id, agent_group_id, requested_by_id, requested_at,
    status, refusal, limits_overridden, manager_review, request_description, request_body,
    contact_leg, is_test, attempt_count, round_first_attempt, round_started_at, placement_count,
    queued_at, claimed_at, call_id, error, finished_at, call_outcome, final_event_at,
    outcome_expected_by, final_state, redial_stop)
SELECT (SELECT min(id) FROM callbacks_contact) + floor(contact_draw * %(contacts)s)::bigint,
       {pick("group_draw", "%(group_ids)s::bigint[]")},
       {pick("user_draw", "%(user_ids)s::int[]")},
       requested_at, status,
       CASE WHEN status = 'refused' THEN refusal ELSE '' END,
       false, '', 'callback-' || md5('request-' || i)::uuid, %(body)s::jsonb,
       'B', false, attempts, 1, requested_at, (status = 'placed')::int, requested_at,
       CASE WHEN status IN ('placed', 'failed', 'unknown')
            THEN requested_at + make_interval(secs => attempts) END,
       CASE WHEN status = 'placed' THEN 'cal' || md5('call-' || i)::uuid ELSE '' END,
       CASE WHEN status = 'failed' THEN %(error)s ELSE '' END,
       requested_at + make_interval(secs => attempts + 0.25),
       CASE WHEN status = 'placed' THEN outcome ELSE '' END,
       CASE WHEN status = 'placed' THEN requested_at + make_interval(secs => attempts + 60) END,
       CASE WHEN status = 'placed' THEN requested_at + make_interval(secs => attempts + 1830) END,
       CASE WHEN status = 'placed' AND outcome = 'connected' THEN 'connected'
            WHEN status = 'placed' THEN 'not_reached'
            WHEN status = 'cancelled' THEN 'cancelled' ELSE '' END,
       CASE WHEN status = 'placed' AND outcome <> 'connected' THEN 'not_in_policy' ELSE '' END
FROM (SELECT i, contact_draw, group_draw, user_draw,
             {weighted("status_draw", STATUSES)} AS status,
             {weighted("outcome_draw", OUTCOMES)} AS outcome,
             {weighted("refusal_draw", REFUSALS)} AS refusal,
             %(start)s + make_interval(secs => %(span)s * i / %(requests)s::float8) AS requested_at,
             %(per_request)s + (i < %(extra)s)::int AS attempts
      FROM (SELECT i, random() AS status_draw, random() AS outcome_draw, random() AS refusal_draw,
                   random() AS contact_draw, random() AS group_draw, random() AS user_draw
            FROM generate_series(0, %(requests)s - 1) AS i OFFSET 0) AS draws) AS drawn
"""

NUMBERS = """
INSERT INTO callbacks_callbacknumber (callback_id, number)
SELECT id, '79' || lpad(floor(random() * 1e9)::bigint::text, 9, '0')
FROM callbacks_callbackrequest
"""

# Transient 503s, then, for a placed callback, the attempt Exolve placed (its call id).
ATTEMPTS = """
INSERT INTO callbacks_callbackattempt (callback_id, sequence, request_description, started_at,
    finished_at, duration_ms, request_body, result, http_status, response_body, call_id, error)
SELECT r.id, s, r.request_description || '-' || s, r.requested_at + make_interval(secs => s),
       r.requested_at + make_interval(secs => s + 0.25), 250, '{"duration": 1800}',
       CASE WHEN placed THEN 'placed' ELSE 'transient' END, CASE WHEN placed THEN 200 ELSE 503 END,
       '', CASE WHEN placed THEN r.call_id ELSE '' END, ''
FROM callbacks_callbackrequest r
CROSS JOIN LATERAL generate_series(1, r.attempt_count) AS s
CROSS JOIN LATERAL (SELECT s = r.attempt_count AND r.status = 'placed' AS placed) AS last
"""

# A placed call's final event (cause 16), a minute after it was placed.
EVENTS = """
INSERT INTO callbacks_callevent (call_sid, event_side, type, date_time, occurred_at, payload,
    received_at, attempt_id)
SELECT a.call_id, 'A', 'd', to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US+00:00'),
       moment, jsonb_build_object('call_sid', a.call_id, 'type', 'd', 'cause', '16'), moment, a.id
FROM callbacks_callbackattempt a
CROSS JOIN LATERAL (SELECT a.started_at + interval '60 seconds' AS moment) AS at
WHERE a.result = 'placed'
"""

# Leg A as its final event tells it: answered 50 seconds before the end if the call connected.
LEGS = """
INSERT INTO callbacks_callleg (call_sid, side, answered_at, final_at, final_event_id)
SELECT e.call_sid, 'A',
       CASE WHEN r.call_outcome = 'connected' THEN e.occurred_at - interval '50 seconds' END,
       e.occurred_at, e.id
FROM callbacks_callevent e
JOIN callbacks_callbackattempt a ON a.id = e.attempt_id
JOIN callbacks_callbackrequest r ON r.id = a.callback_id
"""

TASK_RESULTS = f"""
INSERT INTO django_celery_results_taskresult (task_id, task_name, task_args, task_kwargs, status,
    worker, content_type, content_encoding, result, date_done, date_created)
SELECT md5('task-' || i)::uuid::text, 'callbacks.send_callbacks', '[[12345]]', '{{}}',
       {weighted("status_draw", [("SUCCESS", 80), ("FAILURE", 10), ("RETRY", 5), ("REVOKED", 5)])},
       'celery@worker-1', 'application/json', 'utf-8', 'null', done, done
FROM (SELECT i, random() AS status_draw, %(now)s - make_interval(secs => i * 30) AS done
      FROM generate_series(0, %(task_results)s - 1) AS i OFFSET 0) AS drawn
"""

# What to drop before loading and to put back after: (drop, create, is a foreign key).
INDEXES_AND_CONSTRAINTS = """
SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)),
       c.contype = 'f'
FROM pg_constraint c
WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('u', 'f')
UNION ALL
SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), false
FROM pg_index i
WHERE i.indrelid = ANY(%(tables)s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                  WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
"""

# The steps in order: (what the progress line says, statement).
STEPS = [
    ("contacts", CONTACTS),
    ("the contacts' change trail", CONTACT_HISTORY),
    ("callback requests", REQUESTS),
    ("their numbers", NUMBERS),
    ("attempts", ATTEMPTS),
    ("the placed calls' final events", EVENTS),
    ("their legs", LEGS),
    ("TaskResult rows (the reference)", TASK_RESULTS),
]


def parameters(sizes):
    """The steps' parameters (a request's contact is the first contact's id plus a draw: the
    contacts' ids are consecutive, made by one INSERT into an empty table)."""
    per_request, extra = divmod(sizes.attempts, sizes.requests)
    return {
        "contacts": sizes.contacts,
        "requests": sizes.requests,
        "task_results": sizes.task_results,
        "per_request": per_request,
        "extra": extra,
        "group_ids": sizes.group_ids,
        "user_ids": sizes.user_ids,
        "first_names": FIRST_NAMES,
        "last_names": LAST_NAMES,
        "note": NOTE,
        "error": ERROR,
        "body": REQUEST_BODY,
        "now": sizes.now,
        "start": sizes.now - SPAN,
        "span": SPAN.total_seconds(),
    }


def load_tables(cursor, sizes, log):
    """Runs the steps on the tables stripped of their indexes and constraints, then puts those
    back (foreign keys last, each checked in one pass). Returns [(step, seconds)]."""
    cursor.execute("SET synchronous_commit = off")  # this session's commits: a load, not money
    cursor.execute("SET maintenance_work_mem = '1GB'")  # index builds sort in memory
    cursor.execute(INDEXES_AND_CONSTRAINTS, {"tables": TABLES})
    kept = cursor.fetchall()
    for drop, _create, _is_foreign_key in kept:
        cursor.execute(drop)
    cursor.execute("SELECT setseed(0.7)")
    values = parameters(sizes)
    timings = []
    for label, statement in STEPS:
        started = time.monotonic()
        cursor.execute(statement, values)
        timings.append((label, time.monotonic() - started))
        log(f"{label}: {cursor.rowcount:,} rows in {timings[-1][1]:.0f} s")
    started = time.monotonic()
    for _drop, create, _is_foreign_key in sorted(kept, key=lambda row: row[2]):
        cursor.execute(create)
    timings.append((f"{len(kept)} indexes and constraints", time.monotonic() - started))
    log(f"{timings[-1][0]} back in {timings[-1][1]:.0f} s")
    return timings

"""Delivery: a callback from the press of "Call back" to Exolve's answer, one module per job.

    contract       the MakeCallback contract's rules, checked before anything is queued
    create         the press: limits, the new callback, queued once committed
    staff_actions  cancel, place again, place anyway
    replan         new working hours: the group's waiting callbacks take the new times
    queue          handing callbacks to a worker through the broker, with a deadline
    send_threads   the threads a worker sends in, side by side
    sending        the claim, the attempt rows, the MakeCallback requests
    recording      Exolve's answer: the attempt, the callback's new status, a retry
    sweeper        what the broker did not do: queue the due and the lost, give up lost sends
    transitions    the one table of allowed status changes, which every step above asks

The database is the source of truth: a callback is committed before it is queued, and the
sweeper queues again whatever is due and was never queued or got lost. docs/architecture.md
draws the life of a callback and names the lock order.
"""

"""The send threads: a batch reserves a thread for each of its callbacks before it claims them,
in the order the reservations were asked for."""

from callbacks.delivery.send_threads import SendThreads
from tests.helpers import reserve_in_background


def test_a_batch_claims_its_callbacks_only_when_a_thread_is_free_for_each_and_in_turn():
    threads = SendThreads(2)
    assert reserve_in_background(threads, 2).wait(5)  # both threads busy
    batch = reserve_in_background(threads, 2)
    assert not batch.wait(0.3)
    press = reserve_in_background(threads, 1)  # asks after the batch
    threads.submit(
        lambda: None
    )  # one thread free again: the batch still needs two, and it was first
    assert not press.wait(0.3)
    threads.submit(lambda: None)
    assert batch.wait(5)
    assert not press.is_set()  # the batch took both
    threads.release(2)
    assert press.wait(5)

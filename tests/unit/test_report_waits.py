"""A report's waits read from bands: the median and the 90th percentile it gives fall in the same
band as the exact nearest-rank value of the waits themselves, whatever they are."""

import math
from bisect import bisect_right

from hypothesis import given
from hypothesis import strategies as st

from callbacks.models.reports import WAIT_EDGES
from callbacks.reports.series import percentile_of_bands

WAITS = st.lists(st.integers(min_value=-5, max_value=100_000), min_size=1, max_size=300)


def banded(waits):
    bands = [0] * (len(WAIT_EDGES) + 1)
    for wait in waits:
        bands[bisect_right(WAIT_EDGES, wait)] += 1
    return bands


def band_of(seconds):
    return bisect_right(WAIT_EDGES, seconds)


@given(waits=WAITS, share=st.sampled_from([0.5, 0.9]))
def test_the_estimate_lies_in_the_band_of_the_exact_percentile(waits, share):
    ordered = sorted(waits)
    exact = ordered[max(1, math.ceil(share * len(ordered))) - 1]
    estimate = percentile_of_bands(banded(waits), share)
    assert band_of(estimate) == band_of(max(0, exact))


def test_one_wait_reads_as_the_middle_of_its_band():
    assert percentile_of_bands(banded([31]), 0.5) == 37.5  # the band from 30 to 45 seconds


def test_no_waits_give_no_percentile():
    assert percentile_of_bands(banded([]), 0.5) is None

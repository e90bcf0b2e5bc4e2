# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""wait_until with a fake clock and a fake sleep: nothing here really sleeps."""

from __future__ import annotations

import pytest

from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError
from ansible_collections.oceanbase.ops.plugins.module_utils._wait import wait_until


class FakeTime:
    """A monotonic clock that only moves when slept on (or when a poll says it took time)."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0, "never sleep for nothing"
        self.sleeps.append(seconds)
        self.now += seconds


class Poller:
    """Answers from a script: a value is returned, an exception raised. Records each call's deadline
    and the fake time it was made at. ``cost`` seconds pass during each poll."""

    def __init__(self, fake, script, cost=0.0):
        self.fake = fake
        self.script = list(script)
        self.cost = cost
        self.calls = []

    def __call__(self, deadline):
        self.calls.append((self.fake.now, deadline))
        self.fake.now += self.cost
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        return item


def is_done(state):
    return state == "done"


def network_error():
    return ApiError("Could not reach OCP", kind="network")


def unavailable():
    return ApiError("OCP answered GET /x with HTTP 503", kind="http", status=503)


def test_done_at_the_first_poll():
    fake = FakeTime()
    poll = Poller(fake, ["done"])
    result = wait_until(poll, is_done, timeout=60, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.done is True and result.timed_out is False
    assert result.state == "done"
    assert result.polls == 1
    assert result.elapsed == 0
    assert result.transient_errors == 0 and result.last_error is None
    assert fake.sleeps == []


def test_done_after_several_polls():
    fake = FakeTime()
    poll = Poller(fake, ["running", "running", "running", "done"])
    result = wait_until(poll, is_done, timeout=600, interval=15, clock=fake.clock, sleep=fake.sleep)
    assert result.done and not result.timed_out
    assert result.polls == 4
    assert fake.sleeps == [15, 15, 15]
    assert result.elapsed == 45
    assert [when for when, _deadline in poll.calls] == [1000, 1015, 1030, 1045]


def test_timeout_keeps_the_last_state():
    fake = FakeTime()
    states = ["s1", "s2", "s3", "s4", "s5"]
    poll = Poller(fake, states)
    result = wait_until(poll, is_done, timeout=30, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.timed_out is True and result.done is False
    assert result.polls == 4  # at 0, 10, 20, 30
    assert result.state == "s4"
    assert result.elapsed == 30


def test_sleep_is_clipped_to_the_time_left():
    fake = FakeTime()
    poll = Poller(fake, ["running"])
    result = wait_until(poll, is_done, timeout=25, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == [10, 10, 5]
    assert result.timed_out
    assert result.polls == 4
    assert result.elapsed == 25  # never past the deadline


def test_sleep_accounts_for_the_time_a_poll_takes():
    fake = FakeTime()
    poll = Poller(fake, ["running"], cost=4.0)
    result = wait_until(poll, is_done, timeout=20, interval=10, clock=fake.clock, sleep=fake.sleep)
    # polls at 0 (ends 4), 14 (ends 18), then only 2 s are left, then 20 (ends 24): past the deadline
    assert fake.sleeps == [10, 2]
    assert result.polls == 3
    assert result.timed_out
    assert result.elapsed == 24


def test_timeout_zero_is_exactly_one_poll():
    fake = FakeTime()
    poll = Poller(fake, ["running", "done"])
    result = wait_until(poll, is_done, timeout=0, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.polls == 1
    assert result.timed_out is True and result.done is False
    assert result.state == "running"
    assert fake.sleeps == []


def test_timeout_zero_done_is_not_a_timeout():
    fake = FakeTime()
    result = wait_until(Poller(fake, ["done"]), is_done, timeout=0, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.done is True and result.timed_out is False and result.polls == 1


def test_the_deadline_is_passed_to_poll():
    fake = FakeTime(start=500.0)
    poll = Poller(fake, ["running", "running", "done"])
    wait_until(poll, is_done, timeout=120, interval=30, clock=fake.clock, sleep=fake.sleep)
    assert [deadline for _when, deadline in poll.calls] == [620.0, 620.0, 620.0]


def test_transient_errors_are_absorbed_and_the_last_good_state_kept():
    fake = FakeTime()
    errors = [network_error(), unavailable()]
    poll = Poller(fake, ["running-40%", errors[0], errors[1], errors[1]])
    result = wait_until(poll, is_done, timeout=30, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.timed_out and not result.done
    assert result.state == "running-40%"
    assert result.polls == 4
    assert result.transient_errors == 3
    assert result.last_error is errors[1]


def test_transient_errors_then_done():
    fake = FakeTime()
    poll = Poller(fake, [network_error(), ApiError("timed out", kind="timeout"), unavailable(), "done"])
    result = wait_until(poll, is_done, timeout=300, interval=5, clock=fake.clock, sleep=fake.sleep)
    assert result.done and not result.timed_out
    assert result.state == "done"
    assert result.transient_errors == 3
    assert result.last_error is None
    assert result.polls == 4


def test_only_transient_errors_until_the_deadline():
    fake = FakeTime()
    error = unavailable()
    result = wait_until(Poller(fake, [error]), is_done, timeout=20, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.timed_out
    assert result.state is None
    assert result.last_error is error
    assert result.transient_errors == result.polls == 3


def test_a_good_state_after_an_error_clears_last_error():
    fake = FakeTime()
    poll = Poller(fake, [unavailable(), "running"])
    result = wait_until(poll, is_done, timeout=10, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert result.timed_out
    assert result.state == "running"
    assert result.last_error is None
    assert result.transient_errors == 1


def test_a_non_transient_error_propagates_with_the_last_state():
    fake = FakeTime()
    denied = ApiError("OCP answered GET /x with HTTP 401", kind="http", status=401)
    poll = Poller(fake, ["running", unavailable(), denied])
    with pytest.raises(ApiError) as info:
        wait_until(poll, is_done, timeout=600, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert info.value is denied
    assert info.value.last_state == "running"
    assert info.value.polls == 3


def test_a_non_transient_error_at_the_first_poll_has_no_state():
    fake = FakeTime()
    denied = ApiError("forbidden", kind="http", status=403)
    with pytest.raises(ApiError) as info:
        wait_until(Poller(fake, [denied]), is_done, timeout=600, interval=10, clock=fake.clock, sleep=fake.sleep)
    assert info.value.last_state is None
    assert fake.sleeps == []


def test_other_exceptions_propagate():
    fake = FakeTime()
    with pytest.raises(KeyError):
        wait_until(Poller(fake, [KeyError("x")]), is_done, timeout=60, interval=10, clock=fake.clock, sleep=fake.sleep)


@pytest.mark.parametrize("error, transient", [
    (ApiError("m", kind="network"), True),
    (ApiError("m", kind="timeout"), True),
    (ApiError("m", kind="http", status=500), True),
    (ApiError("m", kind="http", status=502), True),
    (ApiError("m", kind="http", status=503), True),
    (ApiError("m", kind="http", status=504), True),
    (ApiError("m", kind="http", status=429), True),
    (ApiError("m", kind="http", status=400), False),
    (ApiError("m", kind="http", status=401), False),
    (ApiError("m", kind="http", status=403), False),
    (ApiError("m", kind="http", status=404), False),
    (ApiError("m", kind="protocol", status=200), True),
    (ApiError("m", kind="protocol", status=None), True),
])
def test_which_errors_are_transient(error, transient):
    assert error.transient is transient

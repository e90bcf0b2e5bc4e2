# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""The deadline loop every info module shares.

A monotonic deadline; the sleep between polls clipped to the time left; transient API errors
(network, timeouts, 5xx, 429) absorbed until the deadline, the last good state kept; ``timeout 0``
means a single check. Nothing here knows about HTTP or about either API.
"""

from __future__ import annotations

import time

from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError


class WaitResult:
    """What a wait ended with: the last state polled successfully, and how it got there."""

    def __init__(self, state, done, timed_out, elapsed, polls, transient_errors, last_error):
        self.state = state
        self.done = done
        self.timed_out = timed_out
        self.elapsed = elapsed
        self.polls = polls
        self.transient_errors = transient_errors
        self.last_error = last_error


def wait_until(poll, done, timeout, interval, clock=None, sleep=None):
    """Call ``poll(deadline)`` until ``done(state)`` is true or ``timeout`` seconds have passed.

    ``poll`` receives the deadline (a ``clock()`` value) so that its own retries stay inside it.
    Transient ApiErrors count as "not done yet" while time is left; any other error propagates.
    With ``timeout`` 0 the state is checked exactly once. ``clock`` and ``sleep`` default to
    ``time.monotonic`` and ``time.sleep`` (tests pass fakes).
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    start = clock()
    deadline = start + max(0.0, float(timeout))
    state = None
    have_state = False
    polls = 0
    transient_errors = 0
    last_error = None
    while True:
        polls += 1
        try:
            state = poll(deadline)
            have_state = True
            last_error = None
        except ApiError as error:
            if not error.transient:
                error.last_state = state if have_state else None
                error.polls = polls
                raise
            transient_errors += 1
            last_error = error
        if have_state and last_error is None and done(state):
            return WaitResult(state, True, False, clock() - start, polls, transient_errors, None)
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitResult(state if have_state else None, False, True, clock() - start, polls,
                              transient_errors, last_error)
        sleep(min(float(interval), remaining))

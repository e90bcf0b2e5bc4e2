# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations


class ModuleDocFragment:
    """Wait options shared by every info module."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Poll until the selected restore reaches a terminal phase (V(COMPLETED), V(FAILED) or V(CANCELED)).
      - The module succeeds when the restore finished, whichever way; check RV(ignore:phase) in the record.
        The P(oceanbase.ops.wait_for_restore#role) role turns V(FAILED) and V(CANCELED) into a failure.
      - A restore that does not exist yet counts as still running, so the wait can start right after
        the restore was triggered.
      - Transient errors (network trouble, HTTP timeouts, 5xx, 429) are retried until the deadline;
        authentication and validation errors fail at once.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait in all, measured on a monotonic clock, including the time spent in requests.
      - V(0) means a single check.
      - On timeout the module fails with the seconds waited and the last status and progress, and
        returns the last state it saw, with RV(ignore:timed_out) set to V(true).
    type: int
    default: 3600
  wait_sleep:
    description:
      - Seconds between polls. The last sleep is shortened so the wait never overruns O(wait_timeout).
    type: int
    default: 10
"""

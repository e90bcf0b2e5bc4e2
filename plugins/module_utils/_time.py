# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""Times: user input in any ISO 8601 form, the forms each API expects, and lenient parsing of the
times the APIs return (0-9 fractional digits, ``Z``, ``+HH:MM`` or ``+HHMM``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_FRACTION = re.compile(r"(\.\d+)")
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def _normalise(text):
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _OFFSET_NO_COLON.sub(r"\1:\2", text)
    # More than 6 fractional digits (nanoseconds): keep microseconds.
    match = _FRACTION.search(text)
    if match and len(match.group(1)) > 7:
        text = text[:match.start(1)] + match.group(1)[:7] + text[match.end(1):]
    return text


def parse_user_time(value, option):
    """Parse an option value given as ISO 8601; a time without an offset is taken as UTC.

    Raises ValueError with a message naming the option.
    """
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value)
        try:
            parsed = datetime.fromisoformat(_normalise(text))
        except ValueError:
            raise ValueError(
                "%s: %r is not an ISO 8601 date-time; use a form such as 2024-08-06T00:00:00Z or "
                "2024-08-06T08:00:00+08:00" % (option, text))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def parse_api_time(value):
    """Parse a time an API returned; None when it is missing or cannot be read."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(_normalise(value))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def utc_seconds_z(moment, round_up=False):
    """OCP tenant scope: UTC, seconds precision, ``Z`` (``2024-08-06T00:00:00Z``).

    Fractions of a second are cut off, or with ``round_up`` rounded up to the next whole second, so
    that a window sent at seconds precision always contains the exact one.
    """
    if round_up and moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(moment):
    """OCP cluster scope: ISO offset date-time (``2021-09-16T15:14:51.397+08:00``)."""
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text


def iso_utc(moment):
    """A time for a module result: ISO 8601 in UTC with ``Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Times: user input, the API formats of OCP notes section 7 and obshell timestamps, and the forms
each OCP scope expects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.oceanbase.ops.plugins.module_utils._time import (
    iso_offset,
    iso_utc,
    parse_api_time,
    parse_user_time,
    utc_seconds_z,
)

UTC = timezone.utc
CST = timezone(timedelta(hours=8))
EST = timezone(timedelta(hours=-5))
MIDNIGHT = datetime(2024, 8, 6, tzinfo=UTC)


# --- parse_user_time ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2024-08-06T00:00:00Z",
    "2024-08-06T00:00:00z",
    "2024-08-06T00:00:00+00:00",
    "2024-08-06T08:00:00+08:00",
    "2024-08-06T08:00:00+0800",
    "2024-08-05T19:00:00-05:00",
    "2024-08-05T19:00:00-0500",
    "2024-08-06T00:00:00",  # naive: UTC
    "2024-08-06 00:00:00",
    "2024-08-06",
    "  2024-08-06T00:00:00Z  ",
])
def test_parse_user_time_forms(text):
    parsed = parse_user_time(text, "start_time")
    assert parsed == MIDNIGHT
    assert parsed.tzinfo is not None


def test_parse_user_time_keeps_the_given_offset():
    parsed = parse_user_time("2024-08-06T08:00:00+0800", "start_time")
    assert parsed.utcoffset() == timedelta(hours=8)
    assert parse_user_time("2024-08-06T00:00:00", "start_time").utcoffset() == timedelta(0)


@pytest.mark.parametrize("text, microsecond", [
    ("2024-08-06T00:00:00.123456789Z", 123456),
    ("2024-08-06T08:00:00.862678516+08:00", 862678),
    ("2024-08-06T08:00:00.862678516+0800", 862678),
    ("2024-08-06T00:00:00.5Z", 500000),
    ("2024-08-06T00:00:00.123Z", 123000),
])
def test_parse_user_time_fractions(text, microsecond):
    parsed = parse_user_time(text, "started_after")
    assert parsed.replace(microsecond=0) == MIDNIGHT
    assert parsed.microsecond == microsecond


def test_parse_user_time_accepts_datetimes():
    aware = datetime(2024, 8, 6, 8, tzinfo=CST)
    assert parse_user_time(aware, "end_time") is aware
    naive = datetime(2024, 8, 6)
    assert parse_user_time(naive, "end_time") == MIDNIGHT


@pytest.mark.parametrize("option", ["start_time", "end_time", "started_after"])
@pytest.mark.parametrize("text", [
    "yesterday",
    "2024-13-01T00:00:00Z",
    "2024-08-06T25:00:00Z",
    "2024-02-30",
    "06/08/2024",
    "",
    "2024-08-06T00:00:00+8",
    "2024-08-06T00:00:00ZZ",
])
def test_parse_user_time_invalid_names_the_option(option, text):
    with pytest.raises(ValueError) as info:
        parse_user_time(text, option)
    message = str(info.value)
    assert message.startswith(option + ":")
    assert repr(text) in message


# --- parse_api_time -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # OCP section 7: envelope timestamps
    ("2024-08-09T15:47:50.451+08:00", datetime(2024, 8, 9, 15, 47, 50, 451000, tzinfo=CST)),
    ("2024-04-25T19:27:01.66+08:00", datetime(2024, 4, 25, 19, 27, 1, 660000, tzinfo=CST)),
    ("2021-08-25T15:09:31+08:00", datetime(2021, 8, 25, 15, 9, 31, tzinfo=CST)),
    # cluster-scope records of older builds: offset without a colon
    ("2021-09-09T18:32:18.833+0800", datetime(2021, 9, 9, 18, 32, 18, 833000, tzinfo=CST)),
    ("2021-09-09T18:32:18-0500", datetime(2021, 9, 9, 18, 32, 18, tzinfo=EST)),
    # tenant-scope records: microseconds, UTC
    ("2024-08-08T08:25:39.150608Z", datetime(2024, 8, 8, 8, 25, 39, 150608, tzinfo=UTC)),
    # backup-info records: nanoseconds; the epoch placeholder
    ("2024-08-02T16:01:41.862678516+08:00", datetime(2024, 8, 2, 16, 1, 41, 862678, tzinfo=CST)),
    ("1970-01-01T08:00:00+08:00", datetime(1970, 1, 1, 8, tzinfo=CST)),
    # obshell: envelope (Go RFC 3339 nanoseconds), overview timestamps (microseconds, trailing zeros dropped)
    ("2024-10-14T15:36:51.770834417+08:00", datetime(2024, 10, 14, 15, 36, 51, 770834, tzinfo=CST)),
    ("2024-10-14T15:25:18.092782+08:00", datetime(2024, 10, 14, 15, 25, 18, 92782, tzinfo=CST)),
    ("2024-10-14T15:25:18.0927+08:00", datetime(2024, 10, 14, 15, 25, 18, 92700, tzinfo=CST)),
    ("2024-10-14T15:25:18.1+08:00", datetime(2024, 10, 14, 15, 25, 18, 100000, tzinfo=CST)),
    ("2024-10-14T07:25:18.77083441Z", datetime(2024, 10, 14, 7, 25, 18, 770834, tzinfo=UTC)),
    ("2024-10-14T15:25:18+08:00", datetime(2024, 10, 14, 15, 25, 18, tzinfo=CST)),
    # no offset at all: taken as UTC
    ("2024-10-14T07:25:18", datetime(2024, 10, 14, 7, 25, 18, tzinfo=UTC)),
])
def test_parse_api_time(text, expected):
    parsed = parse_api_time(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value", [None, "", "garbage", "not a time", "2024-02-30T00:00:00Z", "17:00",
                                   12345, 1.5, ["2024-08-06T00:00:00Z"], {"t": 1}])
def test_parse_api_time_unreadable_is_none(value):
    assert parse_api_time(value) is None


# --- the forms each OCP scope expects ---------------------------------------------------------------

@pytest.mark.parametrize("moment, text", [
    (datetime(2024, 8, 6, 8, 0, 0, tzinfo=CST), "2024-08-06T00:00:00Z"),
    (datetime(2024, 8, 6, 0, 0, 0, tzinfo=UTC), "2024-08-06T00:00:00Z"),
    (datetime(2024, 8, 5, 19, 0, 0, tzinfo=EST), "2024-08-06T00:00:00Z"),
    (datetime(2024, 8, 6, 0, 0, 0, 999999, tzinfo=UTC), "2024-08-06T00:00:00Z"),  # seconds precision
    (datetime(2024, 1, 1, 7, 59, 59, tzinfo=CST), "2023-12-31T23:59:59Z"),  # across a year
])
def test_utc_seconds_z(moment, text):
    assert utc_seconds_z(moment) == text


@pytest.mark.parametrize("moment, text", [
    (datetime(2021, 9, 16, 15, 14, 51, 397000, tzinfo=CST), "2021-09-16T15:14:51.397+08:00"),
    (datetime(2021, 9, 16, 15, 14, 51, tzinfo=CST), "2021-09-16T15:14:51+08:00"),
    (datetime(2024, 8, 6, tzinfo=UTC), "2024-08-06T00:00:00+00:00"),
    (datetime(2024, 8, 5, 19, tzinfo=EST), "2024-08-05T19:00:00-05:00"),
    (datetime(2024, 8, 6, 0, 0, 0, 123456, tzinfo=UTC), "2024-08-06T00:00:00.123+00:00"),
])
def test_iso_offset(moment, text):
    assert iso_offset(moment) == text


def test_scope_forms_round_trip_through_the_parsers():
    moment = parse_user_time("2021-09-16T15:14:51.397+08:00", "start_time")
    assert parse_api_time(iso_offset(moment)) == moment
    assert parse_api_time(utc_seconds_z(moment)) == moment.replace(microsecond=0)
    assert utc_seconds_z(parse_user_time("2024-08-06T08:00:00+08:00", "start_time")) == "2024-08-06T00:00:00Z"


def test_iso_utc():
    assert iso_utc(datetime(2024, 8, 6, 8, 0, 0, 5, tzinfo=CST)) == "2024-08-06T00:00:00Z"

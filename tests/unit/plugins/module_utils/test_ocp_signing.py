# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""OCP authentication: the AK/SK string to sign and its signature (the three documented vectors),
the canonical query, the signed Host, and both auth objects on real prepared requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from email.utils import formatdate, parsedate_to_datetime

import pytest
import requests

from ansible_collections.oceanbase.ops.plugins.module_utils._ocp import (
    AccessKeyAuth,
    BasicAuth,
    canonical_query,
    encode_query,
    request_host,
    sign,
    signing_message,
)

# --- the documented vectors (OCP protocol notes, section 2.2) -----------------------------------

V12_AK, V12_SK = "cqammmxBpfGjFlto", "2fc0c299cc94c6be266f2ceece765d4d"
V3_AK, V3_SK = "gDCcIqbkJJINjXBn", "d75332c5eed8d440a84a35ac6248d397"


def test_vector_1_post_with_body_and_x_ocp_header():
    body = b'{"name":"test01","description":"test","regionId":1}'
    assert hashlib.md5(body).hexdigest().upper() == "186974DB33A090A16D3E2CA35F547B56"
    message = signing_message("POST", body, "application/json", "Tue, 17 Jan 2023 09:13:57 GMT",
                              "ocp.alibaba.net:8080", {"x-ocp-data": "A,1"}, "/api/v2/compute/idcs", [])
    assert message == (
        "POST\n"
        "186974DB33A090A16D3E2CA35F547B56\n"
        "application/json\n"
        "Tue, 17 Jan 2023 09:13:57 GMT\n"
        "ocp.alibaba.net:8080\n"
        "x-ocp-data:A,1\n"
        "/api/v2/compute/idcs"
    )
    assert sign(V12_SK, message) == "XN8P+O+v3vUabB16ZCooq5wMJoY="


def test_vector_2_get_with_query_and_no_body():
    message = signing_message("GET", b"", "application/json;charset=utf-8", "Tue, 17 Jan 2023 04:14:02 GMT",
                              "ocp.alibaba.net:8080", {}, "/api/v2/compute/idcs", [("size", "100")])
    lines = message.split("\n")
    assert len(lines) == 7
    assert lines[1] == "" and lines[5] == ""  # no body, no x-ocp headers: the lines stay, empty
    assert message == (
        "GET\n"
        "\n"
        "application/json;charset=utf-8\n"
        "Tue, 17 Jan 2023 04:14:02 GMT\n"
        "ocp.alibaba.net:8080\n"
        "\n"
        "/api/v2/compute/idcs?size=100"
    )
    assert sign(V12_SK, message) == "TsQD6HDOuZuJ409m0wdnZPmijlc="


V3_LINE_7 = ("/api/v2/monitor/top?endTime=2024-04-15T14%3A30%3A55%2B08%3A00"
             "&groupBy=app%2Csvr_ip%2Cdevice%2Cmount_point&labels=svr_ip%3A127.0.0.1&maxPoints=360"
             "&metrics=host_disk_total&startTime=2024-04-15T14%3A29%3A55%2B08%3A00")
V3_PAIRS = [
    ("metrics", "host_disk_total"),
    ("labels", "svr_ip:127.0.0.1"),
    ("groupBy", "app,svr_ip,device,mount_point"),
    ("startTime", "2024-04-15T14:29:55+08:00"),
    ("endTime", "2024-04-15T14:30:55+08:00"),
    ("maxPoints", "360"),
]


def test_vector_3_canonical_query():
    message = signing_message("GET", None, "application/json", "Mon, 15 Apr 2024 09:25:02 GMT", "127.0.0.1:8080",
                              {"x-ocp-origin": "for-test"}, "/api/v2/monitor/top", V3_PAIRS)
    lines = message.split("\n")
    assert len(lines) == 7
    assert lines[5] == "x-ocp-origin:for-test"
    assert lines[6] == V3_LINE_7
    assert sign(V3_SK, message) == "To11kg1EsB/dPWyDnnpuUzIUoQk="


def test_vector_3_does_not_depend_on_parameter_order():
    shuffled = list(reversed(V3_PAIRS))
    message = signing_message("GET", b"", "application/json", "Mon, 15 Apr 2024 09:25:02 GMT", "127.0.0.1:8080",
                              {"x-ocp-origin": "for-test"}, "/api/v2/monitor/top", shuffled)
    assert message.split("\n")[6] == V3_LINE_7
    assert sign(V3_SK, message) == "To11kg1EsB/dPWyDnnpuUzIUoQk="


def test_method_is_upper_cased_and_x_ocp_headers_sorted_lower_case():
    message = signing_message("get", b"", "application/json", "D", "h", {"X-OCP-Zeta": "z", "x-ocp-alpha": "a"},
                              "/p", [])
    lines = message.split("\n")
    assert lines[0] == "GET"
    # Line 6 holds both headers, sorted by name, one per line: 8 lines in all.
    assert lines[5:7] == ["x-ocp-alpha:a", "x-ocp-zeta:z"]
    assert lines[7] == "/p"


def test_body_md5_is_upper_case_hex():
    message = signing_message("POST", b"abc", "", "D", "h", {}, "/p", [])
    assert message.split("\n")[1] == "900150983CD24FB0D6963F7D28E17F72"


def test_no_query_means_no_question_mark():
    message = signing_message("GET", b"", "application/json", "D", "h", {}, "/p", [])
    assert message.endswith("\n/p")


# --- canonical query rules --------------------------------------------------------------------------

@pytest.mark.parametrize("pairs, expected", [
    # grouping: repeated keys become one entry, values sorted and joined with an encoded comma
    ([("a", "1"), ("a", "2"), ("a", "3")], "a=1%2C2%2C3"),
    ([("a", "3"), ("a", "1"), ("a", "2")], "a=1%2C2%2C3"),
    ([("b", "y"), ("a", "1"), ("b", "x")], "a=1&b=x%2Cy"),
    # keys sorted ordinally: upper case before lower case, a shorter prefix first
    ([("size", "10"), ("page", "1")], "page=1&size=10"),
    ([("ab", "1"), ("a_", "2"), ("a", "3"), ("B", "4")], "B=4&a=3&a_=2&ab=1"),
    ([("pageSize", "2"), ("page", "1")], "page=1&pageSize=2"),
    # empty values are dropped
    ([("a", ""), ("a", "2"), ("b", "1")], "a=2&b=1"),
    ([("a", "2"), ("a", ""), ("a", "1")], "a=1%2C2"),
    # one value holding commas is neither split nor re-sorted
    ([("status", "RESTORE_SUCCESS,RESTORE_FAIL")], "status=RESTORE_SUCCESS%2CRESTORE_FAIL"),
    # RFC 3986: space %20 (never +), + %2B, : %3A, / %2F, * %2A, ~ and - . _ literal, UTF-8 bytes
    ([("name", "a b")], "name=a%20b"),
    ([("t", "2024-08-06T08:00:00+08:00")], "t=2024-08-06T08%3A00%3A00%2B08%3A00"),
    ([("u", "file:///a/b")], "u=file%3A%2F%2F%2Fa%2Fb"),
    ([("x", "a*b~c-d.e_f")], "x=a%2Ab~c-d.e_f"),
    ([("n", "租户é")], "n=%E7%A7%9F%E6%88%B7%C3%A9"),
    ([("a b", "1")], "a%20b=1"),
    ([("q", "x&y=z")], "q=x%26y%3Dz"),
])
def test_canonical_query(pairs, expected):
    assert canonical_query(pairs) == expected


def test_encode_query_keeps_order_and_uses_rfc3986():
    pairs = [("startTime", "2024-08-06T08:00:00+08:00"), ("status", "A,B"), ("name", "a b"), ("page", "1")]
    assert encode_query(pairs) == "startTime=2024-08-06T08%3A00%3A00%2B08%3A00&status=A%2CB&name=a%20b&page=1"


# --- the signed Host ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, host", [
    ("https://ocp.example.com:443/api", "ocp.example.com"),
    ("http://ocp.example.com:80/api", "ocp.example.com"),
    ("https://ocp.example.com/api", "ocp.example.com"),
    ("http://ocp.example.com", "ocp.example.com"),
    ("https://ocp.example.com:8080/api", "ocp.example.com:8080"),
    ("http://ocp.alibaba.net:8080/api/v2/compute/idcs?size=100", "ocp.alibaba.net:8080"),
    ("http://ocp.example.com:443/api", "ocp.example.com:443"),  # 443 is not http's default
    ("https://ocp.example.com:80/api", "ocp.example.com:80"),  # nor 80 https's
    ("http://127.0.0.1:8080", "127.0.0.1:8080"),
    ("http://[::1]:8080/api", "[::1]:8080"),
    ("https://[2001:db8::1]/api", "[2001:db8::1]"),
])
def test_request_host(url, host):
    assert request_host(url) == host


# --- AccessKeyAuth and BasicAuth on real prepared requests -----------------------------------------

FIXED_NOW = 1700000000  # Tue, 14 Nov 2023 22:13:20 GMT


def _prepare(method, url, headers, body=None):
    return requests.Request(method, url, headers=headers, data=body).prepare()


def _independent_signature(secret, prepared):
    """Rebuild the message from the prepared request's final headers, with nothing from _ocp."""
    from urllib.parse import parse_qsl, quote, urlsplit

    split = urlsplit(prepared.url)
    grouped = {}
    for key, value in parse_qsl(split.query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    query = "&".join("%s=%s" % (quote(k, safe="-._~"), quote(",".join(sorted(v for v in grouped[k] if v)), safe="-._~"))
                     for k in sorted(grouped))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    x_ocp = sorted((name.lower(), value) for name, value in prepared.headers.items() if name.lower().startswith("x-ocp"))
    message = "\n".join([
        prepared.method,
        hashlib.md5(body).hexdigest().upper() if body else "",
        prepared.headers.get("Content-Type", ""),
        prepared.headers["Date"],
        prepared.headers["Host"],
        "\n".join("%s:%s" % item for item in x_ocp),
        split.path + ("?" + query if query else ""),
    ])
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha1).digest()).decode()


def test_access_key_auth_get_with_query():
    pairs = [("startTime", "2024-08-06T00:00:00Z"), ("page", "1"), ("size", "2000")]
    url = "https://ocp.example.com:8443/api/v2/ob/clusters/1/tenants/2/backup/task/restoreTasks?" + encode_query(pairs)
    prepared = _prepare("GET", url, {"Content-Type": "application/json", "x-ocp-trace": "abc"})
    AccessKeyAuth("MYAK", "MYSECRET", now=lambda: FIXED_NOW).apply(prepared, pairs)

    assert prepared.headers["Date"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert prepared.headers["Host"] == "ocp.example.com:8443"
    scheme, _sep, credential = prepared.headers["Authorization"].partition(" ")
    assert scheme == "OCP-ACCESS-KEY-HMACSHA1"
    access_key, _colon, signature = credential.partition(":")
    assert access_key == "MYAK"
    assert signature == _independent_signature("MYSECRET", prepared)


def test_access_key_auth_post_with_body_and_default_port():
    body = b'{"name":"test01","description":"test","regionId":1}'
    prepared = _prepare("POST", "https://ocp.example.com:443/api/v2/compute/idcs", {"Content-Type": "application/json"},
                        body)
    AccessKeyAuth("MYAK", "MYSECRET", now=lambda: FIXED_NOW).apply(prepared, [])
    assert prepared.headers["Host"] == "ocp.example.com"  # what requests would send for :443
    signature = prepared.headers["Authorization"].split(":", 1)[1]
    assert signature == _independent_signature("MYSECRET", prepared)
    assert "?" not in prepared.path_url


def test_access_key_auth_reproduces_vector_2_on_a_prepared_request():
    when = parsedate_to_datetime("Tue, 17 Jan 2023 04:14:02 GMT").timestamp()
    prepared = _prepare("GET", "http://ocp.alibaba.net:8080/api/v2/compute/idcs?size=100",
                        {"Content-Type": "application/json;charset=utf-8"})
    AccessKeyAuth(V12_AK, V12_SK, now=lambda: when).apply(prepared, [("size", "100")])
    assert prepared.headers["Date"] == "Tue, 17 Jan 2023 04:14:02 GMT"
    assert prepared.headers["Authorization"] == "OCP-ACCESS-KEY-HMACSHA1 %s:TsQD6HDOuZuJ409m0wdnZPmijlc=" % V12_AK


def test_access_key_auth_uses_the_current_time_by_default():
    prepared = _prepare("GET", "http://ocp.example.com:8080/api", {"Content-Type": "application/json"})
    AccessKeyAuth("AK", "SK").apply(prepared, [])
    sent = parsedate_to_datetime(prepared.headers["Date"]).timestamp()
    assert abs(sent - time.time()) < 5
    assert prepared.headers["Date"].endswith(" GMT")
    assert prepared.headers["Date"] == formatdate(sent, usegmt=True)


def test_access_key_auth_never_puts_the_secret_on_the_wire():
    prepared = _prepare("GET", "http://ocp.example.com:8080/api?page=1", {"Content-Type": "application/json"})
    AccessKeyAuth("AK", "TOP-SECRET-VALUE", now=lambda: FIXED_NOW).apply(prepared, [("page", "1")])
    assert all("TOP-SECRET-VALUE" not in value for value in prepared.headers.values())
    assert "TOP-SECRET-VALUE" not in prepared.url


def test_basic_auth_documented_example():
    prepared = _prepare("GET", "http://ocp.example.com:8080/api", {})
    BasicAuth("foo", "bar").apply(prepared, [])
    assert prepared.headers["Authorization"] == "Basic Zm9vOmJhcg=="


def test_basic_auth_utf8_and_colon_in_password():
    prepared = _prepare("GET", "http://ocp.example.com:8080/api", {})
    BasicAuth("用户", "pa:ss").apply(prepared, [])
    token = prepared.headers["Authorization"].split(" ", 1)[1]
    assert base64.b64decode(token).decode("utf-8") == "用户:pa:ss"

"""The OCP simulator over real HTTP on 127.0.0.1.

The AK/SK signer below is written from the product's signature rules independently of the
simulator's verifier, and is checked against the product's published test vectors first.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
from email.utils import formatdate
from urllib.parse import quote

import pytest
import requests

from simulator.common import load_scenario
from simulator.ocp import OcpSimulator

SIMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "simulator")
SCENARIOS = os.path.join(SIMULATOR_DIR, "scenarios")
TENANT_PATH = "/api/v2/ob/clusters/%s/tenants/%s/backup/task/restoreTasks"
CLUSTER_PATH = "/api/v2/ob/clusters/%s/backup/task/restoreTasks"
BASIC = ("admin", "admin-password")
AK, SK = "AKIDEXAMPLE", "secret-key"
ENVELOPE_KEYS = {"duration", "server", "status", "successful", "timestamp", "traceId"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$")
TRACE_ID = re.compile(r"^[0-9a-f]{16}$")


# --- an independent AK/SK signer ------------------------------------------------------------
def canonical(pairs, safe=""):
    """Canonical query: group by key, drop empty values, sort, join with ',', RFC 3986-encode."""
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    out = []
    for key in sorted(grouped):
        values = sorted(v for v in grouped[key] if v)
        if values:
            out.append(quote(key, safe=safe) + "=" + quote(",".join(values), safe=safe))
    return "&".join(out)


def message(method, path, pairs, content_type, date, host, ocp_headers=None, body=b"", safe=""):
    query = canonical(pairs, safe)
    return "\n".join([
        method,
        hashlib.md5(body).hexdigest().upper() if body else "",
        content_type,
        date,
        host,
        "\n".join("%s:%s" % item for item in sorted((ocp_headers or {}).items())),
        path + ("?" + query if query else ""),
    ])


def signature(secret, text):
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


def signed_get(sim, path, pairs=(), date=None, ocp_headers=None, secret=SK, safe="", **kwargs):
    """GET with an AK/SK signature over exactly the query string sent."""
    date = date or formatdate(usegmt=True)
    query = "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe="")) for k, v in pairs)
    headers = {"Content-Type": "application/json", "Date": date}
    headers.update(ocp_headers or {})
    text = message("GET", path, pairs, "application/json", date, "127.0.0.1:%d" % sim.port, ocp_headers, safe=safe)
    headers["Authorization"] = "OCP-ACCESS-KEY-HMACSHA1 %s:%s" % (AK, signature(secret, text))
    return requests.get(sim.url + path + ("?" + query if query else ""), headers=headers, timeout=10, **kwargs)


def test_signature_vector_1():
    body = b'{"name":"test01","description":"test","regionId":1}'
    text = message("POST", "/api/v2/compute/idcs", [], "application/json", "Tue, 17 Jan 2023 09:13:57 GMT",
                   "ocp.alibaba.net:8080", {"x-ocp-data": "A,1"}, body)
    assert text.splitlines()[1] == "186974DB33A090A16D3E2CA35F547B56"
    assert signature("2fc0c299cc94c6be266f2ceece765d4d", text) == "XN8P+O+v3vUabB16ZCooq5wMJoY="


def test_signature_vector_2():
    text = message("GET", "/api/v2/compute/idcs", [("size", "100")], "application/json;charset=utf-8",
                   "Tue, 17 Jan 2023 04:14:02 GMT", "ocp.alibaba.net:8080")
    assert text.split("\n")[1] == "" and text.split("\n")[5] == ""
    assert signature("2fc0c299cc94c6be266f2ceece765d4d", text) == "TsQD6HDOuZuJ409m0wdnZPmijlc="


def test_signature_vector_3():
    pairs = [("metrics", "host_disk_total"), ("labels", "svr_ip:127.0.0.1"), ("groupBy", "app,svr_ip,device,mount_point"),
             ("startTime", "2024-04-15T14:29:55+08:00"), ("endTime", "2024-04-15T14:30:55+08:00"), ("maxPoints", "360")]
    text = message("GET", "/api/v2/monitor/top", pairs, "application/json", "Mon, 15 Apr 2024 09:25:02 GMT",
                   "127.0.0.1:8080", {"x-ocp-origin": "for-test"})
    assert text.split("\n")[6] == (
        "/api/v2/monitor/top?endTime=2024-04-15T14%3A30%3A55%2B08%3A00&groupBy=app%2Csvr_ip%2Cdevice%2Cmount_point"
        "&labels=svr_ip%3A127.0.0.1&maxPoints=360&metrics=host_disk_total&startTime=2024-04-15T14%3A29%3A55%2B08%3A00")
    assert signature("d75332c5eed8d440a84a35ac6248d397", text) == "To11kg1EsB/dPWyDnnpuUzIUoQk="


# --- fixtures and helpers -------------------------------------------------------------------
def demo_scenario(**options):
    scenario = load_scenario(os.path.join(SCENARIOS, "ocp-demo.yml"))
    scenario.setdefault("options", {}).update(options)
    return scenario


@pytest.fixture
def sim():
    with OcpSimulator(demo_scenario()) as server:
        yield server


def get(server, path, params=None, auth=BASIC, **kwargs):
    return requests.get(server.url + path, params=params, auth=auth, timeout=10, **kwargs)


def tenant_tasks(server, params=None, cluster=1, tenant=1001, **kwargs):
    return get(server, TENANT_PATH % (cluster, tenant), params, **kwargs)


def cluster_tasks(server, params=None, cluster=1, **kwargs):
    return get(server, CLUSTER_PATH % cluster, {"page": 1, "size": 100} if params is None else params, **kwargs)


def contents(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]["contents"]


def assert_error(response, status, message, code=0):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ENVELOPE_KEYS | {"error"}
    assert body["status"] == status and body["successful"] is False
    assert body["error"]["code"] == code
    assert message in body["error"]["message"], body["error"]["message"]
    return body


def paging_scenario(count=2500):
    return {
        "auth": {"users": {"admin": "admin-password"}},
        "clusters": [{"id": 1, "name": "obcluster", "obClusterId": 1001, "tenants": [{"id": 1001, "name": "t"}]}],
        "generate": [{"count": count, "cluster_id": 1, "tenant_id": 1001, "first_id": 1}],
    }


# --- authentication -------------------------------------------------------------------------
def test_basic_auth(sim):
    assert len(contents(tenant_tasks(sim))) == 1
    assert_error(tenant_tasks(sim, auth=("admin", "wrong")), 401, "Bad credentials")
    assert_error(tenant_tasks(sim, auth=("nobody", "admin-password")), 401, "Bad credentials")
    assert_error(tenant_tasks(sim, auth=None), 401, "authentication")


def test_aksk_auth(sim):
    pairs = [("page", "1"), ("size", "10"), ("status", "RESTORE_CREATE_TENANT,RESTORE_SUCCESS")]
    assert [task["id"] for task in contents(signed_get(sim, TENANT_PATH % (1, 1001), pairs))] == [11]
    # Repeated keys are grouped into one sorted, comma-joined value.
    pairs = [("status", "RESTORE_SUCCESS"), ("status", "RESTORE_FAIL"), ("page", "1"), ("size", "10")]
    assert len(contents(signed_get(sim, TENANT_PATH % (1, 1002), pairs))) == 2
    # Signed x-ocp-* headers, and x-ocp-date standing in for Date.
    date = formatdate(usegmt=True)
    response = signed_get(sim, CLUSTER_PATH % 1, [("page", "1"), ("size", "1")], date=date,
                          ocp_headers={"x-ocp-origin": "for-test", "x-ocp-date": date})
    assert response.status_code == 200, response.text


def test_aksk_failures(sim):
    pairs = [("page", "1"), ("size", "10")]
    assert_error(signed_get(sim, CLUSTER_PATH % 1, pairs, secret="wrong"), 401, "signature mismatch")
    stale = formatdate(time.time() - 16 * 60, usegmt=True)
    assert_error(signed_get(sim, CLUSTER_PATH % 1, pairs, date=stale), 401, "request date expired")
    recent = formatdate(time.time() - 14 * 60, usegmt=True)
    assert signed_get(sim, CLUSTER_PATH % 1, pairs, date=recent).status_code == 200
    sim.clock.skew = 20 * 60  # the server's clock runs ahead
    assert_error(signed_get(sim, CLUSTER_PATH % 1, pairs), 401, "request date expired")
    sim.clock.skew = 0
    # A literal comma in the canonical query does not verify: only %2C does.
    comma = [("page", "1"), ("size", "10"), ("status", "RESTORE_FAIL,RESTORE_SUCCESS")]
    assert_error(signed_get(sim, TENANT_PATH % (1, 1002), comma, safe=","), 401, "signature mismatch")
    assert signed_get(sim, TENANT_PATH % (1, 1002), comma).status_code == 200
    # An unsigned header tampered with after signing.
    response = signed_get(sim, CLUSTER_PATH % 1, pairs, ocp_headers={"x-ocp-origin": "a"})
    assert response.status_code == 200
    request = response.request
    request.headers["x-ocp-origin"] = "b"
    assert_error(requests.Session().send(request, timeout=10), 401, "signature mismatch")
    headers = {"Authorization": "OCP-ACCESS-KEY-HMACSHA1 %s:AAAA" % AK, "Content-Type": "application/json"}
    assert_error(requests.get(sim.url + CLUSTER_PATH % 1, headers=headers, timeout=10), 401, "date")


def test_forbidden_and_code_styles():
    with OcpSimulator(demo_scenario(forbidden=True)) as server:
        assert_error(tenant_tasks(server), 403, "permission", code=3100)
    with OcpSimulator(demo_scenario(forbidden=True, error_code_style="string")) as server:
        assert_error(tenant_tasks(server), 403, "permission", code="IAM11000")


# --- routes, scopes and envelopes -----------------------------------------------------------
def test_both_scopes(sim):
    tenant_record = contents(tenant_tasks(sim))[0]
    assert tenant_record["id"] == 11 and tenant_record["restoreTenantName"] == "restored_tenant"
    assert tenant_record["triggerType"] == "NORMAL" and tenant_record["restoreObjectType"] == "TENANT"
    assert "ocpJobId" not in tenant_record and "backupTenantId" not in tenant_record
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", tenant_record["createTime"])

    records = contents(cluster_tasks(sim))
    assert [record["id"] for record in records] == [11, 8, 7]  # newest first
    failed = records[2]
    assert failed["status"] == "RESTORE_FAIL" and failed["statusDesc"] == "Failed"
    assert failed["finished"] is True and failed["successful"] is False
    assert failed["errorMsg"].startswith("CLOG : OB_ENTRY_NOT_EXIST(-4018)")
    assert records[1]["statusDesc"] == "Completed" and records[1]["errorMsg"] == ""
    assert "triggerType" not in failed and "progress" not in records[0] and failed["ocpJobId"] == -1
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0800$", failed["createTime"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0800$", failed["finishTime"])

    zh = contents(cluster_tasks(sim, headers={"Accept-Language": "zh-CN"}))
    assert zh[1]["statusDesc"] == "已完成"


def test_envelope_sorted_keys_and_omitted_nulls(sim):
    response = tenant_tasks(sim, {"page": 1, "size": 10})

    def check_sorted(pairs):
        keys = [pair[0] for pair in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    body = json.loads(response.text, object_pairs_hook=check_sorted)
    assert set(body) == ENVELOPE_KEYS | {"data"}
    assert body["successful"] is True and body["status"] == 200 and body["server"] == "a24d13ce67"
    assert TIMESTAMP.match(body["timestamp"]) and TRACE_ID.match(body["traceId"])
    assert isinstance(body["duration"], int)
    record = body["data"]["contents"][0]
    assert record["status"] == "RESTORE_CREATE_TENANT" and record["finished"] is False
    assert "finishTime" not in record and None not in record.values()  # running: no finishTime
    assert record["progress"] == "0%" and record["errorMsg"] == ""
    older = contents(tenant_tasks(sim, tenant=1002))[0]
    assert "progress" not in older


def test_unknown_paths_and_ids(sim):
    assert_error(get(sim, "/api/v2/ob/clusters/1/nothing"), 400, "Could not find the GET method")
    response = requests.post(sim.url + CLUSTER_PATH % 1, auth=BASIC, json={}, timeout=10)
    assert_error(response, 400, "Could not find the POST method")
    assert_error(cluster_tasks(sim, cluster=9), 400, "The specified cluster with the ID of 9 does not exist.", 11001)
    assert_error(tenant_tasks(sim, cluster=9), 400, "cluster with the ID of 9", 11001)
    assert_error(tenant_tasks(sim, tenant=77), 400, "The tenant with the ID of 77 does not exist.", 15023)
    assert_error(tenant_tasks(sim, cluster="x"), 400, "The parameter 'id' of value 'x' could not be converted")
    with OcpSimulator(demo_scenario(unknown_id_status=404, error_code_style="string")) as server:
        assert_error(cluster_tasks(server, cluster=9), 404, "cluster", "OBE11001")
        assert_error(tenant_tasks(server, tenant=77), 404, "tenant", "OBE21003")


# --- paging ---------------------------------------------------------------------------------
def test_paging():
    with OcpSimulator(paging_scenario(2500)) as server:
        first = cluster_tasks(server, {"page": 1, "size": 2000}).json()["data"]
        second = cluster_tasks(server, {"page": 2, "size": 2000}).json()["data"]
        assert first["page"] == {"number": 1, "size": 2000, "totalElements": 2500, "totalPages": 2}
        assert second["page"] == {"number": 2, "size": 500, "totalElements": 2500, "totalPages": 2}
        ids = [task["id"] for task in first["contents"] + second["contents"]]
        assert ids == list(range(2500, 0, -1))
        past = cluster_tasks(server, {"page": 3, "size": 2000}).json()["data"]
        assert past["contents"] == [] and past["page"]["totalElements"] == 2500 and past["page"]["totalPages"] == 2
        capped = cluster_tasks(server, {"page": 0, "size": 5000}).json()["data"]
        assert capped["page"]["number"] == 1 and len(capped["contents"]) == 2000 and capped["page"]["totalPages"] == 2
        default = tenant_tasks(server).json()["data"]
        assert len(default["contents"]) == 10 and default["page"]["totalPages"] == 250
        assert_error(cluster_tasks(server, {"size": 10}), 400, "page parameter is missing")
        assert_error(cluster_tasks(server, {"page": 1}), 400, "size parameter is missing")
        assert_error(cluster_tasks(server, {"page": "a", "size": 10}), 400, "The parameter 'page' of value 'a'")
        assert_error(cluster_tasks(server, {"page": 1, "size": 0}), 400, "Page size")
        empty = tenant_tasks(server, {"status": "RESTORE_FAIL"}).json()["data"]
        assert empty == {"contents": [], "page": {"number": 1, "size": 0, "totalElements": 0, "totalPages": 0}}
    scenario = paging_scenario(30)
    scenario["options"] = {"page_size": "requested"}
    with OcpSimulator(scenario) as server:
        assert cluster_tasks(server, {"page": 1, "size": 2000}).json()["data"]["page"]["size"] == 2000


def test_scale_scenario_lists_every_page():
    # Correctness only; the speed of listing at scale is measured by tests/benchmark/bench.py.
    with OcpSimulator(load_scenario(os.path.join(SCENARIOS, "ocp-scale.yml"))) as server:
        session = requests.Session()
        seen, page = 0, 1
        while True:
            data = session.get(server.url + CLUSTER_PATH % 1, params={"page": page, "size": 2000},
                               auth=BASIC, timeout=10).json()["data"]
            seen += len(data["contents"])
            if page >= data["page"]["totalPages"]:
                break
            page += 1
        assert (seen, page) == (100000, 50)


# --- filters --------------------------------------------------------------------------------
def test_status_and_cluster_name_filters(sim):
    def ids(params, tenant=1002):
        return [task["id"] for task in contents(tenant_tasks(sim, params, tenant=tenant))]

    assert ids({"status": "RESTORE_FAIL"}) == [7]
    assert ids({"status": "RESTORE_FAIL,RESTORE_SUCCESS"}) == [8, 7]
    assert ids({"status": ["RESTORE_FAIL", "RESTORE_SUCCESS"]}) == [8, 7]  # repeated keys
    assert ids({"status": "RESTORE_WAIT_LS"}) == []
    assert ids({"restoreClusterName": "obcluster"}) == [8, 7]
    assert ids({"restoreClusterName": "other,obcluster", "status": "RESTORE_SUCCESS"}) == [8]
    assert ids({"restoreClusterName": "other"}) == []


def test_time_filters():
    scenario = demo_scenario()
    for task, created in zip(scenario["tasks"], ("2024-08-08T08:00:00Z", "2024-08-06T00:00:00Z", "2024-08-07T00:00:00Z")):
        task["createTime"] = created
    with OcpSimulator(scenario) as server:
        def tenant_ids(params):
            return [t["id"] for t in contents(tenant_tasks(server, params, tenant=1002))]

        assert tenant_ids({"startTime": "2024-08-06T00:00:00Z", "endTime": "2024-08-07T00:00:00Z"}) == [8, 7]  # inclusive
        assert tenant_ids({"startTime": "2024-08-06T00:00:01Z"}) == [8]
        for bad in ("2024-08-06T00:00:00+08:00", "2024-08-06T00:00:00.000Z", "2024-08-06", "2024-13-06T00:00:00Z"):
            assert_error(tenant_tasks(server, {"startTime": bad}), 400,
                         "The parameter 'startTime' of value '%s' could not be converted to type 'OffsetDateTime'" % bad)

        url = server.url + CLUSTER_PATH % 1 + "?page=1&size=10&startTime=2024-08-07T08:00:00.000%2B08:00"
        assert [t["id"] for t in contents(requests.get(url, auth=BASIC, timeout=10))] == [11, 8]
        # A literal '+' decodes to a space: a type-conversion error, as in the product.
        response = requests.get(url.replace("%2B", "+"), auth=BASIC, timeout=10)
        assert_error(response, 400, "The parameter 'startTime' of value '2024-08-07T08:00:00.000 08:00'")
        ids = [t["id"] for t in contents(cluster_tasks(server, {"page": 1, "size": 10, "endTime": "2024-08-07T00:00:00Z"}))]
        assert ids == [8, 7]
        assert_error(cluster_tasks(server, {"page": 1, "size": 10, "endTime": "2024-08-07T00:00:00"}), 400, "'endTime'")


# --- the scenario clock ---------------------------------------------------------------------
def test_timeline_advances(sim):
    def task():
        return contents(tenant_tasks(sim))[0]

    assert (task()["status"], task()["progress"]) == ("RESTORE_CREATE_TENANT", "0%")
    sim.clock.offset = 12
    assert (task()["status"], task()["progress"], task()["finished"]) == ("RESTORE_WAIT_LS", "50%", False)
    sim.clock.offset = 25
    done = task()
    assert (done["status"], done["statusDesc"], done["finished"], done["successful"]) == ("RESTORE_SUCCESS", "Completed", True, True)
    assert done["finishTime"] > done["createTime"]
    # The cluster scope follows the same clock.
    assert contents(cluster_tasks(sim))[0]["status"] == "RESTORE_SUCCESS"
    assert [t["id"] for t in contents(cluster_tasks(sim, {"page": 1, "size": 10}))] == [11, 8, 7]


def test_failing_demo_scenario():
    with OcpSimulator(load_scenario(os.path.join(SCENARIOS, "ocp-demo-fail.yml"))) as server:
        server.clock.offset = 21
        failed = contents(tenant_tasks(server))[0]
        assert (failed["status"], failed["finished"], failed["successful"]) == ("RESTORE_FAIL", True, False)
        assert "OB_ENTRY_NOT_EXIST" in failed["errorMsg"]


def test_appear_at_add_task_and_set_status(sim):
    sim.add_task({"id": 12, "cluster_id": 1, "tenant_id": 1001, "appear_at": 5,
                  "timeline": [{"at": 5, "status": "RESTORE_PRE"}, {"at": 8, "status": "NEW_UNKNOWN_STATE"}]})
    assert [t["id"] for t in contents(tenant_tasks(sim))] == [11]
    sim.clock.offset = 6
    assert [t["id"] for t in contents(tenant_tasks(sim))] == [12, 11]
    sim.clock.offset = 9
    unknown = contents(tenant_tasks(sim))[0]
    assert (unknown["status"], unknown["statusDesc"], unknown["finished"]) == ("NEW_UNKNOWN_STATE", "NEW_UNKNOWN_STATE", False)
    sim.set_status(11, "RESTORE_FAIL", errorMsg="boom")
    pinned = contents(tenant_tasks(sim, {"status": "RESTORE_FAIL"}))
    assert [(t["id"], t["errorMsg"], t["finished"]) for t in pinned] == [(11, "boom", True)]
    assert "finishTime" in pinned[0]
    sim.clock.offset = 100  # a pinned state ignores the timeline
    assert contents(tenant_tasks(sim, {"status": "RESTORE_SUCCESS"})) == []
    sim.set_status(12, "RESTORE_CANCELED")
    canceled = contents(tenant_tasks(sim))[0]
    assert (canceled["finished"], canceled["successful"]) == (True, False)


# --- throttling and faults ------------------------------------------------------------------
def test_rate_limit():
    with OcpSimulator(demo_scenario(rate_limit={"limit": 2, "window": 60})) as server:
        first = tenant_tasks(server)
        assert first.status_code == 200 and first.headers["RateLimit-Remaining"] == "1"
        assert tenant_tasks(server).status_code == 200
        throttled = tenant_tasks(server)
        body = assert_error(throttled, 429, "Excessive number of requests")
        assert body["traceId"] == ""
        assert throttled.headers["RateLimit-Limit"] == "2" and throttled.headers["RateLimit-Remaining"] == "0"
        assert 1 <= int(throttled.headers["RateLimit-Reset"]) <= 60
        server.clock.offset = 61
        assert tenant_tasks(server).status_code == 200


def test_faults(sim):
    sim.add_fault({"match": "restoreTasks", "kind": "status", "status": 503, "headers": {"Retry-After": "2"}})
    response = tenant_tasks(sim)
    assert_error(response, 503, "injected fault")
    assert response.headers["Retry-After"] == "2"
    assert tenant_tasks(sim).status_code == 200  # one fault, then normal answers

    sim.add_fault({"kind": "html", "status": 502})
    response = tenant_tasks(sim)
    assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")

    sim.add_fault({"kind": "reset"})
    with pytest.raises(requests.ConnectionError):
        tenant_tasks(sim)

    sim.add_fault({"kind": "truncate"})
    with pytest.raises(requests.RequestException):
        tenant_tasks(sim)

    sim.add_fault({"kind": "invalid_json"})
    response = tenant_tasks(sim)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()

    assert tenant_tasks(sim).status_code == 200
    assert [entry["fault"] for entry in sim.requests_to("restoreTasks")] == [
        "status", None, "html", "reset", "truncate", "invalid_json", None]


def test_fault_from_scenario():
    scenario = demo_scenario()
    scenario["faults"] = [{"match": "tenants", "after": 1, "count": 1, "status": 500}]
    with OcpSimulator(scenario) as server:
        assert [tenant_tasks(server).status_code for attempt in range(3)] == [200, 500, 200]
        assert server.counts[TENANT_PATH % (1, 1001)] == 3


# --- command line ---------------------------------------------------------------------------
def test_run_py(tmp_path):
    port_file = tmp_path / "port"
    scenario = os.path.join(SCENARIOS, "ocp-demo.yml")
    process = subprocess.Popen(
        [sys.executable, os.path.join(SIMULATOR_DIR, "run.py"), "ocp", "--scenario", scenario, "--port", "0",
         "--port-file", str(port_file)],
        stdout=subprocess.PIPE, text=True, cwd=str(tmp_path))
    try:
        line = process.stdout.readline()
        port = int(port_file.read_text())
        assert line == "ocp simulator listening on http://127.0.0.1:%d (scenario %s)\n" % (port, scenario)
        response = requests.get("http://127.0.0.1:%d%s" % (port, TENANT_PATH % (1, 1001)), auth=BASIC, timeout=10)
        assert response.json()["data"]["contents"][0]["restoreTenantName"] == "restored_tenant"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()

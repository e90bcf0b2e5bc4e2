# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""OCP client and restore-task query: paging against a scripted server, TaskQuery validation and
encoding, and fetching against the OCP simulator (an independent implementation that checks the
AK/SK signature and each scope's time format)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from simulator.ocp import OcpSimulator

from ansible_collections.oceanbase.ops.plugins.module_utils import _ocp, _ocp_restore
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError, HttpClient, RetryPolicy
from ansible_collections.oceanbase.ops.plugins.module_utils._module import ModuleFailure
from ansible_collections.oceanbase.ops.plugins.module_utils._ocp import AccessKeyAuth, BasicAuth, OcpClient
from ansible_collections.oceanbase.ops.plugins.module_utils._ocp_restore import TaskQuery, fetch

PATH = "/api/v2/ob/clusters/1/backup/task/restoreTasks"


def ocp_client(url, auth=None):
    return OcpClient(HttpClient(url, "OCP", retry_policy=RetryPolicy(retries=0)), auth or BasicAuth("admin", "pw"))


def params(**overrides):
    """Module parameters as AnsibleModule hands them over (every option present)."""
    result = dict(
        url="https://ocp.example.com:8080", username="admin", password="admin-password",
        access_key_id=None, access_key_secret=None, validate_certs=True, ca_path=None, timeout=30.0,
        cluster_id=1, tenant_id=None, start_time=None, end_time=None, restore_cluster_names=None, statuses=None,
        restore_tenant_name=None, task_id=None, latest=False, started_after=None, page_size=2000,
        wait=False, wait_timeout=3600, wait_sleep=10,
    )
    result.update(overrides)
    return result


# --- paging against a scripted server -----------------------------------------------------------------

def paging_server(server, pages, reported_size=None, total_pages=None):
    """Serve ``pages`` (a list of contents lists, page 1 first); any page past them is empty unless
    the list is longer than ``total_pages`` says. ``page.size`` reports ``reported_size``."""

    def respond(seen):
        query = dict(parse_qsl(seen.query))
        number = int(query["page"])
        contents = pages[number - 1] if number <= len(pages) else []
        page = {"number": number, "size": len(contents) if reported_size is None else reported_size,
                "totalElements": sum(len(p) for p in pages),
                "totalPages": len(pages) if total_pages is None else total_pages}
        return server.Reply(200, server.envelope({"contents": contents, "page": page}))

    server.respond = respond


def page_numbers(server):
    return [dict(parse_qsl(seen.query))["page"] for seen in server.requests]


def items(start, count):
    return [{"id": start + index} for index in range(count)]


def test_iter_pages_stops_at_total_pages(server):
    # A fourth page exists on the server, but totalPages says 3: it is never asked for.
    pages = [items(0, 10), items(10, 10), items(20, 10), items(30, 10)]
    paging_server(server, pages, reported_size=2, total_pages=3)
    got = list(ocp_client(server.url).iter_pages(PATH, [("startTime", "x")], page_size=10))
    assert got == pages[:3]
    assert page_numbers(server) == ["1", "2", "3"]
    for seen in server.requests:
        query = parse_qsl(seen.query)
        assert ("size", "10") in query  # the requested size, never page.size
        assert ("startTime", "x") in query


def test_iter_pages_stops_on_an_empty_page(server):
    paging_server(server, [items(0, 10), []], total_pages=5)
    got = list(ocp_client(server.url).iter_pages(PATH, [], page_size=10))
    assert got == [items(0, 10)]
    assert page_numbers(server) == ["1", "2"]


def test_iter_pages_empty_result(server):
    paging_server(server, [], total_pages=0)
    assert list(ocp_client(server.url).iter_pages(PATH, [], page_size=10)) == []
    assert page_numbers(server) == ["1"]


def test_iter_pages_does_not_trust_page_size(server):
    # page.size claims 2000 and page 1 is short of the requested 10: totalPages still decides.
    pages = [items(0, 3), items(3, 2)]
    paging_server(server, pages, reported_size=2000)
    assert list(ocp_client(server.url).iter_pages(PATH, [], page_size=10)) == pages
    assert page_numbers(server) == ["1", "2"]


def test_iter_pages_sends_headers_and_basic_auth(server):
    paging_server(server, [items(0, 1)])
    list(ocp_client(server.url, BasicAuth("foo", "bar")).iter_pages(PATH, [], page_size=5))
    headers = server.requests[0].headers
    assert headers["Authorization"] == "Basic Zm9vOmJhcg=="
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept-Language"] == "en-US"
    assert server.requests[0].path == PATH


def test_successful_false_with_200_is_a_protocol_error(server):
    server.queue(server.Reply(200, {"successful": False, "status": 200}))
    with pytest.raises(ApiError) as info:
        list(ocp_client(server.url).iter_pages(PATH, [], page_size=5))
    assert info.value.kind == "protocol"


def test_missing_contents_is_a_protocol_error(server):
    server.queue(server.Reply(200, server.envelope({"contents": "nope"})))
    with pytest.raises(ApiError) as info:
        list(ocp_client(server.url).iter_pages(PATH, [], page_size=5))
    assert info.value.kind == "protocol"
    assert "data.contents" in info.value.message


@pytest.mark.parametrize("status, code, hint", [
    (401, 0, "authentication failed"),
    (401, "IAM10000", "not logged in"),
    (403, 3100, "lacks permission"),
    (400, 11001, "no OCP cluster with this cluster_id"),
    (404, "OBE11001", "no OCP cluster with this cluster_id"),
    (400, "OBE21003", "no OCP tenant with this tenant_id"),
    (400, 1013, "give both start_time and end_time"),
])
def test_known_errors_are_explained(server, status, code, hint):
    server.queue(server.Reply(status, server.error_envelope(status, {"code": code, "message": "server text"})))
    with pytest.raises(ApiError) as info:
        list(ocp_client(server.url).iter_pages(PATH, [], page_size=5))
    assert hint in info.value.message
    assert "server text" in info.value.message
    assert str(info.value) == info.value.message


# --- TaskQuery validation ------------------------------------------------------------------------------

def failure(**overrides):
    with pytest.raises(ModuleFailure) as info:
        TaskQuery(params(**overrides))
    return info.value.msg


@pytest.mark.parametrize("overrides, words", [
    (dict(password=None), ["username", "password"]),
    (dict(username=None), ["password", "username"]),
    (dict(username=None, password=None, access_key_id="AK"), ["access_key_id", "access_key_secret"]),
    (dict(username=None, password=None, access_key_secret="SK"), ["access_key_secret", "access_key_id"]),
    (dict(access_key_id="AK", access_key_secret="SK"), ["username/password", "access_key_id/access_key_secret"]),
    (dict(access_key_id="AK"), ["access_key_id", "access_key_secret"]),
    (dict(username=None, password=None), ["username", "password", "access_key_id", "access_key_secret"]),
    (dict(username="", password=""), ["username", "access_key_id"]),
])
def test_credentials(overrides, words):
    message = failure(**overrides)
    for word in words:
        assert word in message


def test_half_pair_names_the_missing_option():
    assert "password is missing" in failure(password=None)
    assert "username is missing" in failure(username=None)
    assert "access_key_secret is missing" in failure(username=None, password=None, access_key_id="AK")
    assert "access_key_id is missing" in failure(username=None, password=None, access_key_secret="SK")


@pytest.mark.parametrize("option", ["start_time", "end_time", "started_after"])
def test_bad_time_names_the_option(option):
    message = failure(**{option: "last tuesday"})
    assert message.startswith(option)
    assert "last tuesday" in message


def test_start_after_end():
    message = failure(start_time="2024-08-07T00:00:00Z", end_time="2024-08-06T00:00:00Z")
    assert "start_time" in message and "end_time" in message


def test_start_after_end_compares_instants_not_text():
    # 08:00+08:00 is midnight UTC: equal to end_time, so not after it.
    TaskQuery(params(start_time="2024-08-06T08:00:00+08:00", end_time="2024-08-06T00:00:00Z"))
    assert "start_time" in failure(start_time="2024-08-06T08:00:01+08:00", end_time="2024-08-06T00:00:00Z")


@pytest.mark.parametrize("overrides", [dict(), dict(restore_tenant_name="t1"), dict(started_after="2024-08-06T00:00:00Z")])
def test_wait_needs_a_single_task(overrides):
    message = failure(wait=True, **overrides)
    assert "wait" in message and "task_id" in message and "latest" in message


@pytest.mark.parametrize("overrides", [dict(task_id=7), dict(latest=True), dict(latest=True, restore_tenant_name="t")])
def test_wait_with_a_single_task_is_valid(overrides):
    assert TaskQuery(params(wait=True, **overrides)).single


@pytest.mark.parametrize("size", [0, -1, 2001, 100000])
def test_page_size_out_of_range(size):
    message = failure(page_size=size)
    assert "page_size" in message
    assert str(size) in message


@pytest.mark.parametrize("size", [1, 10, 2000])
def test_page_size_in_range(size):
    assert TaskQuery(params(page_size=size)).page_size == size


@pytest.mark.parametrize("option", ["statuses", "restore_cluster_names"])
@pytest.mark.parametrize("values", [["RESTORE_SUCCESS,RESTORE_FAIL"], ["A", "B,C"], ["A", ""]])
def test_list_items_without_commas(option, values):
    message = failure(tenant_id=1001, **{option: values})
    assert message.startswith(option)


@pytest.mark.parametrize("overrides, option", [
    (dict(url="ocp.example.com:8080"), "url"),
    (dict(url="ftp://ocp.example.com"), "url"),
    (dict(wait_timeout=-1), "wait_timeout"),
    (dict(wait_sleep=0), "wait_sleep"),
    (dict(timeout=0), "timeout"),
    (dict(cluster_id=-1), "cluster_id"),
    (dict(tenant_id=-5), "tenant_id"),
    (dict(task_id=-2), "task_id"),
])
def test_other_options(overrides, option):
    assert option in failure(**overrides)


# --- TaskQuery encoding --------------------------------------------------------------------------------

def test_paths():
    assert TaskQuery(params(cluster_id=3)).path == "/api/v2/ob/clusters/3/backup/task/restoreTasks"
    assert TaskQuery(params(cluster_id=3, tenant_id=1004)).path == \
        "/api/v2/ob/clusters/3/tenants/1004/backup/task/restoreTasks"


def test_query_pairs_tenant_scope():
    query = TaskQuery(params(
        tenant_id=1001, start_time="2024-08-06T08:00:00+08:00", end_time="2024-08-07T00:00:00.750Z",
        statuses=["RESTORE_SUCCESS", "RESTORE_FAIL", "RESTORE_SUCCESS"], restore_cluster_names=["obc2", "obc1"]))
    assert query.query_pairs() == [
        ("startTime", "2024-08-06T00:00:00Z"),
        ("endTime", "2024-08-07T00:00:01Z"),  # .750 rounded up: the exact bound is applied by the module
        ("status", "RESTORE_FAIL,RESTORE_SUCCESS"),
        ("restoreClusterName", "obc1,obc2"),
    ]
    assert _ocp.encode_query(query.query_pairs()) == (
        "startTime=2024-08-06T00%3A00%3A00Z&endTime=2024-08-07T00%3A00%3A01Z"
        "&status=RESTORE_FAIL%2CRESTORE_SUCCESS&restoreClusterName=obc1%2Cobc2")


def test_query_pairs_tenant_scope_naive_time_is_utc():
    query = TaskQuery(params(tenant_id=1001, start_time="2024-08-06T00:00:00"))
    assert query.query_pairs() == [("startTime", "2024-08-06T00:00:00Z")]


def test_query_pairs_cluster_scope():
    query = TaskQuery(params(
        start_time="2021-09-16T15:14:51.397+08:00", end_time="2021-09-17T00:00:00Z",
        statuses=["RESTORE_SUCCESS", "RESTORE_FAIL"], restore_cluster_names=["obc1"]))
    assert query.query_pairs() == [
        ("startTime", "2021-09-16T15:14:51.397+08:00"),
        ("endTime", "2021-09-17T00:00:00+00:00"),
    ]  # no status or restoreClusterName parameter: this scope has none (filtered client-side)
    assert "%2B08%3A00" in _ocp.encode_query(query.query_pairs())


def test_query_pairs_empty():
    assert TaskQuery(params()).query_pairs() == []
    assert TaskQuery(params(tenant_id=1, start_time="", statuses=[])).query_pairs() == []


def test_new_client_picks_the_auth():
    basic = _ocp.new_client(params())
    signed = _ocp.new_client(params(username=None, password=None, access_key_id="AK", access_key_secret="SK"))
    assert isinstance(basic.auth, BasicAuth)
    assert isinstance(signed.auth, AccessKeyAuth)
    assert basic.http.timeout == 30.0


# --- fetch against the OCP simulator -----------------------------------------------------------------------

SCENARIO = {
    "auth": {"users": {"admin": "admin-password"}, "access_keys": {"AKIDEXAMPLE": "secret-key"}},
    "clusters": [
        {"id": 1, "name": "obcluster", "obClusterId": 1001,
         "tenants": [{"id": 1001, "name": "restored_tenant"}, {"id": 1002, "name": "sales"}]},
        {"id": 2, "name": "bulk", "tenants": [{"id": 2001, "name": "bulk_tenant"}]},
    ],
    "tasks": [
        {"id": 5, "cluster_id": 1, "tenant_id": 1002, "createTime": "2024-08-01T00:00:00Z",
         "fields": {"status": "RESTORE_SUCCESS", "restoreTenantName": "sales_copy"}},
        {"id": 6, "cluster_id": 1, "tenant_id": 1002, "createTime": "2024-08-02T00:00:00Z",
         "fields": {"status": "RESTORE_FAIL", "restoreTenantName": "sales_copy",
                    "errorMsg": "CLOG : OB_ENTRY_NOT_EXIST(-4018)"}},
        {"id": 7, "cluster_id": 1, "tenant_id": 1001, "createTime": "2024-08-03T00:00:00Z",
         "fields": {"status": "RESTORE_WAIT_LS", "restoreTenantName": "restored_tenant", "progress": "50%"}},
        # the newest task has the lowest id: "latest" goes by createTime
        {"id": 4, "cluster_id": 1, "tenant_id": 1002, "createTime": "2024-08-04T00:00:00Z",
         "fields": {"status": "RESTORE_SUCCESS", "restoreTenantName": "sales_copy"}},
    ],
    "generate": [{"count": 25, "cluster_id": 2, "tenant_id": 2001, "first_id": 100}],
}


@pytest.fixture(scope="module")
def ocp_sim():
    with OcpSimulator(SCENARIO) as sim:
        yield sim


@pytest.fixture
def sim(ocp_sim):
    ocp_sim.reset_stats()
    ocp_sim.clear_faults()
    return ocp_sim


def sim_client(sim, auth=None):
    return ocp_client(sim.url, auth or BasicAuth("admin", "admin-password"))


def ids(tasks):
    return [task["id"] for task in tasks]


def test_fetch_everything_newest_first_with_phases(sim):
    tasks = fetch(sim_client(sim), TaskQuery(params(url=sim.url)))
    assert ids(tasks) == [4, 7, 6, 5]
    assert [task["phase"] for task in tasks] == ["COMPLETED", "RUNNING", "FAILED", "COMPLETED"]
    assert tasks[2]["errorMsg"] == "CLOG : OB_ENTRY_NOT_EXIST(-4018)"
    assert tasks[2]["status"] == "RESTORE_FAIL"  # the API's own fields stay as they are


def test_fetch_latest_by_restore_tenant_name(sim):
    tasks = fetch(sim_client(sim), TaskQuery(params(url=sim.url, restore_tenant_name="sales_copy", latest=True)))
    assert ids(tasks) == [4]


def test_fetch_task_id(sim):
    tasks = fetch(sim_client(sim), TaskQuery(params(url=sim.url, task_id=6)))
    assert ids(tasks) == [6]
    assert tasks[0]["phase"] == "FAILED"


def test_fetch_unknown_task_id(sim):
    assert fetch(sim_client(sim), TaskQuery(params(url=sim.url, task_id=999))) == []


def test_fetch_started_after(sim):
    query = TaskQuery(params(url=sim.url, restore_tenant_name="sales_copy", started_after="2024-08-01T12:00:00Z"))
    assert ids(fetch(sim_client(sim), query)) == [4, 6]
    query = TaskQuery(params(url=sim.url, restore_tenant_name="sales_copy", latest=True,
                             started_after="2024-08-04T08:00:01+08:00"))
    assert fetch(sim_client(sim), query) == []  # the newest started one second too early
    query = TaskQuery(params(url=sim.url, restore_tenant_name="sales_copy", latest=True,
                             started_after="2024-08-04T08:00:00+08:00"))
    assert ids(fetch(sim_client(sim), query)) == [4]


def test_fetch_statuses_in_cluster_scope_filter_client_side(sim):
    query = TaskQuery(params(url=sim.url, statuses=["RESTORE_SUCCESS"]))
    assert ids(fetch(sim_client(sim), query)) == [4, 5]
    assert all("status=" not in entry["target"] for entry in sim.log)


def test_fetch_tenant_scope_with_times_and_statuses(sim):
    query = TaskQuery(params(url=sim.url, tenant_id=1002, start_time="2024-08-01T12:00:00+00:00",
                             end_time="2024-08-05T08:00:00+08:00", statuses=["RESTORE_SUCCESS", "RESTORE_FAIL"]))
    assert ids(fetch(sim_client(sim), query)) == [4, 6]
    target = sim.log[-1]["target"]
    assert target.startswith("/api/v2/ob/clusters/1/tenants/1002/backup/task/restoreTasks?")
    assert "startTime=2024-08-01T12%3A00%3A00Z" in target
    assert "endTime=2024-08-05T00%3A00%3A00Z" in target
    assert "status=RESTORE_FAIL%2CRESTORE_SUCCESS" in target


def test_fetch_cluster_scope_with_offset_times(sim):
    query = TaskQuery(params(url=sim.url, start_time="2024-08-02T08:00:00+08:00", end_time="2024-08-03T00:00:00Z"))
    assert ids(fetch(sim_client(sim), query)) == [7, 6]
    target = sim.log[-1]["target"]
    assert "startTime=2024-08-02T08%3A00%3A00%2B08%3A00" in target
    assert "endTime=2024-08-03T00%3A00%3A00%2B00%3A00" in target


def test_fetch_reads_every_page(sim):
    query = TaskQuery(params(url=sim.url, cluster_id=2, page_size=10))
    tasks = fetch(sim_client(sim), query)
    assert sorted(ids(tasks)) == list(range(100, 125))
    pages = [dict(parse_qsl(entry["target"].split("?", 1)[1]))["page"] for entry in sim.log]
    assert pages == ["1", "2", "3"]


def test_fetch_latest_over_pages(sim):
    query = TaskQuery(params(url=sim.url, cluster_id=2, page_size=7, latest=True))
    assert ids(fetch(sim_client(sim), query)) == [124]


def test_access_key_signing_is_accepted(sim):
    client = sim_client(sim, AccessKeyAuth("AKIDEXAMPLE", "secret-key"))
    query = TaskQuery(params(url=sim.url, username=None, password=None, access_key_id="AKIDEXAMPLE",
                             access_key_secret="secret-key", tenant_id=1002, start_time="2024-08-01T00:00:00Z",
                             statuses=["RESTORE_SUCCESS", "RESTORE_FAIL"]))
    assert ids(fetch(client, query)) == [4, 6, 5]
    assert all(entry["status"] == 200 for entry in sim.log)


def test_wrong_access_key_secret_is_401(sim):
    client = sim_client(sim, AccessKeyAuth("AKIDEXAMPLE", "wrong-secret"))
    with pytest.raises(ApiError) as info:
        fetch(client, TaskQuery(params(url=sim.url)))
    assert info.value.status == 401
    assert "authentication failed" in info.value.message
    assert "wrong-secret" not in info.value.message


def test_wrong_password_is_401(sim):
    with pytest.raises(ApiError) as info:
        fetch(sim_client(sim, BasicAuth("admin", "nope")), TaskQuery(params(url=sim.url)))
    assert info.value.status == 401


def test_unknown_cluster(sim):
    with pytest.raises(ApiError) as info:
        fetch(sim_client(sim), TaskQuery(params(url=sim.url, cluster_id=99)))
    assert "no OCP cluster with this cluster_id" in info.value.message


# --- the whole module function ----------------------------------------------------------------------------

def test_restore_task_info_without_wait(sim):
    result = _ocp_restore.restore_task_info(params(url=sim.url, restore_tenant_name="sales_copy", latest=True),
                                            client=sim_client(sim))
    assert ids(result["restore_tasks"]) == [4]
    assert result["restore_task"]["id"] == 4
    assert result["restore_task"]["phase"] == "COMPLETED"


def test_restore_task_info_no_single_selection_has_no_restore_task(sim):
    result = _ocp_restore.restore_task_info(params(url=sim.url), client=sim_client(sim))
    assert "restore_task" not in result
    assert len(result["restore_tasks"]) == 4


def test_restore_task_info_wait_on_a_finished_task(sim):
    result = _ocp_restore.restore_task_info(params(url=sim.url, task_id=6, wait=True, wait_timeout=60),
                                            client=sim_client(sim))
    assert result["restore_task"]["phase"] == "FAILED"
    assert result["polls"] == 1
    assert result["timed_out"] is False


def test_restore_task_info_wait_timeout_zero_on_a_running_task(sim):
    with pytest.raises(ModuleFailure) as info:
        _ocp_restore.restore_task_info(params(url=sim.url, tenant_id=1001, task_id=7, wait=True, wait_timeout=0),
                                       client=sim_client(sim))
    failure = info.value
    assert "Timed out after 0 seconds" in failure.msg
    assert "RESTORE_WAIT_LS" in failure.msg and "50%" in failure.msg
    assert failure.result["restore_task"]["id"] == 7
    assert failure.result["timed_out"] is True
    assert failure.result["polls"] == 1

"""Integration tests of ``oceanbase.ops.ocp_restore_task_info``: real ``ansible-playbook`` runs against the
OCP simulator (tests/simulator/ocp.py) on 127.0.0.1.

Every playbook groups several tasks, so that one ``ansible-playbook`` start covers a whole topic. The
tests that wait, or that fail slowly through retries, run their cases in parallel: one added inventory
host per case (all on the local connection), each with its own module arguments.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
from datetime import datetime, timedelta, timezone

import yaml

MODULE = "oceanbase.ops.ocp_restore_task_info"
USER, PASSWORD = "admin", "admin-password"
AK, SK = "AKIDEXAMPLE", "secret-key"
AUTH = {"users": {USER: PASSWORD}, "access_keys": {AK: SK}}
ODD_USER, ODD_PASSWORD = "ops.viewer", "p\u00e4ss:w\u00f6rd with spaces"
CLUSTER_PATH = "/api/v2/ob/clusters/%d/backup/task/restoreTasks"
TENANT_PATH = "/api/v2/ob/clusters/%d/tenants/%d/backup/task/restoreTasks"
PHASES = ("RUNNING", "COMPLETED", "FAILED", "CANCELED")
BASIC_HEADER = re.compile(r"^Basic [A-Za-z0-9+/=]+$")
AKSK_HEADER = re.compile(r"^OCP-ACCESS-KEY-HMACSHA1 %s:[A-Za-z0-9+/=]+$" % AK)


# --- helpers ---------------------------------------------------------------------------------------
def basic(sim, **args):
    return dict(url=sim.url, username=USER, password=PASSWORD, **args)


def aksk(sim, **args):
    return dict(url=sim.url, access_key_id=AK, access_key_secret=SK, **args)


def module_task(name, args, **keywords):
    task = {"name": name, MODULE: args}
    task.update(keywords)
    return task


def to_yaml(data):
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=1000)


def record(task_id, cluster_id, tenant_id, created, status, **fields):
    """A scenario task with a literal createTime and a fixed status."""
    fields["status"] = status
    return {"id": task_id, "cluster_id": cluster_id, "tenant_id": tenant_id, "createTime": created, "fields": fields}


def ids(tasks):
    return [task["id"] for task in tasks]


def iso_utc(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Spy:
    """Keeps what the simulator received and answered: path, query, Authorization, status, traceId.

    It wraps ``sim.record``, which the server calls for every request it answers (faults included).
    """

    def __init__(self, sim):
        self.entries = []
        original = sim.record

        def spying_record(request, response, fault):
            original(request, response, fault)
            envelope = None
            if response is not None:
                try:
                    envelope = json.loads(response.body)
                except ValueError:
                    envelope = None
            self.entries.append({
                "path": request.path,
                "raw_query": request.raw_query,
                "query": dict(request.query_pairs),
                "keys": [key for key, _value in request.query_pairs],
                "auth": request.header("Authorization", ""),
                "date": request.header("Date"),
                "status": response.status if response is not None else None,
                "fault": fault.kind if fault is not None else None,
                "envelope": envelope if isinstance(envelope, dict) else None,
            })

        sim.record = spying_record

    def to(self, path):
        return [entry for entry in self.entries if entry["path"] == path]

    @staticmethod
    def trace_id(entry):
        return (entry["envelope"] or {}).get("traceId")


def assert_clean(run):
    """No Python traceback anywhere, no module crash, and ``changed`` false on every module result."""
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream, run
    for item in run.results:
        if item["action"] != MODULE:
            continue
        result = item["result"]
        # ansible-core 2.19 puts an error summary into every failed result; it must hold no Python traceback.
        assert "Traceback" not in str(result.get("exception", "")), result
        assert "module_stderr" not in result, result
        assert result.get("changed") is False, result


def assert_phases(tasks):
    for task in tasks:
        assert task["phase"] in PHASES, task


def parallel_playbook(cases):
    """One host per case (local connection) and one module task run by all of them at once.

    ``cases`` maps a host name to the module arguments of that case.
    """
    add_hosts = {
        "name": "One inventory host per case",
        "ansible.builtin.add_host": dict(
            name="{{ item.key }}", groups="cases", ansible_connection="local",
            ansible_python_interpreter=sys.executable, case_args="{{ item.value }}"),
        "loop": "{{ cases | dict2items }}",
    }
    plays = [
        {"name": "Cases", "hosts": "localhost", "gather_facts": False, "vars": {"cases": cases}, "tasks": [add_hosts]},
        {"name": "Run", "hosts": "cases", "gather_facts": False,
         "tasks": [{"name": "case", MODULE: "{{ case_args }}", "ignore_errors": True}]},
    ]
    return to_yaml(plays)


def by_host(run, task_name="case"):
    return dict((item["host"], item) for item in run.results if item["task"] == task_name)


class Driver(threading.Thread):
    """Changes the simulator once the module has polled a path a given number of times."""

    def __init__(self, sim):
        super().__init__(daemon=True)
        self.sim = sim
        self.steps = []
        self.fired = set()
        self.halt = threading.Event()

    def after(self, path, polls, action):
        self.steps.append((re.escape(path) + r"\?", polls, action))

    def run(self):
        while not self.halt.is_set() and len(self.fired) < len(self.steps):
            for index, (pattern, polls, action) in enumerate(self.steps):
                if index not in self.fired and len(self.sim.requests_to(pattern)) >= polls:
                    action()
                    self.fired.add(index)
            self.halt.wait(0.02)

    def stop(self):
        self.halt.set()
        self.join(5)


# --- scenarios -------------------------------------------------------------------------------------
ERROR_MSG = 'CLOG : OB_ENTRY_NOT_EXIST(-4018) on "10.0.0.1:2882" with traceid Y0-1'

# Cluster 1: two tenants, five restores across four days; copy_a was restored twice (32 failed,
# 34 is the re-run). Cluster 2: statuses beyond the physical-restore table. Cluster 3: no restores.
# Cluster 4: two restores whose ids run against their creation order.
FILTER_SCENARIO = {
    "auth": {"users": {USER: PASSWORD, ODD_USER: ODD_PASSWORD}, "access_keys": {AK: SK}},
    "clusters": [
        {"id": 1, "name": "obcluster", "obClusterId": 1001,
         "tenants": [{"id": 1001, "name": "restored_tenant"}, {"id": 1002, "name": "sales"}]},
        {"id": 2, "name": "obcluster2", "tenants": [{"id": 2001, "name": "misc"}]},
        {"id": 3, "name": "empty_cluster", "tenants": [{"id": 3001, "name": "nothing"}]},
        {"id": 4, "name": "obcluster4", "tenants": [{"id": 4001, "name": "subsecond"}]},
    ],
    "tasks": [
        record(31, 1, 1001, "2024-08-05T12:00:00Z", "RESTORE_SUCCESS", restoreTenantName="copy_a"),
        record(32, 1, 1001, "2024-08-06T06:00:00Z", "RESTORE_FAIL", restoreTenantName="copy_a", errorMsg=ERROR_MSG),
        record(33, 1, 1001, "2024-08-06T12:00:00Z", "RESTORE_WAIT_LS", restoreTenantName="copy_b",
               restoreClusterName="obcluster_dr", progress="50%"),
        record(34, 1, 1002, "2024-08-07T06:00:00Z", "RESTORE_SUCCESS", restoreTenantName="copy_a",
               restoreClusterName="obcluster_dr"),
        record(35, 1, 1002, "2024-08-08T00:00:00Z", "RESTORE_SUCCESS", restoreTenantName="copy_c"),
        record(41, 2, 2001, "2024-08-01T00:00:00Z", "RESTORE_SOMETHING_NEW", restoreTenantName="misc_1"),
        record(42, 2, 2001, "2024-08-02T00:00:00Z", "CANCELED", restoreTenantName="misc_2", backupMode="LOGICAL_BACKUP"),
        record(43, 2, 2001, "2024-08-03T00:00:00Z", "LOGICAL_DONE", restoreTenantName="misc_3", backupMode="LOGICAL_BACKUP",
               finished=True, successful=True),
        record(44, 2, 2001, "2024-08-04T00:00:00Z", "RESTORE_FAIL", restoreTenantName="misc_4", errorMsg="disk full"),
        # Cluster 4: sub-second createTimes, and the higher id is the older task.
        record(51, 4, 4001, "2024-08-06T12:00:00.500Z", "RESTORE_SUCCESS"),
        record(52, 4, 4001, "2024-08-06T11:00:00.200Z", "RESTORE_SUCCESS"),
    ],
}
PHASE_OF = {41: "RUNNING", 42: "CANCELED", 43: "COMPLETED", 44: "FAILED"}


def check_listing(run, case, entry, paging):
    """One task of test_scopes_auth_and_filters: what the simulator received, and what the module returned."""
    name, args, path, scheme, query, expected_ids, expected_single = case
    item = run.task(name)
    assert item["status"] == "ok", item
    result = item["result"]
    assert entry["status"] == 200, entry
    assert entry["path"] == path, entry["path"]
    if query is not None:
        assert entry["query"] == dict(paging, **query), entry["raw_query"]
    assert len(entry["keys"]) == len(set(entry["keys"])), entry["raw_query"]
    if scheme == "basic":
        assert BASIC_HEADER.match(entry["auth"]), entry["auth"]
        credentials = base64.b64decode(entry["auth"].split(" ", 1)[1]).decode("utf-8")
        assert credentials == "%s:%s" % (args["username"], args["password"])
    else:
        assert AKSK_HEADER.match(entry["auth"]), entry["auth"]
        assert entry["date"]
    assert isinstance(result["restore_tasks"], list)
    assert ids(result["restore_tasks"]) == expected_ids, "restore_tasks ids %s, expected %s" % (ids(result["restore_tasks"]), expected_ids)
    assert_phases(result["restore_tasks"])
    if expected_single == "absent":
        assert "restore_task" not in result
    elif expected_single is None:
        assert result["restore_task"] is None, result["restore_task"]
    else:
        assert result["restore_task"]["id"] == expected_single, result["restore_task"]
        assert result["restore_task"] == result["restore_tasks"][0]


# --- scopes, authentication and filters --------------------------------------------------------------
def test_scopes_auth_and_filters(ansible, ocp_sim):
    """Both scopes with both auth methods, then every filter; one request per task, in order."""
    sim = ocp_sim(FILTER_SCENARIO)
    spy = Spy(sim)
    c1, c2 = CLUSTER_PATH % 1, CLUSTER_PATH % 2
    t1001, t1002 = TENANT_PATH % (1, 1001), TENANT_PATH % (1, 1002)
    paging = {"page": "1", "size": "2000"}
    # (name, args, path, auth scheme, decoded query besides paging (None: not checked), expected ids,
    #  expected restore_task id or "absent")
    cases = [
        ("cluster scope, Basic", basic(sim, cluster_id=1), c1, "basic", {}, [35, 34, 33, 32, 31], "absent"),
        ("tenant scope, AK/SK", aksk(sim, cluster_id=1, tenant_id=1001), t1001, "aksk", {}, [33, 32, 31], "absent"),
        ("tenant scope, Basic", basic(sim, cluster_id=1, tenant_id=1002), t1002, "basic", {}, [35, 34], "absent"),
        ("cluster scope, AK/SK", aksk(sim, cluster_id=2), c2, "aksk", {}, [44, 43, 42, 41], "absent"),
        ("Basic with a non-ASCII password, URL with a trailing slash",
         {"url": sim.url + "/", "username": ODD_USER, "password": ODD_PASSWORD, "cluster_id": 1, "tenant_id": 1002},
         t1002, "basic", {}, [35, 34], "absent"),
        ("tenant time window",
         aksk(sim, cluster_id=1, tenant_id=1001, start_time="2024-08-06T08:00:00+08:00", end_time="2024-08-06T12:00:00"),
         t1001, "aksk", {"startTime": "2024-08-06T00:00:00Z", "endTime": "2024-08-06T12:00:00Z"}, [33, 32], "absent"),
        ("cluster time window",
         aksk(sim, cluster_id=1, start_time="2024-08-06T08:00:00+0800", end_time="2024-08-07T06:00:00Z"),
         c1, "aksk", {"startTime": "2024-08-06T08:00:00+08:00", "endTime": "2024-08-07T06:00:00+00:00"}, [34, 33, 32], "absent"),
        ("tenant statuses", aksk(sim, cluster_id=1, tenant_id=1001, statuses=["RESTORE_SUCCESS", "RESTORE_FAIL"]),
         t1001, "aksk", {"status": "RESTORE_FAIL,RESTORE_SUCCESS"}, [32, 31], "absent"),
        ("cluster statuses", aksk(sim, cluster_id=1, statuses=["RESTORE_SUCCESS", "RESTORE_FAIL"]),
         c1, "aksk", {}, [35, 34, 32, 31], "absent"),
        ("tenant restore_cluster_names", aksk(sim, cluster_id=1, tenant_id=1001, restore_cluster_names=["zz none", "obcluster_dr"]),
         t1001, "aksk", {"restoreClusterName": "obcluster_dr,zz none"}, [33], "absent"),
        ("cluster restore_cluster_names", basic(sim, cluster_id=1, restore_cluster_names=["obcluster_dr"]),
         c1, "basic", {}, [34, 33], "absent"),
        ("restore_tenant_name", basic(sim, cluster_id=1, restore_tenant_name="copy_a"), c1, "basic", {}, [34, 32, 31], "absent"),
        ("task_id", basic(sim, cluster_id=1, task_id=33), c1, "basic", {}, [33], 33),
        ("task_id without match", basic(sim, cluster_id=1, task_id=999), c1, "basic", {}, [], None),
        ("latest", basic(sim, cluster_id=1, latest=True), c1, "basic", {}, [35], 35),
        ("latest by tenant name", basic(sim, cluster_id=1, restore_tenant_name="copy_a", latest=True), c1, "basic", {}, [34], 34),
        ("started_after ignores the older attempt",
         basic(sim, cluster_id=1, restore_tenant_name="copy_a", started_after="2024-08-07T08:00:00+08:00"),
         c1, "basic", {}, [34], "absent"),
        ("started_after with latest picks the re-run",
         aksk(sim, cluster_id=1, restore_tenant_name="copy_a", latest=True, started_after="2024-08-06T07:00:00Z"),
         c1, "aksk", {}, [34], 34),
        ("started_after before the re-run appears",
         aksk(sim, cluster_id=1, restore_tenant_name="copy_a", latest=True, started_after="2024-08-07T07:00:00Z"),
         c1, "aksk", {}, [], None),
        ("filters combined",
         aksk(sim, cluster_id=1, tenant_id=1001, statuses=["RESTORE_SUCCESS"], start_time="2024-08-05T00:00:00Z",
              restore_tenant_name="copy_a"),
         t1001, "aksk", {"status": "RESTORE_SUCCESS", "startTime": "2024-08-05T00:00:00Z"}, [31], "absent"),
        # Newest first means by createTime (then id), not by id.
        ("newest first by createTime", basic(sim, cluster_id=4), CLUSTER_PATH % 4, "basic", {}, [51, 52], "absent"),
        ("latest by createTime", basic(sim, cluster_id=4, latest=True), CLUSTER_PATH % 4, "basic", {}, [51], 51),
        # Sub-second bounds select the same tasks in both scopes, although the tenant scope only takes whole
        # seconds: 51 (12:00:00.500) is inside the first window, 52 (11:00:00.200) is before the second start.
        ("cluster sub-second window", basic(sim, cluster_id=4, start_time="2024-08-06T12:00:00.300Z", end_time="2024-08-06T12:00:00.900Z"),
         CLUSTER_PATH % 4, "basic", {"startTime": "2024-08-06T12:00:00.300+00:00", "endTime": "2024-08-06T12:00:00.900+00:00"},
         [51], "absent"),
        ("tenant sub-second window",
         basic(sim, cluster_id=4, tenant_id=4001, start_time="2024-08-06T12:00:00.300Z", end_time="2024-08-06T12:00:00.900Z"),
         TENANT_PATH % (4, 4001), "basic", None, [51], "absent"),
        ("tenant sub-second start", basic(sim, cluster_id=4, tenant_id=4001, start_time="2024-08-06T11:00:00.400Z"),
         TENANT_PATH % (4, 4001), "basic", None, [51], "absent"),
    ]
    tasks = [module_task(name, args) for name, args, *_rest in cases]
    run = ansible.run(tasks=to_yaml(tasks))
    assert run.rc == 0, run
    assert_clean(run)
    assert len(spy.entries) == len(cases), [entry["path"] + "?" + entry["raw_query"] for entry in spy.entries]

    problems = []
    for case, entry in zip(cases, spy.entries):
        try:
            check_listing(run, case, entry, paging)
        except AssertionError as exc:
            problems.append("%s: %s" % (case[0], exc))

    # The exact encodings: tenant scope UTC with Z and no '+', cluster scope with %2B; lists comma-joined
    # and sorted, the comma encoded.
    received = dict((name, entry) for (name, *_rest), entry in zip(cases, spy.entries))
    raw = dict((name, entry["raw_query"]) for name, entry in received.items())
    assert "+" not in raw["tenant time window"] and "%2B" not in raw["tenant time window"]
    assert re.search(r"startTime=2024-08-06T00(:|%3A)00(:|%3A)00Z(&|$)", raw["tenant time window"]), raw["tenant time window"]
    assert re.search(r"endTime=2024-08-06T12(:|%3A)00(:|%3A)00Z(&|$)", raw["tenant time window"]), raw["tenant time window"]
    assert "+" not in raw["cluster time window"]
    assert re.search(r"startTime=2024-08-06T08(:|%3A)00(:|%3A)00%2B08(:|%3A)00(&|$)", raw["cluster time window"]), raw["cluster time window"]
    assert re.search(r"endTime=2024-08-07T06(:|%3A)00(:|%3A)00%2B00(:|%3A)00(&|$)", raw["cluster time window"]), raw["cluster time window"]
    assert "status=RESTORE_FAIL%2CRESTORE_SUCCESS" in raw["tenant statuses"].split("&")
    assert "restoreClusterName=obcluster_dr%2Czz%20none" in raw["tenant restore_cluster_names"].split("&")
    for name in ("cluster statuses", "cluster restore_cluster_names"):
        assert "status" not in received[name]["query"] and "restoreClusterName" not in received[name]["query"], name

    # Records keep the API's fields, with phase added.
    listed = run.task("tenant scope, AK/SK")["result"]["restore_tasks"]
    failed = [task for task in listed if task["id"] == 32][0]
    assert failed["phase"] == "FAILED" and failed["status"] == "RESTORE_FAIL" and failed["errorMsg"] == ERROR_MSG
    running = [task for task in listed if task["id"] == 33][0]
    assert running["phase"] == "RUNNING" and running["progress"] == "50%" and running["finished"] is False
    assert [task for task in listed if task["id"] == 31][0]["phase"] == "COMPLETED"
    assert listed[0]["createTime"] == "2024-08-06T12:00:00.000000Z"
    assert all(task["restoreClusterId"] == 1 for task in listed)
    assert not problems, "\n".join(problems)


# --- paging ----------------------------------------------------------------------------------------
def test_more_than_one_page(ansible, ocp_sim):
    """4,500 tasks: three pages of 2,000 by default, five of 1,000 with page_size, nothing lost."""
    sim = ocp_sim({
        "auth": AUTH,
        "clusters": [{"id": 1, "name": "obcluster", "tenants": [{"id": 1001, "name": "restored_tenant"}]}],
        "generate": [{"count": 4500, "cluster_id": 1, "tenant_id": 1001, "first_id": 100000, "interval": 60}],
    })
    spy = Spy(sim)
    tasks = [
        module_task("all pages", basic(sim, cluster_id=1)),
        module_task("page_size 1000", aksk(sim, cluster_id=1, tenant_id=1001, page_size=1000)),
        module_task("latest across pages", basic(sim, cluster_id=1, tenant_id=1001, latest=True, page_size=1500)),
    ]
    run = ansible.run(tasks=to_yaml(tasks))
    assert run.rc == 0, run
    assert_clean(run)
    expected = list(range(104499, 99999, -1))

    result = run.task("all pages")["result"]
    assert ids(result["restore_tasks"]) == expected
    assert_phases(result["restore_tasks"])
    assert "restore_task" not in result
    first = spy.entries[0:3]
    assert [entry["path"] for entry in first] == [CLUSTER_PATH % 1] * 3
    assert [(entry["query"]["page"], entry["query"]["size"]) for entry in first] == [("1", "2000"), ("2", "2000"), ("3", "2000")]

    result = run.task("page_size 1000")["result"]
    assert ids(result["restore_tasks"]) == expected
    second = spy.entries[3:8]
    assert [entry["path"] for entry in second] == [TENANT_PATH % (1, 1001)] * 5
    assert [(entry["query"]["page"], entry["query"]["size"]) for entry in second] == [(str(page), "1000") for page in range(1, 6)]

    result = run.task("latest across pages")["result"]
    assert ids(result["restore_tasks"]) == [104499]
    assert result["restore_task"]["id"] == 104499 and result["restore_task"]["phase"] == "COMPLETED"
    third = spy.entries[8:]
    assert [(entry["query"]["page"], entry["query"]["size"]) for entry in third] == [("1", "1500"), ("2", "1500"), ("3", "1500")]
    assert all(entry["status"] == 200 for entry in spy.entries)


# --- return values, check mode, credentials from the environment -----------------------------------
def test_check_mode_with_environment_credentials(ansible, ocp_sim):
    """--check with only OCEANBASE_OCP_* variables (AK/SK): the module still reads, and the result shape holds."""
    sim = ocp_sim(FILTER_SCENARIO)
    spy = Spy(sim)
    tasks = [
        module_task("list", {"cluster_id": 2}),
        module_task("latest false", {"cluster_id": 2, "latest": False}),
        module_task("no such task", {"cluster_id": 2, "task_id": 4242}),
        module_task("latest of nothing", {"cluster_id": 2, "latest": True, "restore_tenant_name": "nobody"}),
        module_task("empty cluster", {"cluster_id": 3}),
    ]
    env = {"OCEANBASE_OCP_URL": sim.url + "/", "OCEANBASE_OCP_ACCESS_KEY_ID": AK, "OCEANBASE_OCP_ACCESS_KEY_SECRET": SK}
    run = ansible.run(tasks=to_yaml(tasks), env=env, check=True)
    assert run.rc == 0, run
    assert_clean(run)
    assert len(spy.entries) == len(tasks)
    assert all(AKSK_HEADER.match(entry["auth"]) and entry["status"] == 200 for entry in spy.entries), spy.entries

    for name in ("list", "latest false"):
        item = run.task(name)
        assert item["status"] == "ok", item
        result = item["result"]
        assert ids(result["restore_tasks"]) == [44, 43, 42, 41]
        assert dict((task["id"], task["phase"]) for task in result["restore_tasks"]) == PHASE_OF
        assert "restore_task" not in result
        assert result["retries"] == 0
        assert "elapsed" not in result and "polls" not in result
    unknown = run.task("list")["result"]["restore_tasks"][3]
    assert unknown["status"] == "RESTORE_SOMETHING_NEW" and unknown["statusDesc"] == "RESTORE_SOMETHING_NEW"

    for name in ("no such task", "latest of nothing"):
        result = run.task(name)["result"]
        assert result["restore_tasks"] == [] and "restore_task" in result and result["restore_task"] is None, (name, result)
    result = run.task("empty cluster")["result"]
    assert result["restore_tasks"] == [] and "restore_task" not in result


# --- module_defaults, task environment, and bad input ----------------------------------------------
def test_credentials_and_bad_input(ansible, ocp_sim):
    """Credentials from module_defaults and from the task's environment; every bad input fails before any
    request (each bad case has a simulator of its own that must stay untouched) with a message naming the option."""
    good = ocp_sim(FILTER_SCENARIO)
    spy = Spy(good)
    defaults_block = {
        "name": "module_defaults",
        "module_defaults": {"group/oceanbase.ops.ocp": {"url": good.url, "username": USER, "password": PASSWORD}},
        "block": [module_task("from module_defaults", {"cluster_id": 1, "tenant_id": 1002})],
    }
    env_task = module_task("from the task environment", {"cluster_id": 2}, environment={
        "OCEANBASE_OCP_URL": good.url, "OCEANBASE_OCP_USERNAME": USER, "OCEANBASE_OCP_PASSWORD": PASSWORD})

    # name -> (module args without url, task environment, url override, words the message must contain)
    bad = {
        "username without password": ({"username": USER}, {}, None, ["username", "password"]),
        "password without username": ({}, {"OCEANBASE_OCP_PASSWORD": PASSWORD}, None, ["password", "username"]),
        "access_key_id without secret": ({"access_key_id": AK}, {}, None, ["access_key_id", "access_key_secret"]),
        "access_key_secret without id": ({}, {"OCEANBASE_OCP_ACCESS_KEY_SECRET": SK}, None, ["access_key_secret", "access_key_id"]),
        "both pairs": ({"username": USER, "password": PASSWORD, "access_key_id": AK, "access_key_secret": SK}, {}, None,
                       ["username/password", "access_key_id/access_key_secret"]),
        "no credentials": ({}, {}, None, ["username", "access_key_id"]),
        "bad start_time": ({"username": USER, "password": PASSWORD, "start_time": "yesterday"}, {}, None, ["start_time", "yesterday"]),
        "start after end": ({"username": USER, "password": PASSWORD, "start_time": "2024-08-07T00:00:00Z",
                             "end_time": "2024-08-06T00:00:00Z"}, {}, None, ["start_time", "end_time"]),
        "wait without a single task": ({"username": USER, "password": PASSWORD, "wait": True}, {}, None, ["wait", "task_id", "latest"]),
        "page_size 0": ({"username": USER, "password": PASSWORD, "page_size": 0}, {}, None, ["page_size"]),
        "page_size 2001": ({"username": USER, "password": PASSWORD, "page_size": 2001}, {}, None, ["page_size", "2001"]),
        "url without scheme": ({"username": USER, "password": PASSWORD}, {}, "host:port", ["url"]),
        "bad end_time": ({"username": USER, "password": PASSWORD, "end_time": "2024-08-06 25:00"}, {}, None, ["end_time"]),
        "statuses item with a comma": ({"username": USER, "password": PASSWORD, "tenant_id": 1001, "statuses": ["RESTORE_SUCCESS,RESTORE_FAIL"]},
                                       {}, None, ["statuses"]),
        "wait_sleep 0": ({"username": USER, "password": PASSWORD, "task_id": 11, "wait": True, "wait_sleep": 0}, {}, None, ["wait_sleep"]),
        "cluster_id 0": ({"username": USER, "password": PASSWORD, "cluster_id": 0}, {}, None, ["cluster_id"]),
        "negative wait_timeout": ({"username": USER, "password": PASSWORD, "task_id": 11, "wait": True, "wait_timeout": -5}, {}, None,
                                  ["wait_timeout", "-5"]),
    }
    sims = {}
    bad_tasks = []
    for name, (args, environment, url, _words) in bad.items():
        sim = ocp_sim(FILTER_SCENARIO)
        sims[name] = sim
        args = dict({"cluster_id": 1}, **args)
        args["url"] = sim.url.split("://", 1)[1] if url == "host:port" else sim.url
        keywords = {"ignore_errors": True}
        if environment:
            keywords["environment"] = environment
        bad_tasks.append(module_task(name, args, **keywords))

    run = ansible.run(tasks=to_yaml([defaults_block, env_task] + bad_tasks))
    assert_clean(run)

    result = run.task("from module_defaults")["result"]
    assert run.task("from module_defaults")["status"] == "ok", result
    assert ids(result["restore_tasks"]) == [35, 34]
    result = run.task("from the task environment")["result"]
    assert run.task("from the task environment")["status"] == "ok", result
    assert ids(result["restore_tasks"]) == [44, 43, 42, 41]
    assert [entry["path"] for entry in spy.entries] == [TENANT_PATH % (1, 1002), CLUSTER_PATH % 2]
    assert all(BASIC_HEADER.match(entry["auth"]) for entry in spy.entries)

    problems = []
    for name, (_args, _environment, _url, words) in bad.items():
        item = run.task(name)
        requests = sims[name].counts["*"]
        msg = item["result"].get("msg", "")
        if item["status"] != "failed" or requests:
            problems.append("%s: expected a failure before any request; got status %s after %d request(s), result %s"
                            % (name, item["status"], requests, json.dumps(item["result"])[:300]))
            continue
        missing = [word for word in words if word not in msg]
        if missing:
            problems.append("%s: message %r does not name %s" % (name, msg, missing))
        if PASSWORD in msg or SK in msg:
            problems.append("%s: message shows a secret: %r" % (name, msg))
    assert not problems, "\n".join(problems)


# --- waiting ---------------------------------------------------------------------------------------
WAIT_SCENARIO = {
    "auth": AUTH,
    "clusters": [{"id": 1, "name": "obcluster",
                  "tenants": [{"id": tenant_id, "name": "tenant_%d" % tenant_id} for tenant_id in range(2001, 2010)]}],
    "tasks": [
        {"id": 201, "cluster_id": 1, "tenant_id": 2001, "timeline": [{"at": 0, "status": "RESTORE_WAIT_LS", "progress": "10%"}]},
        {"id": 202, "cluster_id": 1, "tenant_id": 2002, "timeline": [{"at": 0, "status": "RESTORE_CREATE_TENANT"}]},
        # The previous attempt at late_copy, which failed long ago: started_after must hide it.
        record(203, 1, 2003, "2024-08-01T00:00:00Z", "RESTORE_FAIL", restoreTenantName="late_copy", errorMsg="previous attempt"),
        record(204, 1, 2004, "2024-08-01T00:00:00Z", "RESTORE_WAIT_LS", progress="42%"),
        record(205, 1, 2005, "2024-08-01T00:00:00Z", "RESTORE_SUCCESS"),
        record(206, 1, 2006, "2024-08-01T00:00:00Z", "RESTORE_WAIT_LS", progress="5%"),
        record(207, 1, 2007, "2024-08-01T00:00:00Z", "RESTORE_SUCCESS"),
        # Tenant 2008 has no restore at all.
        record(209, 1, 2009, "2024-08-01T00:00:00Z", "RESTORE_WAIT_LS"),
    ],
    # The first five reads of tenant 2007 get 503: the whole first poll fails, the second one recovers.
    # Tenant 2009's reads hang far longer than the wait.
    "faults": [{"match": "/tenants/2007/", "count": 5, "status": 503, "error": "Service Unavailable", "headers": {"Retry-After": "0"}},
               {"match": "/tenants/2009/", "count": 0, "kind": "slow", "delay": 8}],
}
FAIL_TEXT = 'BACKUP : OB_BACKUP_FILE_NOT_EXIST(-9011) on "10.0.0.2:2882"'


def test_wait(ansible, ocp_sim):
    """Nine waits at once: finishes, fails, appears late, times out, never appears, rides out a failing poll,
    gives up on a hanging server at the deadline, and two single checks (wait_timeout 0)."""
    sim = ocp_sim(WAIT_SCENARIO)
    spy = Spy(sim)
    path = dict((tenant_id, TENANT_PATH % (1, tenant_id)) for tenant_id in range(2001, 2010))
    started_after = iso_utc(datetime.now(timezone.utc) - timedelta(minutes=1))

    def waiting(timeout=30):
        return {"wait": True, "wait_sleep": 1, "wait_timeout": timeout}

    cases = {
        "finishes": {**basic(sim, cluster_id=1, tenant_id=2001, task_id=201), **waiting()},
        "fails": {**basic(sim, cluster_id=1, tenant_id=2002, task_id=202), **waiting()},
        "appears_late": {**aksk(sim, cluster_id=1, tenant_id=2003, restore_tenant_name="late_copy", latest=True,
                                started_after=started_after), **waiting()},
        "times_out": {**basic(sim, cluster_id=1, tenant_id=2004, task_id=204), **waiting(3)},
        "single_check_done": {**basic(sim, cluster_id=1, tenant_id=2005, task_id=205), **waiting(0)},
        "single_check_running": {**basic(sim, cluster_id=1, tenant_id=2006, task_id=206), **waiting(0)},
        "survives_a_failing_poll": {**basic(sim, cluster_id=1, tenant_id=2007, task_id=207), **waiting()},
        "never_appears": {**aksk(sim, cluster_id=1, tenant_id=2008, task_id=208), **waiting(2)},
        "server_hangs": {**basic(sim, cluster_id=1, tenant_id=2009, task_id=209), **waiting(2)},
    }

    def add_late_task():
        now = sim.clock.elapsed()
        sim.add_task({"id": 213, "cluster_id": 1, "tenant_id": 2003, "appear_at": now + 0.5,
                      "fields": {"restoreTenantName": "late_copy"},
                      "timeline": [{"at": 0, "status": "RESTORE_CREATE_TENANT", "progress": "0%"},
                                   {"at": now + 2.5, "status": "RESTORE_SUCCESS", "progress": "100%"}]})

    driver = Driver(sim)
    driver.after(path[2001], 2, lambda: sim.set_status(201, "RESTORE_SUCCESS", progress="100%"))
    driver.after(path[2002], 1, lambda: sim.set_status(202, "RESTORE_FAIL", errorMsg=FAIL_TEXT))
    driver.after(path[2003], 2, add_late_task)
    driver.start()
    try:
        run = ansible.run(playbook=parallel_playbook(cases), env={"ANSIBLE_FORKS": "10"})
    finally:
        driver.stop()
    assert_clean(run)
    results = by_host(run)
    assert sorted(results) == sorted(cases), run

    item = results["finishes"]
    result = item["result"]
    assert item["status"] == "ok", result
    assert result["restore_task"]["phase"] == "COMPLETED" and result["restore_task"]["status"] == "RESTORE_SUCCESS"
    assert result["restore_task"]["progress"] == "100%" and result["restore_task"]["finished"] is True
    assert ids(result["restore_tasks"]) == [201]
    assert result["polls"] >= 3 and result["polls"] == len(spy.to(path[2001]))
    assert 1.5 <= result["elapsed"] < 15 and result["timed_out"] is False

    item = results["fails"]
    result = item["result"]
    assert item["status"] == "ok", result  # a failed restore is an answer, not a module failure
    assert result["restore_task"]["phase"] == "FAILED" and result["restore_task"]["status"] == "RESTORE_FAIL"
    assert result["restore_task"]["errorMsg"] == FAIL_TEXT and result["restore_task"]["successful"] is False
    assert result["polls"] >= 2 and result["timed_out"] is False

    item = results["appears_late"]
    result = item["result"]
    assert item["status"] == "ok", result
    assert result["restore_task"]["id"] == 213 and result["restore_task"]["phase"] == "COMPLETED"
    assert ids(result["restore_tasks"]) == [213]
    polled = spy.to(path[2003])
    assert result["polls"] == len(polled) >= 3
    # The first polls saw only the previous attempt (filtered out by started_after), then the new task.
    seen = [ids(entry["envelope"]["data"]["contents"]) for entry in polled]
    assert seen[0] == [203] and seen[1] == [203], seen
    assert seen[-1] == [213, 203], seen
    assert all(AKSK_HEADER.match(entry["auth"]) for entry in polled)

    item = results["times_out"]
    result = item["result"]
    assert item["status"] == "failed", result
    assert result["timed_out"] is True
    assert "3 seconds" in result["msg"] and "RESTORE_WAIT_LS" in result["msg"] and "42%" in result["msg"], result["msg"]
    assert re.search(r"[Tt]imed out", result["msg"]), result["msg"]
    assert result["restore_task"]["id"] == 204 and result["restore_task"]["status"] == "RESTORE_WAIT_LS"
    assert result["restore_task"]["progress"] == "42%" and result["restore_task"]["phase"] == "RUNNING"
    assert ids(result["restore_tasks"]) == [204]
    assert 2.5 <= result["elapsed"] <= 8 and 2 <= result["polls"] <= 5
    assert result["polls"] == len(spy.to(path[2004]))

    item = results["single_check_done"]
    result = item["result"]
    assert item["status"] == "ok", result
    assert result["restore_task"]["phase"] == "COMPLETED" and result["polls"] == 1 and result["timed_out"] is False
    assert len(spy.to(path[2005])) == 1

    item = results["single_check_running"]
    result = item["result"]
    assert item["status"] == "failed", result
    assert result["timed_out"] is True and result["polls"] == 1
    assert result["restore_task"]["status"] == "RESTORE_WAIT_LS" and "5%" in result["msg"] and "0 seconds" in result["msg"], result
    assert len(spy.to(path[2006])) == 1

    item = results["survives_a_failing_poll"]
    result = item["result"]
    assert item["status"] == "ok", result
    assert result["restore_task"]["phase"] == "COMPLETED" and result["polls"] == 2 and result["retries"] >= 4
    assert [entry["status"] for entry in spy.to(path[2007])] == [503] * 5 + [200]

    item = results["never_appears"]
    result = item["result"]
    assert item["status"] == "failed", result
    assert result["timed_out"] is True and result["restore_task"] is None and result["restore_tasks"] == []
    assert "2 seconds" in result["msg"] and "no matching task" in result["msg"], result["msg"]
    assert result["polls"] == len(spy.to(path[2008])) >= 2

    item = results["server_hangs"]
    result = item["result"]
    assert item["status"] == "failed", result
    assert result["timed_out"] is True and result["restore_task"] is None
    assert "2 seconds" in result["msg"] and "did not answer" in result["msg"], result["msg"]
    assert result["elapsed"] < 5, result  # the 30 s per-request timeout is cut to the time left


# --- server-side errors ----------------------------------------------------------------------------
ERROR_SCENARIO = {
    "auth": AUTH,
    "clusters": [{"id": 1, "name": "obcluster",
                  "tenants": [{"id": tenant_id, "name": "tenant_%d" % tenant_id} for tenant_id in range(3001, 3010)]}],
    "tasks": [record(tenant_id - 3000, 1, tenant_id, "2024-08-01T00:00:00Z", "RESTORE_SUCCESS") for tenant_id in range(3001, 3010)],
}
NO_DELAY = {"Retry-After": "0"}


def test_server_errors(ansible, ocp_sim):
    """Each error answer gives a clear failure: HTTP status, OCP's message and traceId, and the error dict."""
    sim = ocp_sim(dict(ERROR_SCENARIO, faults=[
        {"match": "/tenants/3001/", "count": 0, "status": 429, "error": "Excessive number of requests. Please try again later.",
         "headers": {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"}},
        {"match": "/tenants/3002/", "count": 0, "status": 500, "error": "Unexpected error: simulated database failure",
         "headers": NO_DELAY},
        {"match": "/tenants/3003/", "count": 0, "kind": "html", "status": 502, "headers": NO_DELAY},
        {"match": "/tenants/3004/", "count": 0, "kind": "truncate"},
        {"match": "/tenants/3005/", "count": 0, "kind": "invalid_json", "headers": NO_DELAY},
        {"match": "/tenants/3006/", "count": 1, "status": 503, "error": "Service Unavailable", "headers": NO_DELAY},
        {"match": "/tenants/3007/", "count": 1, "kind": "reset"},
        {"match": "/tenants/3008/", "count": 1, "kind": "slow", "delay": 2.5},
    ]))
    forbidden = ocp_sim(dict(ERROR_SCENARIO, options={"forbidden": True}))
    not_found = ocp_sim(dict(ERROR_SCENARIO, options={"unknown_id_status": 404, "error_code_style": "string"}))
    throttled = ocp_sim(dict(ERROR_SCENARIO, options={"rate_limit": {"limit": 0, "window": 1}}))
    skewed = ocp_sim(ERROR_SCENARIO)
    skewed.clock.skew = 20 * 60  # OCP's clock is 20 minutes ahead: AK/SK dates are out of its 15-minute window
    spies = {"main": Spy(sim), "forbidden": Spy(forbidden), "not_found": Spy(not_found), "throttled": Spy(throttled), "skewed": Spy(skewed)}
    cases = {
        "wrong_password": dict(basic(sim, cluster_id=1), password="wrong-password"),
        "bad_secret": dict(aksk(sim, cluster_id=1), access_key_secret="not-the-secret"),
        "clock_skew": aksk(skewed, cluster_id=1),
        "wait_wrong_password": dict(basic(sim, cluster_id=1, tenant_id=3009, task_id=9, wait=True, wait_sleep=1, wait_timeout=30),
                                    password="wrong-password"),
        "forbidden": basic(forbidden, cluster_id=1),
        "unknown_cluster": aksk(sim, cluster_id=99),
        "unknown_tenant": basic(sim, cluster_id=1, tenant_id=9999),
        "unknown_cluster_404": basic(not_found, cluster_id=99),
        "unknown_tenant_404": basic(not_found, cluster_id=1, tenant_id=9999),
        "rate_limited": basic(sim, cluster_id=1, tenant_id=3001),
        "rate_limited_by_ocp": basic(throttled, cluster_id=1),
        "server_error": basic(sim, cluster_id=1, tenant_id=3002),
        "html_page": basic(sim, cluster_id=1, tenant_id=3003),
        "truncated": basic(sim, cluster_id=1, tenant_id=3004),
        "invalid_json": basic(sim, cluster_id=1, tenant_id=3005),
        "one_503_then_ok": basic(sim, cluster_id=1, tenant_id=3006),
        "one_reset_then_ok": basic(sim, cluster_id=1, tenant_id=3007),
        "one_slow_answer_then_ok": basic(sim, cluster_id=1, tenant_id=3008, timeout=1),
    }
    # -vvv: even then no traceback, and no secret in the output.
    run = ansible.run(playbook=parallel_playbook(cases), env={"ANSIBLE_FORKS": str(len(cases))}, verbosity=3)
    assert_clean(run)
    module_output = run.stdout.split("PLAY [Run]", 1)[-1]  # the first play shows the case variables
    for secret in (PASSWORD, SK, "wrong-password", "not-the-secret"):
        assert secret not in module_output and secret not in run.stderr, secret
    results = by_host(run)
    assert sorted(results) == sorted(cases), run

    def last(spy, path, auth_prefix=""):
        entries = [entry for entry in spies[spy].to(path) if entry["auth"].startswith(auth_prefix)]
        assert entries, (spy, path)
        return entries[-1]

    # case -> (simulator, path, Authorization prefix, HTTP status, code, words of OCP's message)
    expected = {
        "wrong_password": ("main", CLUSTER_PATH % 1, "Basic", 401, None, "Bad credentials"),
        "bad_secret": ("main", CLUSTER_PATH % 1, "OCP-ACCESS-KEY", 401, None, "signature mismatch"),
        "clock_skew": ("skewed", CLUSTER_PATH % 1, "", 401, None, "request date expired"),
        "wait_wrong_password": ("main", TENANT_PATH % (1, 3009), "", 401, None, "Bad credentials"),
        "forbidden": ("forbidden", CLUSTER_PATH % 1, "", 403, 3100, "No permission to perform this operation."),
        "unknown_cluster": ("main", CLUSTER_PATH % 99, "", 400, 11001, "The specified cluster with the ID of 99 does not exist."),
        "unknown_tenant": ("main", TENANT_PATH % (1, 9999), "", 400, 15023, "The tenant with the ID of 9999 does not exist."),
        "unknown_cluster_404": ("not_found", CLUSTER_PATH % 99, "", 404, "OBE11001", "The specified cluster with the ID of 99 does not exist."),
        "unknown_tenant_404": ("not_found", TENANT_PATH % (1, 9999), "", 404, "OBE21003", "The tenant with the ID of 9999 does not exist."),
        "rate_limited": ("main", TENANT_PATH % (1, 3001), "", 429, None, "Excessive number of requests. Please try again later."),
        "server_error": ("main", TENANT_PATH % (1, 3002), "", 500, None, "Unexpected error: simulated database failure"),
        # OCP's own throttle answers with an empty traceId.
        "rate_limited_by_ocp": ("throttled", CLUSTER_PATH % 1, "", 429, None, "Excessive number of requests. Please try again later."),
    }
    problems = []
    for name, (spy, path, auth_prefix, status, code, api_message) in expected.items():
        item = results[name]
        result = item["result"]
        msg = result.get("msg", "")
        entry = last(spy, path, auth_prefix)
        trace_id = Spy.trace_id(entry)
        if item["status"] != "failed":
            problems.append("%s: expected a failure, got %s" % (name, item["status"]))
            continue
        assert entry["status"] == status, (name, entry)
        for word in ("HTTP %d" % status, api_message, trace_id):
            if word and word not in msg:
                problems.append("%s: %r missing from the message %r" % (name, word, msg))
        if code is not None and str(code) not in msg:
            problems.append("%s: code %s missing from the message %r" % (name, code, msg))
        error = result.get("error") or {}
        wanted = {"kind": "http", "status": status, "code": code, "message": api_message, "trace_id": trace_id or None,
                  "method": "GET", "path": path}
        if error != wanted:
            problems.append("%s: error %r, expected %r" % (name, error, wanted))
        if result.get("restore_tasks") != []:
            problems.append("%s: restore_tasks %r, expected []" % (name, result.get("restore_tasks")))
    assert not problems, "\n".join(problems)

    # Hints for the common causes.
    assert "check username/password" in results["wrong_password"]["result"]["msg"]
    assert "15 minutes" in results["bad_secret"]["result"]["msg"]
    assert "permission" in results["forbidden"]["result"]["msg"]
    assert "no OCP cluster with this cluster_id" in results["unknown_cluster"]["result"]["msg"]
    assert "no OCP tenant with this tenant_id" in results["unknown_tenant_404"]["result"]["msg"]
    # Transient errors were retried before the module gave up.
    assert len(spies["main"].to(TENANT_PATH % (1, 3001))) == 4 and results["rate_limited"]["result"]["retries"] == 3
    assert len(spies["main"].to(TENANT_PATH % (1, 3002))) == 4 and results["server_error"]["result"]["retries"] == 3
    assert "15 minutes" in results["clock_skew"]["result"]["msg"]
    # Waiting does not hide a final error: one request, then the failure, with the wait's selection still null.
    assert len(spies["main"].to(TENANT_PATH % (1, 3009))) == 1 and results["wait_wrong_password"]["result"]["restore_task"] is None
    assert len(spies["throttled"].to(CLUSTER_PATH % 1)) == 4
    assert "traceId" not in results["rate_limited_by_ocp"]["result"]["msg"]
    assert len(spies["main"].to(CLUSTER_PATH % 99)) == 1  # a 400 is final

    result = results["html_page"]["result"]
    assert results["html_page"]["status"] == "failed", result
    assert "HTTP 502" in result["msg"] and "not JSON" in result["msg"] and "502 Bad Gateway" in result["msg"], result["msg"]
    assert result["error"]["status"] == 502 and result["error"]["path"] == TENANT_PATH % (1, 3003)

    result = results["truncated"]["result"]
    assert results["truncated"]["status"] == "failed", result
    assert "cut off" in result["msg"] and TENANT_PATH % (1, 3004) in result["msg"], result["msg"]
    assert result["error"]["kind"] == "protocol" and result["error"]["status"] == 200

    result = results["invalid_json"]["result"]
    assert results["invalid_json"]["status"] == "failed", result
    assert "not JSON" in result["msg"] and "HTTP 200" in result["msg"], result["msg"]
    assert result["error"]["kind"] == "protocol" and result["error"]["status"] == 200

    result = results["one_503_then_ok"]["result"]
    assert results["one_503_then_ok"]["status"] == "ok", result
    assert result["retries"] == 1 and ids(result["restore_tasks"]) == [6]
    for name, task_id in (("one_reset_then_ok", 7), ("one_slow_answer_then_ok", 8)):
        result = results[name]["result"]
        assert results[name]["status"] == "ok", result
        assert result["retries"] >= 1 and ids(result["restore_tasks"]) == [task_id], result

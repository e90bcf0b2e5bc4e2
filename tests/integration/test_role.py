# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The wait_for_restore role end to end: real ansible-playbook (and ansible-runner) runs against the
OCP and obshell simulators, for every outcome of the role's contract (SPEC.md, "Role").

Timelines are short (poll 1 s, report 2-4 s, restores of a few seconds) and every scenario's clock
starts at the first request the role sends, so they do not depend on how long ansible-playbook
takes to start. Timing assertions leave slack for a busy machine, but each one still fails when
the behaviour it checks is missing.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import re
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import BIN, INSTALLED

OCP_USER, OCP_PASSWORD = "admin", "admin-password"
OCP_AK, OCP_SK = "AKIDEXAMPLE", "secret-key"
ROOT_PASSWORD = "root-password"
TENANT = "restored_tenant"

# "Restore progress: phase RUNNING, status RESTORE_WAIT_LS, progress 40%, elapsed 4s"
PROGRESS_LINE = re.compile(r"^Restore progress: (?P<text>.*?),? elapsed (?P<elapsed>\d+)s$", re.MULTILINE)
# Slack, in seconds, for timing on a shared, noisy machine.
SLACK = 2.0

APIS = ("ocp", "obshell")


# --- scenarios ---------------------------------------------------------------------------------
def ocp_scenario(timeline=None, tasks=None, **task_options):
    """Cluster 1 (tenant 1001 = restored_tenant) and, unless ``tasks`` is given, task 11 with ``timeline``."""
    if tasks is None:
        task = {"id": 11, "cluster_id": 1, "tenant_id": 1001,
                "fields": {"restoreTenantName": TENANT, "backupTenantName": "sales"}, "timeline": timeline}
        task.update(task_options)
        tasks = [task]
    return {
        "auth": {"users": {OCP_USER: OCP_PASSWORD}, "access_keys": {OCP_AK: OCP_SK}},
        "clusters": [{"id": 1, "name": "obcluster", "obClusterId": 1001,
                      "tenants": [{"id": 1001, "name": TENANT}, {"id": 1002, "name": "sales"}]}],
        "tasks": tasks,
    }


def obshell_scenario(restore, visible_at=0, fields=None):
    """An agent with root@sys password root-password and tenant restored_tenant restored along ``restore``."""
    tenant = {"name": TENANT, "visible_at": visible_at, "fields": dict(fields or {}), "restore": restore}
    return {"agent": {"root_password": ROOT_PASSWORD, "utc_offset": "+08:00"}, "tenants": [tenant]}


def running_then(end, at, **end_fields):
    """A restore timeline per API that runs, then ends with ``end`` (ocp status) at scenario second ``at``."""
    return {
        "ocp": [{"at": 0, "status": "RESTORE_CREATE_TENANT", "progress": "0%"},
                {"at": at / 2, "status": "RESTORE_WAIT_LS", "progress": "40%"},
                dict({"at": at, "status": end}, **end_fields)],
        "obshell": [{"at": 0, "status": "CREATE_TENANT", "restore_progress": "0.00", "recover_progress": "0.00"},
                    {"at": at / 2, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "40.00"}],
    }


def obshell_success(at):
    return running_then(None, at)["obshell"] + [
        {"at": at, "status": "RESTORE_SUCCESS", "restore_progress": "100.00", "recover_progress": "100.00"},
        {"at": at + 0.5, "status": "SUCCESS", "finish_ls_count": 2}]


def completing_scenario(api, at):
    if api == "ocp":
        return ocp_scenario(running_then("RESTORE_SUCCESS", at, progress="100%")["ocp"])
    return obshell_scenario(obshell_success(at))


# --- simulators ----------------------------------------------------------------------------------
def start_sim(api, scenario, ocp_sim, obshell_sim):
    """Start a simulator whose clock starts at the first request, and which also notes each
    request's client address (one TCP connection per address)."""
    sim = ocp_sim(scenario) if api == "ocp" else obshell_sim(scenario)
    sim.client_addresses = []
    first = threading.Event()
    app, record = sim.app, sim.record

    def app_from_first_request(request):
        if not first.is_set():
            with sim.lock:
                if not first.is_set():
                    sim.clock.reset()
                    first.set()
        return app(request)

    def record_with_client(request, response, fault):
        with sim.lock:  # reentrant: the log and the addresses stay in step
            sim.client_addresses.append(tuple(request.client))
            record(request, response, fault)

    sim.app = app_from_first_request
    sim.record = record_with_client
    return sim


def restore_reads(api, sim):
    """Requests that read the restore state (one per poll: each answer here is a single page)."""
    return sim.requests_to(r"/restoreTasks" if api == "ocp" else r"/restore/overview")


def module_runs_seen(api, sim):
    """Module processes as the simulator saw them: obshell sends one GET /api/v1/info per module run;
    an OCP module keeps one keep-alive connection, so one TCP connection per module run."""
    if api == "obshell":
        return len(sim.requests_to(r"^/api/v1/info$"))
    return len(set(sim.client_addresses))


# --- playbooks -----------------------------------------------------------------------------------
def connection_vars(api, sim):
    if api == "ocp":
        return {"wait_for_restore_url": sim.url, "wait_for_restore_username": OCP_USER,
                "wait_for_restore_password": OCP_PASSWORD}
    return {"wait_for_restore_url": sim.url, "wait_for_restore_password": ROOT_PASSWORD}


def role_vars(api, sim=None, poll=1, report=2, timeout=60, **extra):
    """Role variables: selection of the demo restore, short intervals, connection when ``sim`` is given."""
    values = {"wait_for_restore_api": api, "wait_for_restore_poll_interval": poll,
              "wait_for_restore_report_interval": report, "wait_for_restore_timeout": timeout}
    if api == "ocp":
        values.update(wait_for_restore_cluster_id=1, wait_for_restore_task_id=11)
    else:
        values.update(wait_for_restore_tenant_name=TENANT)
    if sim is not None:
        values.update(connection_vars(api, sim))
    values.update(extra)
    return {key: value for key, value in values.items() if value is not None}


def role_playbook(variables, module_defaults=None, environment=None):
    """A play that runs the role and then shows wait_for_restore_result (task "Capture the outcome"),
    also when the role failed; the play still fails then, with the role's message."""
    capture = {"name": "Capture the outcome", "ansible.builtin.debug": {"var": "wait_for_restore_result"}}
    play = {
        "name": "Wait for a restore",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "Wait with the role", "block": [
                {"name": "Run the role", "ansible.builtin.include_role": {"name": "oceanbase.ops.wait_for_restore"},
                 "vars": variables}],
             "rescue": [capture, {"name": "Fail with the role's message",
                                  "ansible.builtin.fail": {"msg": "{{ ansible_failed_result.msg }}"}}]},
            capture,
        ],
    }
    if module_defaults:
        play["module_defaults"] = module_defaults
    if environment:
        play["environment"] = environment
    return json.dumps([play], indent=2)  # JSON is YAML


class Outcome:
    """One role run: the playbook run, its wall time, the fact, the progress lines and the failure message."""

    def __init__(self, run, wall):
        self.run = run
        self.wall = wall
        self.result = run.task("Capture the outcome")["result"]["wait_for_restore_result"]
        self.lines = [(match.group("text"), int(match.group("elapsed"))) for match in PROGRESS_LINE.finditer(run.stdout)]
        failures = [record for record in run.results if record["task"] == "Fail unless the restore completed"
                    and record["status"] == "failed"]
        self.failure = failures[-1]["result"]["msg"] if failures else None

    def __repr__(self):
        return repr(self.run)


def run_role(ansible, variables, module_defaults=None, env=None, environment=None):
    started = time.monotonic()
    run = ansible.run(playbook=role_playbook(variables, module_defaults, environment), env=env)
    return Outcome(run, time.monotonic() - started)


def assert_about_every(times, report, what):
    """Events ``times`` (seconds) come about every ``report`` seconds: the typical (median) gap is one
    interval, and no gap is much longer, however busy the machine."""
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert gaps, (what, times)
    assert report - 1 <= statistics.median(gaps) <= report + 1, (what, times)
    assert max(gaps) <= 2 * report + SLACK, (what, times)
    return gaps


def assert_progress_lines(outcome, report):
    """A progress line at least every report interval: the first one within about one interval of
    the start, then about one per interval (the lines show whole seconds)."""
    times = [elapsed for _text, elapsed in outcome.lines]
    assert times, outcome
    assert times[0] <= report + 1 + SLACK, (times, outcome)
    if len(times) > 2:
        # The last line comes when the restore finished, possibly sooner than a whole interval.
        assert_about_every(times[:-1], report, "progress lines")


# --- outcomes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("api", APIS)
def test_completed_sets_the_result(api, ansible, ocp_sim, obshell_sim):
    sim = start_sim(api, completing_scenario(api, at=3), ocp_sim, obshell_sim)
    # Connection details from role variables; they win over module_defaults, which point nowhere here.
    module_defaults = {"group/oceanbase.ops.%s" % api: {"url": "http://127.0.0.1:9", "password": "wrong-password"}}
    outcome = run_role(ansible, role_vars(api, sim), module_defaults=module_defaults)

    assert outcome.run.rc == 0, outcome
    result = outcome.result
    assert result["phase"] == "COMPLETED"
    assert result["outcome"] == "completed"
    if api == "ocp":
        assert result["status"] == "RESTORE_SUCCESS"
        assert result["record"]["id"] == 11 and result["record"]["phase"] == "COMPLETED"
    else:
        assert result["status"] in ("RESTORE_SUCCESS", "SUCCESS")
        assert result["record"]["restore_tenant_name"] == TENANT and result["record"]["phase"] == "COMPLETED"
    # Seconds, about the restore's duration (the bound is loose: module runs are slow on a busy machine).
    assert isinstance(result["elapsed"], (int, float)) and 2.5 <= result["elapsed"] <= 20, result
    assert isinstance(result["polls"], int) and result["polls"] == len(restore_reads(api, sim)) >= 3, result
    assert "Restore completed (status %s)" % result["status"] in outcome.run.stdout
    texts = [text for text, _elapsed in outcome.lines]
    assert any("phase RUNNING" in text for text in texts), outcome
    assert "phase COMPLETED" in texts[-1], outcome
    assert outcome.failure is None


FAILURE_TEXT = {"ocp": 'CLOG : OB_ENTRY_NOT_EXIST(-4018) on "10.0.0.1:2882" with traceid Y0-2',
                "obshell": "restore failed: OB_BACKUP_FILE_NOT_EXIST(-9011)"}


@pytest.mark.parametrize("api", APIS)
def test_failed_restore_fails_with_the_failure_text(api, ansible, ocp_sim, obshell_sim):
    if api == "ocp":
        scenario = ocp_scenario(running_then("RESTORE_FAIL", 3, errorMsg=FAILURE_TEXT["ocp"])["ocp"])
    else:
        # The running view says RESTORE_FAIL (no reason) for a while; then the history row carries the comment.
        scenario = obshell_scenario(running_then(None, 3)["obshell"] + [
            {"at": 3, "status": "RESTORE_FAIL"},
            {"at": 5.5, "status": "FAIL", "comment": FAILURE_TEXT["obshell"]}])
    sim = start_sim(api, scenario, ocp_sim, obshell_sim)
    outcome = run_role(ansible, role_vars(api, sim))

    assert outcome.run.rc != 0, outcome
    assert outcome.result["outcome"] == "failed" and outcome.result["phase"] == "FAILED", outcome.result
    status = outcome.result["status"]
    assert status == ("RESTORE_FAIL" if api == "ocp" else "FAIL"), outcome.result
    assert outcome.failure is not None, outcome
    assert "FAILED" in outcome.failure and status in outcome.failure and FAILURE_TEXT[api] in outcome.failure
    assert "Timed out" not in outcome.failure
    assert FAILURE_TEXT[api] in outcome.run.stdout
    if api == "obshell":
        assert "status RESTORE_FAIL" in outcome.run.stdout, outcome  # seen, and not reported without its reason
    assert outcome.result["elapsed"] <= 20, outcome.result  # it stopped at the failure, long before the timeout (60 s)


def test_canceled_ocp_restore_fails_with_the_status(ansible, ocp_sim):
    reason = "restore task canceled by user admin"
    sim = start_sim("ocp", ocp_scenario(running_then("RESTORE_CANCELED", 3, errorMsg=reason)["ocp"]), ocp_sim, None)
    outcome = run_role(ansible, role_vars("ocp", sim))

    assert outcome.run.rc != 0, outcome
    assert outcome.result["outcome"] == "canceled" and outcome.result["phase"] == "CANCELED", outcome.result
    assert "CANCELED" in outcome.failure and "RESTORE_CANCELED" in outcome.failure and reason in outcome.failure
    assert "Timed out" not in outcome.failure


@pytest.mark.parametrize("api", APIS)
def test_timeout_fails_with_a_distinct_message(api, ansible, ocp_sim, obshell_sim):
    timeout = 6
    if api == "ocp":
        # Tenant scope: the records carry "progress".
        scenario = ocp_scenario([{"at": 0, "status": "RESTORE_CREATE_TENANT", "progress": "0%"},
                                 {"at": 1, "status": "RESTORE_WAIT_LS", "progress": "45%"}])
        variables = role_vars(api, sim=None, timeout=timeout, wait_for_restore_tenant_id=1001)
        status, progress = "RESTORE_WAIT_LS", "45%"
    else:
        scenario = obshell_scenario([{"at": 0, "status": "CREATE_TENANT", "restore_progress": "0.00"},
                                     {"at": 1, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "45.50"}])
        variables = role_vars(api, sim=None, timeout=timeout)
        status, progress = "WAIT_TENANT_RESTORE_FINISH", "45.50"
    sim = start_sim(api, scenario, ocp_sim, obshell_sim)
    variables.update(connection_vars(api, sim))
    outcome = run_role(ansible, variables)

    assert outcome.run.rc != 0, outcome
    assert outcome.result["outcome"] == "timed_out", outcome.result
    assert outcome.result["status"] == status and outcome.result["phase"] == "RUNNING", outcome.result
    message = outcome.failure
    assert message is not None and message.startswith("Timed out after "), outcome
    waited = int(re.match(r"Timed out after (\d+) seconds", message).group(1))
    assert timeout <= waited <= timeout + 5, message
    assert "last status %s" % status in message and progress in message, message
    assert "FAILED" not in message
    # It waited the whole timeout, and not much more.
    assert timeout <= outcome.result["elapsed"] <= timeout + 5, outcome.result
    assert outcome.wall >= timeout
    assert_progress_lines(outcome, 2)


def test_error_is_neither_a_failed_restore_nor_a_timeout(ansible, ocp_sim):
    sim = start_sim("ocp", completing_scenario("ocp", at=3), ocp_sim, None)
    outcome = run_role(ansible, role_vars("ocp", sim, wait_for_restore_password="wrong-password"))

    assert outcome.run.rc != 0, outcome
    assert outcome.result["outcome"] == "error", outcome.result
    assert "Bad credentials" in outcome.failure and "Timed out" not in outcome.failure, outcome.failure
    assert outcome.result["elapsed"] < 10  # it did not wait for anything


@pytest.mark.parametrize("api", APIS)
def test_waits_while_the_restore_does_not_exist_yet(api, ansible, ocp_sim, obshell_sim):
    if api == "ocp":
        # Follow the newest task restoring into the tenant: none for 3 s.
        scenario = ocp_scenario(running_then("RESTORE_SUCCESS", 5)["ocp"], appear_at=3)
        variables = role_vars(api, wait_for_restore_task_id=None, wait_for_restore_tenant_name=TENANT)
        absent = ["no matching task yet"]
    else:
        # The tenant row appears at 2 s (400 OB.Tenant.NotExist before), its restore job at 3.5 s (404 before).
        restore = [dict(entry, at=entry["at"] + 3.5) for entry in obshell_success(1.5)]
        scenario = obshell_scenario(restore, visible_at=2)
        variables = role_vars(api)
        absent = ["tenant not visible yet", "no restore yet"]
    sim = start_sim(api, scenario, ocp_sim, obshell_sim)
    variables.update(connection_vars(api, sim))
    outcome = run_role(ansible, variables)

    assert outcome.run.rc == 0, outcome
    assert outcome.result["phase"] == "COMPLETED", outcome.result
    pending = [text for text, _elapsed in outcome.lines if text.startswith("phase PENDING")]
    assert pending and any(reason in pending[0] for reason in absent), outcome
    assert outcome.result["elapsed"] >= 4, outcome.result
    if api == "ocp":
        assert outcome.result["record"]["id"] == 11


def module_files(remote_tmp):
    """The module payloads ansible-core wrote (kept with ANSIBLE_KEEP_REMOTE_FILES; the task's runs share one
    file, written again for each module process)."""
    return sorted(remote_tmp.rglob("AnsiballZ_*.py"))


@pytest.mark.parametrize("in_process", [True, False], ids=["in-process", "module-processes"])
@pytest.mark.parametrize("api", APIS)
def test_progress_every_report_interval_and_one_module_run_per_interval(
        api, in_process, ansible, ocp_sim, obshell_sim, tmp_path):
    report, poll, finish = 4, 1, 12
    if api == "ocp":
        scenario = ocp_scenario([{"at": 0, "status": "RESTORE_CREATE_TENANT", "progress": "0%"},
                                 {"at": 2, "status": "RESTORE_WAIT_LS", "progress": "30%"},
                                 {"at": 5, "status": "RESTORE_WAIT_LS", "progress": "50%"},
                                 {"at": 9, "status": "RESTORE_WAIT_LS", "progress": "80%"},
                                 {"at": finish, "status": "RESTORE_SUCCESS", "progress": "100%"}])
    else:
        scenario = obshell_scenario(obshell_success(finish))
    sim = start_sim(api, scenario, ocp_sim, obshell_sim)
    remote_tmp = tmp_path / "remote-tmp"
    outcome = run_role(ansible, role_vars(api, sim, poll=poll, report=report, wait_for_restore_in_process=in_process),
                       env={"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote_tmp)})

    assert outcome.run.rc == 0, outcome
    result = outcome.result
    elapsed = result["elapsed"]
    assert finish - 1 <= elapsed <= finish + SLACK + report, result

    # Where the runs happened: in the task's process (no module payload written at all), or in module
    # processes (each run is counted at the simulator below either way: a new client per run).
    assert result["in_process"] is in_process, result
    assert bool(module_files(remote_tmp)) is not in_process, module_files(remote_tmp)

    # Progress lines: at least one per report interval, and as many as module runs.
    assert_progress_lines(outcome, report)
    expected = math.ceil(elapsed / report)
    assert expected - 1 <= len(outcome.lines) <= expected + 1, (expected, outcome.lines)

    # Module processes, counted at the simulator: about one per report interval, not one per poll.
    runs = module_runs_seen(api, sim)
    polls = len(restore_reads(api, sim))
    assert runs == result["module_runs"] == len(outcome.lines), (runs, result, outcome.lines)
    assert expected - 1 <= runs <= expected + 1, (runs, expected, elapsed)
    assert polls == result["polls"], (polls, result)
    assert runs < polls, (runs, polls)  # the module waited and polled inside its runs

    # Module runs start about one report interval apart, never much closer (the first request of a run
    # comes after the module's start-up, which varies, the first run's most) and never much further.
    if api == "obshell":
        starts = [entry["time"] for entry in sim.requests_to(r"^/api/v1/info$")]
    else:
        first_seen = {}
        for address, entry in zip(sim.client_addresses, sim.log):
            first_seen.setdefault(address, entry["time"])
        starts = sorted(first_seen.values())
    gaps = assert_about_every(starts, report, "module runs")
    assert min(gaps) >= report - SLACK, (gaps, starts)


def test_simulator_counts_every_tcp_connection(ocp_sim):
    """The OCP process count relies on telling TCP connections apart. ``sim.connections`` holds
    ``id()`` of each connection's socket object, and CPython reuses the id of a closed, freed socket
    for the next one: sequential keep-alive connections (one per module process) are under-counted.
    tests/simulator/common.py should number connections instead (e.g. itertools.count in setup())."""
    sim = ocp_sim(ocp_scenario(running_then("RESTORE_SUCCESS", 3)["ocp"]))
    credentials = base64.b64encode(("%s:%s" % (OCP_USER, OCP_PASSWORD)).encode()).decode()
    connections = 5
    idle_threads = threading.active_count()
    for _dummy in range(connections):
        client = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
        for _again in range(2):  # keep-alive: two requests on the one connection
            client.request("GET", "/api/v2/ob/clusters/1/backup/task/restoreTasks?page=1&size=10",
                           headers={"Authorization": "Basic " + credentials})
            client.getresponse().read()
        client.close()
        # As after a module exit: the server's handler thread sees the close, ends, and drops its socket.
        deadline = time.monotonic() + 10
        while threading.active_count() > idle_threads and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len(sim.log) == 2 * connections
    assert len(sim.connections) == connections, "sim.connections: %d distinct ids for %d connections" % (
        len(sim.connections), connections)


# --- connection details ------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["module_defaults", "environment", "environment keyword"])
@pytest.mark.parametrize("api", APIS)
def test_connection_details_from_module_defaults_or_environment(api, source, ansible, ocp_sim, obshell_sim):
    sim = start_sim(api, completing_scenario(api, at=1.5), ocp_sim, obshell_sim)
    variables = role_vars(api)  # no wait_for_restore_url, no credentials
    module_defaults = env = environment = None
    if source == "module_defaults":
        if api == "ocp":
            module_defaults = {"group/oceanbase.ops.ocp": {"url": sim.url, "username": OCP_USER, "password": OCP_PASSWORD}}
        else:
            module_defaults = {"group/oceanbase.ops.obshell": {"url": sim.url, "password": ROOT_PASSWORD}}
    elif api == "ocp":
        # As an AWX credential injects them; AK/SK signing this time.
        env = {"OCEANBASE_OCP_URL": sim.url, "OCEANBASE_OCP_ACCESS_KEY_ID": OCP_AK, "OCEANBASE_OCP_ACCESS_KEY_SECRET": OCP_SK}
    else:
        env = {"OCEANBASE_OBSHELL_URL": sim.url, "OCEANBASE_OBSHELL_PASSWORD": ROOT_PASSWORD}
    if source == "environment keyword":
        # The play's environment keyword wins over the controller's environment, which points nowhere here.
        environment, env = env, {name: "http://127.0.0.1:9" if name.endswith("_URL") else "wrong" for name in env}
    outcome = run_role(ansible, variables, module_defaults=module_defaults, env=env, environment=environment)

    assert outcome.run.rc == 0, outcome
    assert outcome.result["in_process"] is True, outcome.result
    assert outcome.result["phase"] == "COMPLETED", outcome.result
    assert restore_reads(api, sim) and all(entry["status"] == 200 for entry in restore_reads(api, sim))
    if api == "ocp" and source != "module_defaults":
        assert "OCEANBASE_OCP_ACCESS_KEY_SECRET" not in outcome.run.stdout and OCP_SK not in outcome.run.stdout


@pytest.mark.parametrize("api,variables,message", [
    ("ocp", {"wait_for_restore_url": None}, "missing required arguments: url"),
    ("ocp", {"wait_for_restore_url": "ftp://127.0.0.1:9"}, "url"),
    ("obshell", {"wait_for_restore_tenant_name": "sys"}, "the sys tenant is never restored"),
    ("obshell", {"wait_for_restore_client_key": "/nonexistent/client.key"}, "client_key is set but client_cert"),
])
def test_in_process_and_module_processes_fail_with_the_same_message(
        api, variables, message, ansible, ocp_sim, obshell_sim):
    """Bad input fails the same way, with no request sent, wherever the module runs."""
    sim = start_sim(api, completing_scenario(api, at=1), ocp_sim, obshell_sim)
    failures = {}
    for in_process in (True, False):
        values = role_vars(api, sim, wait_for_restore_in_process=in_process)
        values.update(variables)
        outcome = run_role(ansible, {key: value for key, value in values.items() if value is not None})
        assert outcome.run.rc != 0 and outcome.result["outcome"] == "error", outcome.result
        assert outcome.result["in_process"] is in_process, outcome.result
        failures[in_process] = outcome.failure
    assert failures[True] == failures[False] and message in failures[True], failures
    assert not sim.log, sim.log


# --- started_after ----------------------------------------------------------------------------------
def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("api", APIS)
def test_started_after_ignores_an_older_restore(api, ansible, ocp_sim, obshell_sim):
    now = datetime.now(timezone.utc)
    started_after = _iso(now - timedelta(seconds=60))
    if api == "ocp":
        # Yesterday's attempt failed; today's appears 2 s after the role starts and completes at 4 s.
        older = {"id": 7, "cluster_id": 1, "tenant_id": 1001, "created_ago": 86400,
                 "fields": {"status": "RESTORE_FAIL", "restoreTenantName": TENANT, "errorMsg": "the previous attempt"}}
        newer = {"id": 12, "cluster_id": 1, "tenant_id": 1001, "appear_at": 2, "fields": {"restoreTenantName": TENANT},
                 "timeline": running_then("RESTORE_SUCCESS", 4)["ocp"]}

        def scenario():
            return ocp_scenario(tasks=[older, newer])
        variables = role_vars(api, wait_for_restore_task_id=None, wait_for_restore_tenant_name=TENANT)
    else:
        # Last week's restore of the tenant succeeded (history row); the new job starts at 2 s.
        old_start = (now - timedelta(days=7)).astimezone(timezone(timedelta(hours=8))).isoformat()
        new_start = now.astimezone(timezone(timedelta(hours=8))).isoformat()
        restore = [{"at": 0, "status": "SUCCESS", "job_id": 5, "start_timestamp": old_start, "finish_timestamp": old_start}]
        restore += [dict(entry, at=entry["at"] + 2, job_id=6, start_timestamp=new_start, finish_timestamp="")
                    for entry in obshell_success(2)]

        def scenario():
            return obshell_scenario(restore)
        variables = role_vars(api)

    # Without started_after, the older restore is taken for this one.
    sim = start_sim(api, scenario(), ocp_sim, obshell_sim)
    misled = run_role(ansible, dict(variables, **connection_vars(api, sim)))
    if api == "ocp":
        assert misled.run.rc != 0 and "the previous attempt" in misled.failure, misled
    else:
        assert misled.run.rc == 0 and misled.result["record"]["job_id"] == 5, misled

    sim = start_sim(api, scenario(), ocp_sim, obshell_sim)
    outcome = run_role(ansible, dict(variables, wait_for_restore_started_after=started_after, **connection_vars(api, sim)))
    assert outcome.run.rc == 0, outcome
    assert outcome.result["phase"] == "COMPLETED", outcome.result
    if api == "ocp":
        assert outcome.result["record"]["id"] == 12, outcome.result
    else:
        assert outcome.result["record"]["job_id"] == 6, outcome.result
    pending = [text for text, _elapsed in outcome.lines if text.startswith("phase PENDING")]
    assert pending, outcome  # it waited for the new restore


# --- ansible-runner (how AWX runs it) -------------------------------------------------------------------
def test_ansible_runner_run_with_environment_credentials(tmp_path, monkeypatch, obshell_sim):
    ansible_runner = pytest.importorskip("ansible_runner")
    for name in list(os.environ):
        if name.startswith(("OCEANBASE_", "ANSIBLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", str(BIN) + os.pathsep + os.environ.get("PATH", ""))  # this venv's ansible-playbook
    sim = start_sim("obshell", completing_scenario("obshell", at=4), None, obshell_sim)
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    (private / "project" / "wait.yml").write_text(json.dumps([{
        "name": "Wait for the restore of restored_tenant",
        "hosts": "localhost",
        "gather_facts": False,
        "roles": [{"role": "oceanbase.ops.wait_for_restore", "wait_for_restore_api": "obshell",
                   "wait_for_restore_tenant_name": TENANT, "wait_for_restore_poll_interval": 1,
                   "wait_for_restore_report_interval": 2, "wait_for_restore_timeout": 60}],
    }]))
    envvars = {"OCEANBASE_OBSHELL_URL": sim.url, "OCEANBASE_OBSHELL_PASSWORD": ROOT_PASSWORD,
               "ANSIBLE_COLLECTIONS_PATH": str(INSTALLED)}
    runner = ansible_runner.run(private_data_dir=str(private), playbook="wait.yml", envvars=envvars, quiet=True,
                                timeout=240)

    stdout = runner.stdout.read()
    assert runner.status == "successful" and runner.rc == 0, stdout
    lines = PROGRESS_LINE.findall(stdout)
    assert len(lines) >= 2 and "phase COMPLETED" in lines[-1][0], stdout
    events = list(runner.events)
    event_text = "\n".join(event.get("stdout", "") for event in events)
    assert len(PROGRESS_LINE.findall(event_text)) == len(lines), event_text
    assert any(event.get("event") == "playbook_on_stats" for event in events)
    assert runner.stats["failures"] == {} and runner.stats["ok"].get("localhost", 0) >= 3, runner.stats
    assert ROOT_PASSWORD not in stdout

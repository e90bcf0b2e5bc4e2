# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Integration tests of oceanbase.ops.obshell_restore_overview_info: real ansible-playbook runs against
the obshell simulator (tests/simulator/obshell.py) on 127.0.0.1.

Several tasks share one playbook where they stay readable (each ansible-playbook start is expensive);
tasks that count requests get a simulator of their own. The simulator is instrumented from the
outside (``Hooks``): it records which authentication header each request carried and what the
agent answered, and runs test actions (finish the restore, rotate the key) just before it answers
the n-th matching request, so waits are driven by poll counts rather than by wall-clock guesses.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timezone

import yaml

MODULE = "oceanbase.ops.obshell_restore_overview_info"
PASSWORD = "root-password"
AGENT_PASSWORD = "agent-s3cret-pw"
SCN = 1728890608464651273  # above 2**53: a float would turn it into ...651264
OVERVIEW = "/api/v1/tenant/%s/restore/overview"
AGENT_HEADER = "X-OCS-Agent-Header"
OB_HEADER = "X-OCS-Header"

# Section 8.1 of the protocol note: every key of the overview's data object, in wire order.
OVERVIEW_KEYS = [
    "tenant_id", "job_id", "restore_tenant_name", "restore_tenant_id", "backup_tenant_name", "backup_tenant_id",
    "backup_cluster_name", "restore_option", "restore_scn", "restore_scn_display", "status", "start_timestamp",
    "backup_set_list", "backup_piece_list", "backup_data_uri", "backup_log_uri", "tablet_count", "finish_tablet_count",
    "total_bytes", "finish_bytes", "total_bytes_display", "finish_bytes_display", "description",
    "recover_scn", "recover_scn_display", "recover_progress", "restore_progress",
    "backup_cluster_version", "ls_count", "finish_ls_count", "comment", "finish_timestamp",
]

FAIL_COMMENT = "restore failed: OB_BACKUP_FILE_NOT_EXIST(-9011)"

DONE_TENANT = {
    "name": "done_tenant",
    "fields": {
        "job_id": 7, "restore_tenant_id": 1004, "backup_tenant_name": "sales", "backup_tenant_id": 1002,
        "backup_cluster_name": "obcluster_backup", "restore_scn": SCN, "tablet_count": 590, "total_bytes": 18622071,
        "restore_option": "pool_list=done_pool&locality=FULL@zone1&primary_zone=RANDOM",
        "backup_set_list": "file:///obbackup/obcluster_backup/sales/data/backup_set_2_full",
        "backup_piece_list": "file:///obbackup/obcluster_backup/sales/clog/piece_d1001r2p2",
    },
    "restore": [
        {"at": 0, "status": "CREATE_TENANT", "restore_progress": "0.00", "recover_progress": "0.00"},
        {"at": 0, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "100.00", "finish_tablet_count": 590,
         "finish_bytes": 18622071},
        {"at": 0, "status": "SUCCESS", "finish_ls_count": 2, "description": "nightly restore"},
    ],
}
RUNNING_TENANT = {
    "name": "running_tenant",
    "fields": {"job_id": 8, "restore_scn": SCN},
    "restore": [
        {"at": 0, "status": "CREATE_TENANT", "restore_progress": "0.00", "recover_progress": "0.00"},
        {"at": 0, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "45.50", "recover_progress": "10.00",
         "finish_tablet_count": 268, "finish_bytes": 8473042, "recover_scn": 1728890600000000000},
    ],
}
FAILED_TENANT = {
    "name": "failed_tenant",
    "fields": {"job_id": 9},
    "restore": [
        {"at": 0, "status": "CREATE_TENANT"},
        {"at": 0, "status": "RESTORE_FAIL"},
        {"at": 0, "status": "FAIL", "comment": FAIL_COMMENT},
    ],
}
FRESH_TENANT = {"name": "fresh_tenant"}  # exists, never restored: 404


def scenario(*tenants, faults=(), **agent):
    spec = {"identity": "CLUSTER AGENT", "version": "4.4.2.0", "key_bits": 1024, "root_password": PASSWORD,
            "agent_password": None, "utc_offset": "+08:00"}
    spec.update(agent)
    return {"agent": spec, "tenants": [dict(tenant) for tenant in tenants], "faults": list(faults)}


def running(name, progress="45.50"):
    """A tenant whose restore runs until a test action ends it."""
    return {"name": name, "fields": {"job_id": 30, "restore_scn": SCN},
            "restore": [{"at": 0, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": progress,
                         "recover_progress": "0.00"}]}


class Hooks:
    """Instruments a running simulator without editing it (``sim.app`` is wrapped per instance).

    ``records``: one dict per answered request (target, the auth headers it carried, status, body).
    ``before(pattern, n, action)``: call ``action()`` just before the simulator answers the n-th request
    whose target matches ``pattern`` (requests answered by an injected fault are not counted).
    """

    def __init__(self, sim):
        self.sim = sim
        self.records = []
        self.actions = []
        self.lock = threading.Lock()
        original = sim.app

        def app(request):
            due = []
            with self.lock:
                for action in self.actions:
                    if action["pattern"].search(request.target):
                        action["seen"] += 1
                        if action["seen"] == action["n"]:
                            due.append(action["action"])
            for action in due:
                action()
            response = original(request)
            with self.lock:
                self.records.append({
                    "target": request.target,
                    "headers": [name for name in (AGENT_HEADER, OB_HEADER) if request.header(name)],
                    "status": response.status,
                    "body": response.body,
                })
            return response

        sim.app = app

    def before(self, pattern, n, action):
        with self.lock:
            self.actions.append({"pattern": re.compile(pattern), "n": n, "action": action, "seen": 0})
        return self

    def to(self, pattern):
        with self.lock:
            return [record for record in self.records if re.search(pattern, record["target"])]


def overview_requests(sim, tenant):
    return sim.requests_to(re.escape(OVERVIEW % tenant) + "$")


def assert_requests(sim, runs, overviews):
    """Exactly one /api/v1/info and one /api/v1/secret per module run (unless a key rotation asks for
    one more /secret), and ``overviews`` overview requests in all."""
    assert sim.counts["/api/v1/info"] == runs, sim.log
    assert sim.counts["/api/v1/secret"] == runs, sim.log
    assert len(sim.requests_to("/restore/overview$")) == overviews, sim.log


def task(name, url, tenant, password=PASSWORD, **options):
    """A task of the module (ignore_errors, so that one playbook can hold failing tasks too)."""
    args = {"url": url, "tenant_name": tenant}
    if password is not None:
        args["password"] = password
    args.update(options)
    return {"name": name, MODULE: args, "ignore_errors": True}


def tasks_text(*tasks):
    return yaml.safe_dump(list(tasks), sort_keys=False, default_flow_style=False, width=1000)


def no_traceback(run, result):
    text = json.dumps(result)
    for where in (run.stdout, run.stderr, text):
        assert "Traceback (most recent call last)" not in where, where
    assert "MODULE FAILURE" not in text, result


def ok(run, name):
    record = run.task(name)
    result = record["result"]
    assert record["status"] == "ok", "%s: %s" % (name, result.get("msg"))
    assert result["changed"] is False, result
    return result


def failed(run, name):
    record = run.task(name)
    result = record["result"]
    assert record["status"] == "failed", "%s: expected a failure, got %s" % (name, json.dumps(result)[:2000])
    assert result.get("changed") is False, result
    no_traceback(run, result)
    return result


def envelope_data(record):
    return json.loads(record["body"])["data"]


# --- reading the overview ----------------------------------------------------------------------------------

def test_overview_success_running_failed_never_and_unknown(ansible, obshell_sim):
    sim = obshell_sim(scenario(DONE_TENANT, RUNNING_TENANT, FAILED_TENANT, FRESH_TENANT))
    hooks = Hooks(sim)
    run = ansible.run(tasks=tasks_text(
        task("Finished", sim.url, "done_tenant"),
        task("Running", sim.url, "running_tenant"),
        task("Failed", sim.url, "failed_tenant"),
        task("Never", sim.url, "fresh_tenant"),
        task("Unknown", sim.url, "no_such_tenant"),
    ))

    # A finished restore: the agent's data object, every key of section 8.1 unchanged, plus phase.
    done = ok(run, "Finished")
    overview = done["restore_overview"]
    answered = envelope_data(hooks.to(OVERVIEW % "done_tenant")[-1])
    assert list(answered) == OVERVIEW_KEYS  # the simulator sends the protocol's keys
    assert overview == dict(answered, phase="COMPLETED")
    assert set(overview) == set(OVERVIEW_KEYS) | {"phase"}
    assert overview["status"] == "SUCCESS"
    assert isinstance(overview["restore_scn"], int) and overview["restore_scn"] == SCN  # exact, above 2**53
    assert overview["restore_progress"] == "" and overview["finish_ls_count"] == 2
    assert overview["description"] == "nightly restore"
    assert done["reason"] is None and done["retries"] == 0
    assert "polls" not in done and "timed_out" not in done

    # A running restore: WAIT_TENANT_RESTORE_FINISH is RUNNING, the running-only fields are kept.
    run_result = ok(run, "Running")["restore_overview"]
    assert run_result == dict(envelope_data(hooks.to(OVERVIEW % "running_tenant")[-1]), phase="RUNNING")
    assert run_result["status"] == "WAIT_TENANT_RESTORE_FINISH"
    assert run_result["restore_progress"] == "45.50" and run_result["recover_progress"] == "10.00"
    assert run_result["recover_scn"] == 1728890600000000000 and run_result["restore_scn"] == SCN

    # A failed restore is a successful read: phase FAILED, the reason in comment.
    fail = ok(run, "Failed")["restore_overview"]
    assert fail["status"] == "FAIL" and fail["phase"] == "FAILED"
    assert fail["comment"] == FAIL_COMMENT

    # Never restored: no record, a reason, and success.
    never = ok(run, "Never")
    assert never["restore_overview"] is None and never["reason"] == "never_restored"

    # A tenant the agent does not see, without wait: a clear failure.
    unknown = failed(run, "Unknown")
    assert "tenant" in unknown["msg"].lower() and "not found" in unknown["msg"].lower(), unknown["msg"]
    assert "no_such_tenant" in unknown["msg"]
    assert unknown["restore_overview"] is None and unknown["reason"] == "tenant_not_visible"

    assert_requests(sim, runs=5, overviews=5)
    assert [r["status"] for r in sim.requests_to("/restore/overview$")] == [200, 200, 200, 404, 400]


def test_tenant_not_visible_yet_then_wait_through_it(ansible, obshell_sim):
    sim = obshell_sim("obshell-it-late.yml")
    # Hold the scenario before its second 0 (the tenant is invisible) and start it when the waiting
    # task first asks, so that its 3 s of invisibility do not depend on how fast ansible-playbook runs.
    sim.clock.offset = -3600
    hooks = Hooks(sim).before("/restore/overview$", 2, sim.clock.reset)
    run = ansible.run(tasks=tasks_text(
        task("Not visible, no wait", sim.url, "late_tenant"),
        task("Not visible, wait", sim.url, "late_tenant", wait=True, wait_timeout=60, wait_sleep=1),
    ))

    early = failed(run, "Not visible, no wait")
    assert "late_tenant" in early["msg"] and "not found" in early["msg"].lower(), early["msg"]
    assert "wait" in early["msg"]  # it says how to wait for a tenant that is still being created

    waited = ok(run, "Not visible, wait")
    overview = waited["restore_overview"]
    assert overview["phase"] == "COMPLETED" and overview["status"] in ("RESTORE_SUCCESS", "SUCCESS")
    assert overview["restore_scn"] == SCN
    assert waited["reason"] is None and waited["timed_out"] is False
    statuses = [r["status"] for r in hooks.to("/restore/overview$")][1:]  # those of the waiting task
    assert statuses[:2] == [400, 400] and statuses[-1] == 200, statuses  # it kept waiting through the 400s
    assert json.loads(hooks.to("/restore/overview$")[1]["body"])["error"]["errCode"] == "OB.Tenant.NotExist"
    assert waited["polls"] == len(statuses)  # one overview request per poll
    assert_requests(sim, runs=2, overviews=1 + len(statuses))


# --- waiting -----------------------------------------------------------------------------------------------

def test_wait_finish_fail_timeout_and_single_check(ansible, obshell_sim):
    finish = obshell_sim(scenario(running("wait_ok")))
    Hooks(finish).before("/restore/overview$", 3, lambda: finish.set_overview(
        "wait_ok", "SUCCESS", job_id=30, restore_scn=SCN, finish_ls_count=2))
    fail = obshell_sim(scenario(running("wait_fail", progress="35.00")))
    Hooks(fail).before("/restore/overview$", 2, lambda: fail.set_overview(
        "wait_fail", "FAIL", job_id=30, comment=FAIL_COMMENT))
    slow = obshell_sim(scenario(running("wait_slow", progress="45.50")))
    single = obshell_sim(scenario(DONE_TENANT, running("still_running")))

    run = ansible.run(tasks=tasks_text(
        task("Wait until finished", finish.url, "wait_ok", wait=True, wait_timeout=60, wait_sleep=1),
        task("Wait until failed", fail.url, "wait_fail", wait=True, wait_timeout=60, wait_sleep=1),
        task("Wait too short", slow.url, "wait_slow", wait=True, wait_timeout=2, wait_sleep=1),
        task("Single check, finished", single.url, "done_tenant", wait=True, wait_timeout=0),
        task("Single check, running", single.url, "still_running", wait=True, wait_timeout=0),
    ))

    done = ok(run, "Wait until finished")
    assert done["restore_overview"]["phase"] == "COMPLETED" and done["restore_overview"]["status"] == "SUCCESS"
    assert done["restore_overview"]["restore_scn"] == SCN
    assert done["polls"] == 3 and done["timed_out"] is False and done["retries"] == 0
    assert done["elapsed"] >= 1.5
    assert_requests(finish, runs=1, overviews=3)  # one overview request per poll

    lost = ok(run, "Wait until failed")  # the module reports a failed restore, it does not fail
    assert lost["restore_overview"]["phase"] == "FAILED" and lost["restore_overview"]["status"] == "FAIL"
    assert lost["restore_overview"]["comment"] == FAIL_COMMENT
    assert lost["polls"] == 2 and lost["timed_out"] is False
    assert_requests(fail, runs=1, overviews=2)

    late = failed(run, "Wait too short")
    msg = late["msg"]
    assert "timed out" in msg.lower() and "after %d seconds" % round(late["elapsed"]) in msg, msg
    assert "WAIT_TENANT_RESTORE_FINISH" in msg and "45.50" in msg, msg  # last status and progress
    assert late["timed_out"] is True
    assert late["restore_overview"]["status"] == "WAIT_TENANT_RESTORE_FINISH"
    assert late["restore_overview"]["phase"] == "RUNNING"
    assert late["restore_overview"]["restore_progress"] == "45.50"
    assert 2 <= late["elapsed"] < 10 and late["polls"] >= 2
    assert_requests(slow, runs=1, overviews=late["polls"])

    once = ok(run, "Single check, finished")
    assert once["polls"] == 1 and once["timed_out"] is False
    assert once["restore_overview"]["phase"] == "COMPLETED"
    still = failed(run, "Single check, running")
    assert still["polls"] == 1 and still["timed_out"] is True
    assert "timed out" in still["msg"].lower() and "0 seconds" in still["msg"], still["msg"]
    assert still["restore_overview"]["phase"] == "RUNNING"
    assert_requests(single, runs=2, overviews=2)
    assert len(overview_requests(single, "still_running")) == 1


def test_started_after_ignores_an_earlier_restore(ansible, obshell_sim):
    old = dict(DONE_TENANT, name="again_tenant")
    old["restore"] = [{"at": 0, "status": "SUCCESS", "start_timestamp": "2024-10-14T15:25:18.092782+08:00",
                       "finish_timestamp": "2024-10-14T15:36:51.770834+08:00"}]
    sim = obshell_sim(scenario(old))
    # The pipeline triggered its restore now; the agent still shows the one of October 2024.
    triggered = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    hooks = Hooks(sim)
    # Requests 1 and 2 belong to the info reads, 3 is the first poll of the wait: the new restore
    # appears at the second poll and finishes at the third.
    hooks.before("/restore/overview$", 4, lambda: sim.set_overview(
        "again_tenant", "WAIT_TENANT_RESTORE_FINISH", restore_progress="30.00", restore_scn=SCN))
    hooks.before("/restore/overview$", 5, lambda: sim.set_overview("again_tenant", "SUCCESS", restore_scn=SCN))
    run = ansible.run(tasks=tasks_text(
        task("Old restore is not this one", sim.url, "again_tenant", started_after=triggered),
        task("Without started_after", sim.url, "again_tenant"),
        task("Wait for the new one", sim.url, "again_tenant", started_after=triggered, wait=True, wait_timeout=60,
             wait_sleep=1),
    ))

    before = ok(run, "Old restore is not this one")
    assert before["restore_overview"] is None and before["reason"] == "started_before"
    assert ok(run, "Without started_after")["restore_overview"]["start_timestamp"].startswith("2024-10-14T15:25:18")

    new = ok(run, "Wait for the new one")
    assert new["restore_overview"]["phase"] == "COMPLETED" and new["restore_overview"]["status"] == "SUCCESS"
    assert new["restore_overview"]["start_timestamp"] > "2025"
    assert new["polls"] == 3 and new["reason"] is None
    # the old SUCCESS was answered at the first poll and did not end the wait
    assert [envelope_data(r)["status"] for r in hooks.to("/restore/overview$")][2:] == [
        "SUCCESS", "WAIT_TENANT_RESTORE_FINISH", "SUCCESS"]
    assert_requests(sim, runs=3, overviews=5)


# --- authentication ----------------------------------------------------------------------------------------

def test_authentication_errors_agent_password_and_legacy_agents(ansible, obshell_sim):
    wrong = obshell_sim(scenario(DONE_TENANT))
    agent = obshell_sim(scenario(DONE_TENANT, agent_password=AGENT_PASSWORD))
    agent_hooks = Hooks(agent)
    agent_only = obshell_sim(scenario(DONE_TENANT, root_password=None, agent_password=AGENT_PASSWORD))
    legacy = obshell_sim(scenario(FRESH_TENANT, DONE_TENANT, version="4.2.4.0", key_bits=512))
    legacy_hooks = Hooks(legacy)
    bad_password = "N0t-The-R00t-Passw0rd"

    run = ansible.run(verbosity=3, tasks=tasks_text(
        task("Wrong password", wrong.url, "done_tenant", password=bad_password),
        task("Both passwords", agent.url, "done_tenant", agent_password=AGENT_PASSWORD),
        task("Agent password only", agent.url, "done_tenant", password=None, agent_password=AGENT_PASSWORD),
        task("Agent password required", agent_only.url, "done_tenant"),
        task("Legacy never restored", legacy.url, "fresh_tenant"),
        task("Legacy tenant missing", legacy.url, "no_such_tenant"),
        task("Legacy finished", legacy.url, "done_tenant"),
    ))

    bad = failed(run, "Wrong password")
    msg = bad["msg"]
    assert "401" in msg and "password" in msg.lower(), msg
    assert "incorrect" in msg.lower() or "wrong" in msg.lower(), msg
    assert bad_password not in msg and "********" not in msg, msg  # neither the password nor its mask
    assert bad_password not in run.stdout and bad_password not in run.stderr
    assert bad["error"]["status"] == 401
    assert bad["error"]["code"] == "Security.Authentication.IncorrectOceanbasePassword"
    assert len(overview_requests(wrong, "done_tenant")) == 1  # an authentication failure is not retried

    # security: true and an agent password given: X-OCS-Agent-Header, on the overview only.
    assert ok(run, "Both passwords")["restore_overview"]["phase"] == "COMPLETED"
    assert ok(run, "Agent password only")["restore_overview"]["phase"] == "COMPLETED"
    overview_headers = [r["headers"] for r in agent_hooks.to("/restore/overview$")]
    assert overview_headers == [[AGENT_HEADER], [AGENT_HEADER]], overview_headers
    assert all(r["headers"] == [] for r in agent_hooks.to("/api/v1/(info|secret)$"))  # no auth on those two
    assert_requests(agent, runs=2, overviews=2)

    needs = failed(run, "Agent password required")
    assert "401" in needs["msg"] and "agent_password" in needs["msg"], needs["msg"]
    assert needs["error"]["code"] == "Security.Authentication.WithAgentPassword"

    # Before 4.3.1.0 errors carry an int code only: 2300 (404) and 1001 (400) are still understood.
    never = ok(run, "Legacy never restored")
    assert never["restore_overview"] is None and never["reason"] == "never_restored"
    missing = failed(run, "Legacy tenant missing")
    assert "no_such_tenant" in missing["msg"] and "not found" in missing["msg"].lower(), missing["msg"]
    assert missing["reason"] == "tenant_not_visible"
    assert ok(run, "Legacy finished")["restore_overview"]["restore_scn"] == SCN
    legacy_errors = [json.loads(r["body"])["error"] for r in legacy_hooks.to("/restore/overview$")[:2]]
    assert [error.get("code") for error in legacy_errors] == [2300, 1001]
    assert all("errCode" not in error for error in legacy_errors)
    assert_requests(legacy, runs=3, overviews=3)


def test_agent_clock_ahead_of_the_controller(ansible, obshell_sim):
    # obshell checks an auth header's "ts" as an absolute deadline against its own clock, with no
    # tolerance: a controller that dated the header by its own clock (now + 60 s) would send headers
    # that are already expired for an agent whose clock runs 300 s ahead. The module reads the agent's
    # time from the envelope "timestamp" of /api/v1/info and dates the header by it, so it succeeds.
    sim = obshell_sim(scenario(DONE_TENANT))
    sim.clock.skew = 300
    run = ansible.run(tasks=tasks_text(task("Skewed agent", sim.url, "done_tenant")))
    result = ok(run, "Skewed agent")
    assert result["restore_overview"]["phase"] == "COMPLETED"
    assert [r["status"] for r in sim.log] == [200, 200, 200]


# --- RSA keys ----------------------------------------------------------------------------------------------

def test_512_bit_key_and_key_rotation(ansible, obshell_sim):
    # Between two module runs: the agent answers the second run's /api/v1/info with a new key in place.
    between = obshell_sim(scenario(DONE_TENANT))
    Hooks(between).before("^/api/v1/info$", 2, lambda: between.rotate_key(512))
    # During one wait on a 512-bit agent (an obshell before 4.4.2.0): the key is replaced by a
    # 1024-bit one (an upgrade) just before the second poll is answered, the restore ends at the third.
    during = obshell_sim(scenario(running("rotated_tenant"), version="4.3.1.0", key_bits=512))
    during_hooks = Hooks(during)
    during_hooks.before("/restore/overview$", 2, lambda: during.rotate_key(1024))
    during_hooks.before("/restore/overview$", 4, lambda: during.set_overview("rotated_tenant", "SUCCESS", restore_scn=SCN))
    # A legacy agent (errors with an int code only) says "undecryptable header" with code 1.
    legacy = obshell_sim(scenario(DONE_TENANT, version="4.2.4.0", key_bits=512))
    Hooks(legacy).before("/restore/overview$", 1, lambda: legacy.rotate_key(1024))
    assert between.key_bits == 1024 and during.key_bits == 512

    run = ansible.run(tasks=tasks_text(
        task("1024-bit key", between.url, "done_tenant"),
        task("512-bit key after rotation", between.url, "done_tenant"),
        task("Rotation during the wait", during.url, "rotated_tenant", wait=True, wait_timeout=60, wait_sleep=1),
        task("Rotation on a legacy agent", legacy.url, "done_tenant"),
    ))

    assert ok(run, "1024-bit key")["restore_overview"]["phase"] == "COMPLETED"
    second = ok(run, "512-bit key after rotation")
    assert second["restore_overview"]["phase"] == "COMPLETED" and second["retries"] == 0
    assert between.key_bits == 512
    assert_requests(between, runs=2, overviews=2)  # each run reads the key once: the new one
    assert all(entry["status"] == 200 for entry in between.log)

    waited = ok(run, "Rotation during the wait")
    assert waited["restore_overview"]["phase"] == "COMPLETED" and during.key_bits == 1024
    assert waited["polls"] == 3 and waited["retries"] == 1
    statuses = [entry["status"] for entry in during.requests_to("/restore/overview$")]
    assert statuses == [200, 401, 200, 200], during.log
    rejected = json.loads(during_hooks.to("/restore/overview$")[1]["body"])["error"]
    assert rejected["errCode"] == "Security.Authentication.Header.DecryptFailed"
    # one /info, the key read twice (at the start and once after the rotation), one request per poll + the retry
    assert during.counts["/api/v1/info"] == 1 and during.counts["/api/v1/secret"] == 2
    assert [entry["target"] for entry in during.log].count("/api/v1/secret") == 2
    secret_at = [i for i, entry in enumerate(during.log) if entry["target"] == "/api/v1/secret"]
    assert during.log[secret_at[1] - 1]["status"] == 401  # refetched right after the rejected request

    assert ok(run, "Rotation on a legacy agent")["restore_overview"]["phase"] == "COMPLETED"
    assert [(e["target"], e["status"]) for e in legacy.log] == [
        ("/api/v1/info", 200), ("/api/v1/secret", 200), (OVERVIEW % "done_tenant", 401),
        ("/api/v1/secret", 200), (OVERVIEW % "done_tenant", 200)]


# --- bad input ---------------------------------------------------------------------------------------------

def test_bad_input_fails_before_any_request(ansible, obshell_sim):
    sim = obshell_sim(scenario(DONE_TENANT))
    no_scheme = sim.url.replace("http://", "")
    run = ansible.run(tasks=tasks_text(
        task("Empty tenant", sim.url, ""),
        task("Sys tenant", sim.url, "sys"),
        task("No credentials", sim.url, "done_tenant", password=None),
        task("Key without cert", sim.url, "done_tenant", client_key="/tmp/client.key"),
        task("Bad started_after", sim.url, "done_tenant", started_after="last tuesday"),
        task("No scheme", no_scheme, "done_tenant"),
    ))
    expectations = {
        "Empty tenant": ["tenant_name"],
        "Sys tenant": ["tenant_name", "sys"],
        "No credentials": ["password", "agent_password"],
        "Key without cert": ["client_key", "client_cert"],
        "Bad started_after": ["started_after", "last tuesday", "ISO 8601"],
        "No scheme": ["url", no_scheme, "http"],
    }
    for name, words in expectations.items():
        msg = failed(run, name)["msg"]
        for word in words:
            assert word in msg, (name, msg)
    assert sim.counts["*"] == 0, sim.log


# --- unusual agents and faults -----------------------------------------------------------------------------

def test_wrong_agents_faults_and_garbage(ansible, obshell_sim):
    master = obshell_sim(scenario(DONE_TENANT, identity="MASTER"))
    single = obshell_sim(scenario(DONE_TENANT, identity="SINGLE"))
    flaky = obshell_sim(scenario(running("flaky_tenant"), faults=[
        {"match": "/restore/overview$", "after": 1, "count": 1, "status": 503}]))
    # Answers are counted by the hook without the faulted one: the 2nd is the retry of the 2nd poll.
    Hooks(flaky).before("/restore/overview$", 2, lambda: flaky.set_overview("flaky_tenant", "SUCCESS", restore_scn=SCN))
    html = obshell_sim(scenario(DONE_TENANT, faults=[{"match": "^/api/v1/info$", "kind": "html", "status": 404, "count": 0}]))
    garbage = obshell_sim(scenario(DONE_TENANT, faults=[{"match": "/restore/overview$", "kind": "invalid_json", "count": 0}]))

    run = ansible.run(tasks=tasks_text(
        task("Master agent", master.url, "done_tenant"),
        task("Single agent", single.url, "done_tenant"),
        task("503 while waiting", flaky.url, "flaky_tenant", wait=True, wait_timeout=60, wait_sleep=1),
        task("HTML page", html.url, "done_tenant"),
        task("Invalid JSON", garbage.url, "done_tenant"),
    ))

    for name, identity in (("Master agent", "MASTER"), ("Single agent", "SINGLE")):
        result = failed(run, name)
        assert "cluster agent" in result["msg"].lower() and identity in result["msg"], result["msg"]
        assert result["error"]["code"] == "Agent.Identify.NotSupportOperation"
    assert len(overview_requests(master, "done_tenant")) == 1  # a configuration error is not retried

    waited = ok(run, "503 while waiting")
    assert waited["restore_overview"]["phase"] == "COMPLETED"
    assert waited["retries"] == 1 and waited["polls"] == 2
    assert [(e["status"], e["fault"]) for e in flaky.requests_to("/restore/overview$")] == [
        (200, None), (503, "status"), (200, None)]
    assert flaky.counts["/api/v1/info"] == 1 and flaky.counts["/api/v1/secret"] == 1

    page = failed(run, "HTML page")
    assert "404" in page["msg"] and "not JSON" in page["msg"] and "text/html" in page["msg"], page["msg"]
    assert "/api/v1/info" in page["msg"]

    junk = failed(run, "Invalid JSON")
    assert "not JSON" in junk["msg"] and "/restore/overview" in junk["msg"], junk["msg"]
    assert junk["retries"] == 3  # a garbled 200 may be a proxy hiccup: tried again, then reported
    assert len(overview_requests(garbage, "done_tenant")) == 4


def test_legacy_agent_that_is_not_a_cluster_agent_fails_at_once(ansible, obshell_sim):
    # Before 4.3.1.0 a non-cluster agent answers the overview with HTTP 500, code 1010, "agent identity
    # is MASTER." (protocol note, section 6.1). That is a configuration error, like the modern 400
    # Agent.Identify.NotSupportOperation: it must fail at once with a clear message, not be retried as
    # a transient 5xx nor waited on until wait_timeout.
    sim = obshell_sim(scenario(DONE_TENANT, identity="MASTER", version="4.3.0.0"))
    run = ansible.run(tasks=tasks_text(
        task("Legacy master agent", sim.url, "done_tenant", wait=True, wait_timeout=4, wait_sleep=1),
    ))
    result = failed(run, "Legacy master agent")
    assert "cluster agent" in result["msg"].lower() and "MASTER" in result["msg"], result["msg"]
    assert result.get("timed_out") is not True, result["msg"]
    assert len(overview_requests(sim, "done_tenant")) == 1, [e["status"] for e in sim.log]


# --- credentials from the environment and module_defaults; check mode ----------------------------------------

def test_credentials_from_environment_in_check_mode(ansible, obshell_sim):
    sim = obshell_sim(scenario(DONE_TENANT))
    agent = obshell_sim(scenario(DONE_TENANT, agent_password=AGENT_PASSWORD))
    agent_hooks = Hooks(agent)
    run = ansible.run(
        check=True,
        env={"OCEANBASE_OBSHELL_URL": sim.url, "OCEANBASE_OBSHELL_PASSWORD": PASSWORD,
             "OCEANBASE_OBSHELL_VALIDATE_CERTS": "false"},
        tasks=tasks_text(
            {"name": "From the environment", MODULE: {"tenant_name": "done_tenant"}},
            {"name": "Agent password from the environment", MODULE: {"tenant_name": "done_tenant"},
             "environment": {"OCEANBASE_OBSHELL_URL": agent.url, "OCEANBASE_OBSHELL_AGENT_PASSWORD": AGENT_PASSWORD}},
        ))
    assert run.rc == 0, run
    result = ok(run, "From the environment")
    assert result["restore_overview"]["phase"] == "COMPLETED"  # check mode still reads
    assert result["invocation"]["module_args"]["url"] == sim.url
    assert result["invocation"]["module_args"]["validate_certs"] is False
    assert_requests(sim, runs=1, overviews=1)
    assert ok(run, "Agent password from the environment")["restore_overview"]["phase"] == "COMPLETED"
    assert [r["headers"] for r in agent_hooks.to("/restore/overview$")] == [[AGENT_HEADER]]
    assert PASSWORD not in run.stdout and AGENT_PASSWORD not in run.stdout


def test_module_defaults_group(ansible, obshell_sim):
    sim = obshell_sim(scenario(DONE_TENANT, RUNNING_TENANT))
    playbook = yaml.safe_dump([{
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/oceanbase.ops.obshell": {"url": sim.url, "password": PASSWORD}},
        "tasks": [
            {"name": "With group defaults", MODULE: {"tenant_name": "done_tenant"}},
            {"name": "In check mode", MODULE: {"tenant_name": "running_tenant"}, "check_mode": True},
        ],
    }], sort_keys=False)
    run = ansible.run(playbook=playbook)
    assert run.rc == 0, run
    assert ok(run, "With group defaults")["restore_overview"]["phase"] == "COMPLETED"
    checked = ok(run, "In check mode")
    assert checked["restore_overview"]["phase"] == "RUNNING"
    assert checked["restore_overview"]["restore_progress"] == "45.50"
    assert_requests(sim, runs=2, overviews=2)

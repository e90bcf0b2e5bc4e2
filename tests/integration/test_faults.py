# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Fault injection with real ansible-playbook runs against the simulators.

Every case has its own simulator and runs as its own inventory host, so one playbook run covers a
whole table of faults (see casebook.py). A case is registered with ``@fault(...)``: the fault, the
expected outcome (recovered, with ``retries`` > 0 in the result, or a clear error) and a builder
that returns the Case and its check. ``docs/faults.md`` is generated from this catalogue by
``tools/gen_reliability_docs.py``; ``test_faults_doc_is_current`` keeps the two in step.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

from casebook import Case, Triggers, check_all, restart, run_cases
from simulator.common import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "simulator" / "scenarios"

OCP_BASE = "ocp-faults-base.yml"
OBSHELL_BASE = "obshell-faults-base.yml"
OBSHELL_LEGACY = "obshell-faults-legacy512.yml"
TASKS = r"/backup/task/restoreTasks"
OVERVIEW = r"/restore/overview"
DECRYPT_FAILED = {
    "successful": False, "timestamp": "2024-10-14T15:36:51.770834417+08:00", "duration": 0, "status": 401,
    "traceId": "0123456789abcdef",
    "error": {"code": 1, "errCode": "Security.Authentication.Header.DecryptFailed",
              "message": "Decrypt http header failed: crypto/rsa: decryption error"},
}
DECRYPT_FAILED_LEGACY = {
    "successful": False, "timestamp": "2024-10-14T15:36:51.770834417+08:00", "duration": 0, "status": 401,
    "traceId": "0123456789abcdef", "error": {"code": 1, "message": "Decrypt http header failed: crypto/rsa: decryption error"},
}
OCP_RECORD = {"id": 21, "status": "RESTORE_WAIT_LS", "restoreTenantName": "restored_tenant", "progress": "42%",
              "createTime": "2024-08-08T08:25:39.150608Z"}

GROUPS = {
    "single_read": "test_single_read_faults",
    "wait": "test_faults_during_a_wait",
    "role": "test_faults_during_the_role",
}


class FaultCase:
    """One row of the fault table: what is injected, what must happen, and how it is checked."""

    def __init__(self, case_id, api, fault_text, outcome, group, build):
        self.id = case_id
        self.api = api
        self.fault = fault_text
        self.outcome = outcome
        self.group = group
        self.build = build

    @property
    def test(self):
        return "test_faults.py::%s" % GROUPS[self.group]


CATALOGUE = []


def fault(case_id, api, fault_text, outcome, group="single_read"):
    """Register a case builder: ``build(ctx)`` returns ``(Case, check)``; ``check(outcome)`` asserts."""
    def register(build):
        assert case_id not in [case.id for case in CATALOGUE], case_id
        CATALOGUE.append(FaultCase(case_id, api, fault_text, outcome, group, build))
        return build
    return register


# --- the context the builders get ---------------------------------------------------------------

_SCENARIO_CACHE = {}


def scenario(name):
    if name not in _SCENARIO_CACHE:
        _SCENARIO_CACHE[name] = load_scenario(str(SCENARIOS / name))
    return copy.deepcopy(_SCENARIO_CACHE[name])


class Holder:
    """The simulator of a case; a restart replaces it (triggers and checks look it up here)."""

    def __init__(self, sim):
        self.sim = sim
        self.first = sim


class Context:
    def __init__(self, ocp_sim, obshell_sim):
        self._ocp = ocp_sim
        self._obshell = obshell_sim
        self.triggers = Triggers()

    def ocp(self, name=OCP_BASE, **options):
        spec = scenario(name)
        spec.setdefault("options", {}).update(options)
        return self._ocp(spec)

    def obshell(self, name=OBSHELL_BASE, **agent):
        spec = scenario(name)
        spec.setdefault("agent", {}).update(agent)
        return self._obshell(spec)

    def ocp_restarted(self, port):
        """The OCP simulator after a restart: task 21 finishes 2 s after it starts."""
        spec = scenario(OCP_BASE)
        task = [item for item in spec["tasks"] if item["id"] == 21][0]
        task["fields"].pop("status")
        task["fields"].pop("progress")
        task["timeline"] = [{"at": 0, "status": "RESTORE_WAIT_LS", "progress": "60%"},
                            {"at": 2, "status": "RESTORE_SUCCESS", "progress": "100%"}]
        return self._ocp(spec, port=port)

    def obshell_restarted(self, port):
        """The obshell agent after a restart (a new RSA key): the restore finishes 2 s after it starts."""
        spec = scenario(OBSHELL_BASE)
        tenant = [item for item in spec["tenants"] if item["name"] == "running_tenant"][0]
        tenant["restore"] = [{"at": 0, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "60.00"},
                             {"at": 2, "status": "SUCCESS"}]
        return self._obshell(spec, port=port)


def ocp_args(sim, **extra):
    args = dict(url=sim.url, username="admin", password="admin-password", cluster_id=1)
    args.update(extra)
    return args


def ocp_wait_args(sim, task_id=21, **extra):
    args = ocp_args(sim, tenant_id=1001, task_id=task_id, wait=True, wait_sleep=1, wait_timeout=40)
    args.update(extra)
    return args


def obshell_args(sim, tenant="running_tenant", **extra):
    args = dict(url=sim.url, password="root-password", tenant_name=tenant)
    args.update(extra)
    return args


def obshell_wait_args(sim, tenant="running_tenant", **extra):
    args = obshell_args(sim, tenant, wait=True, wait_sleep=1, wait_timeout=40)
    args.update(extra)
    return args


def logged(sim, pattern, status="any"):
    """Log entries of ``sim`` whose target matches ``pattern`` (and whose status is ``status``)."""
    return [entry for entry in sim.requests_to(pattern) if status == "any" or entry["status"] == status]


def gaps(entries):
    return [round(later["time"] - earlier["time"], 2) for earlier, later in zip(entries, entries[1:])]


def ok(outcome):
    assert outcome.record is not None, "no result"
    assert not outcome.failed, "failed: %s" % outcome.msg
    return outcome.result


def failed(outcome, *fragments):
    assert outcome.record is not None, "no result"
    assert outcome.failed, "did not fail: %r" % outcome
    for fragment in fragments:
        assert fragment.lower() in outcome.msg.lower(), "%r not in message %r" % (fragment, outcome.msg)
    return outcome.result


# --- single reads (no wait): the retry budget of one read ----------------------------------------

@fault("ocp_503_burst", "OCP", "HTTP 503 twice", "recovered: retries 2, every task listed")
def _ocp_503_burst(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 503, "count": 2})

    def check(outcome):
        result = ok(outcome)
        assert result["retries"] == 2
        assert [task["id"] for task in result["restore_tasks"]] == [21, 22, 8]
        assert [entry["status"] for entry in logged(sim, TASKS)] == [503, 503, 200]
    return Case("ocp_503_burst", "ocp", ocp_args(sim)), check


@fault("ocp_502_html", "OCP", "HTTP 502 with an HTML error page (nginx)", "recovered: retries 1")
def _ocp_502_html(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "html", "status": 502})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        assert [entry["status"] for entry in logged(sim, TASKS)] == [502, 200]
    return Case("ocp_502_html", "ocp", ocp_args(sim)), check


@fault("ocp_504", "OCP", "HTTP 504 once", "recovered: retries 1")
def _ocp_504(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 504})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("ocp_504", "ocp", ocp_args(sim)), check


@fault("ocp_500", "OCP", "HTTP 500 once (OCP's unexpected / SQL error)", "recovered: retries 1")
def _ocp_500(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 500})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("ocp_500", "ocp", ocp_args(sim)), check


@fault("ocp_429_retry_after", "OCP", "HTTP 429 with Retry-After: 2", "recovered: retries 1, the retry waited >= 2 s")
def _ocp_429_retry_after(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 429, "headers": {"Retry-After": "2"}})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        entries = logged(sim, TASKS)
        assert [entry["status"] for entry in entries] == [429, 200]
        assert gaps(entries)[0] >= 1.9, gaps(entries)
    return Case("ocp_429_retry_after", "ocp", ocp_args(sim)), check


@fault("ocp_429_ratelimit_reset", "OCP",
       "OCP rate limit (2 requests per 4 s window): HTTP 429 with RateLimit-Reset while reading page 3 of 3",
       "recovered: retries 1, the retry waited for the window to reset (> 3 s), all 3 pages read")
def _ocp_429_ratelimit_reset(ctx):
    sim = ctx.ocp(rate_limit={"limit": 2, "window": 4})

    def check(outcome):
        result = ok(outcome)
        assert result["retries"] == 1
        assert len(result["restore_tasks"]) == 3
        entries = logged(sim, TASKS)
        assert [entry["status"] for entry in entries] == [200, 200, 429, 200]
        assert gaps(entries)[2] >= 3.0, gaps(entries)
    return Case("ocp_429_ratelimit_reset", "ocp", ocp_args(sim, page_size=1)), check


@fault("ocp_reset", "OCP", "connection reset instead of an answer", "recovered: retries 1")
def _ocp_reset(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "reset"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        assert [entry["fault"] for entry in logged(sim, TASKS)] == ["reset", None]
    return Case("ocp_reset", "ocp", ocp_args(sim)), check


@fault("ocp_truncate", "OCP", "connection closed mid-body (half the answer sent)", "recovered: retries 1")
def _ocp_truncate(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "truncate"})

    def check(outcome):
        result = ok(outcome)
        assert result["retries"] == 1
        assert len(result["restore_tasks"]) == 3
    return Case("ocp_truncate", "ocp", ocp_args(sim)), check


@fault("ocp_invalid_json", "OCP", "HTTP 200 with a body that is not JSON", "recovered: retries 1")
def _ocp_invalid_json(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "invalid_json"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("ocp_invalid_json", "ocp", ocp_args(sim)), check


@fault("ocp_empty_body", "OCP", "HTTP 200 with an empty body", "recovered: retries 1")
def _ocp_empty_body(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "empty"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("ocp_empty_body", "ocp", ocp_args(sim)), check


@fault("ocp_slow", "OCP", "an answer 3 s late with timeout: 1", "recovered: retries 1")
def _ocp_slow(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "kind": "slow", "delay": 3})

    def check(outcome):
        result = ok(outcome)
        assert result["retries"] == 1
        assert len(result["restore_tasks"]) == 3
    return Case("ocp_slow", "ocp", ocp_args(sim, timeout=1)), check


@fault("ocp_retry_budget", "OCP", "HTTP 503 on every request",
       "clear error after the retry budget: 4 requests, retries 3, backoff 0.5-1 s, 1-2 s, 2-4 s; restore_tasks: []")
def _ocp_retry_budget(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 503, "count": 0})

    def check(outcome):
        result = failed(outcome, "HTTP 503")
        assert result["retries"] == 3
        assert result["restore_tasks"] == []
        assert result["error"]["status"] == 503
        entries = logged(sim, TASKS)
        assert len(entries) == 4
        waited = gaps(entries)
        for gap, (low, high) in zip(waited, ((0.5, 1.0), (1.0, 2.0), (2.0, 4.0))):
            assert low - 0.05 <= gap <= high + 1.5, "backoff %s outside %s-%s s" % (waited, low, high)
    return Case("ocp_retry_budget", "ocp", ocp_args(sim)), check


@fault("ocp_401", "OCP", "wrong password (HTTP 401)", "clear error naming the credentials, never retried (1 request)")
def _ocp_401(ctx):
    sim = ctx.ocp()

    def check(outcome):
        result = failed(outcome, "HTTP 401", "check username/password")
        assert result["retries"] == 0
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_401", "ocp", ocp_args(sim, password="not-the-password")), check


@fault("ocp_403", "OCP", "no permission (HTTP 403)", "clear error, never retried (1 request)")
def _ocp_403(ctx):
    sim = ctx.ocp(forbidden=True)

    def check(outcome):
        result = failed(outcome, "HTTP 403", "permission")
        assert result["retries"] == 0
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_403", "ocp", ocp_args(sim)), check


@fault("ocp_400_unknown_cluster", "OCP", "unknown cluster_id (HTTP 400, code 11001)",
       "clear error naming cluster_id, never retried (1 request)")
def _ocp_400_unknown_cluster(ctx):
    sim = ctx.ocp()

    def check(outcome):
        result = failed(outcome, "HTTP 400", "cluster_id")
        assert result["retries"] == 0
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_400_unknown_cluster", "ocp", ocp_args(sim, cluster_id=99)), check


@fault("ocp_404_unknown_tenant", "OCP", "unknown tenant_id (HTTP 404, code 15023)",
       "clear error naming tenant_id, never retried (1 request)")
def _ocp_404_unknown_tenant(ctx):
    sim = ctx.ocp(unknown_id_status=404)

    def check(outcome):
        result = failed(outcome, "HTTP 404", "tenant_id")
        assert result["retries"] == 0
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_404_unknown_tenant", "ocp", ocp_args(sim, tenant_id=4242)), check


@fault("ocp_400_validation", "OCP", "HTTP 400 validation error (a parameter OCP cannot convert)",
       "clear error with OCP's message, never retried (1 request)")
def _ocp_400_validation(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 400,
                   "error": "The parameter 'startTime' of value 'x' could not be converted to type 'OffsetDateTime'"})

    def check(outcome):
        result = failed(outcome, "HTTP 400", "could not be converted")
        assert result["retries"] == 0
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_400_validation", "ocp", ocp_args(sim)), check


@fault("ocp_no_contents", "OCP", "HTTP 200 envelope without data.contents",
       "clear error naming data.contents (a single read does not retry a well-formed envelope)")
def _ocp_no_contents(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 200, "body": {"successful": True, "status": 200, "data": {}}})

    def check(outcome):
        result = failed(outcome, "data.contents")
        assert result["restore_tasks"] == []
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_no_contents", "ocp", ocp_args(sim)), check


@fault("ocp_no_page", "OCP", "HTTP 200 envelope with data.contents but no data.page",
       "success: the contents are read as the only page")
def _ocp_no_page(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 200, "count": 0,
                   "body": {"successful": True, "status": 200, "data": {"contents": [OCP_RECORD]}}})

    def check(outcome):
        result = ok(outcome)
        assert [(task["id"], task["phase"]) for task in result["restore_tasks"]] == [(21, "RUNNING")]
        assert len(logged(sim, TASKS)) == 1
    return Case("ocp_no_page", "ocp", ocp_args(sim)), check


@fault("ocp_successful_false", "OCP", "HTTP 200 envelope with successful: false", "clear error")
def _ocp_successful_false(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 200, "body": {"successful": False, "status": 200}})

    def check(outcome):
        failed(outcome, "successful: false")
    return Case("ocp_successful_false", "ocp", ocp_args(sim)), check


@fault("ocp_aksk_clock_ahead", "OCP", "AK/SK signing, OCP's clock 20 min ahead (Date outside 15 min)",
       "clear HTTP 401 error that mentions the clocks, never retried (1 request)")
def _ocp_aksk_clock_ahead(ctx):
    sim = ctx.ocp()
    sim.clock.skew = 20 * 60

    def check(outcome):
        failed(outcome, "HTTP 401", "clock", "15 minutes")
        assert len(logged(sim, TASKS)) == 1
    args = dict(url=sim.url, access_key_id="AKIDFAULTS", access_key_secret="faults-secret-key", cluster_id=1)
    return Case("ocp_aksk_clock_ahead", "ocp", args), check


@fault("ocp_aksk_clock_behind", "OCP", "AK/SK signing, OCP's clock 20 min behind",
       "clear HTTP 401 error that mentions the clocks, never retried (1 request)")
def _ocp_aksk_clock_behind(ctx):
    sim = ctx.ocp()
    sim.clock.skew = -20 * 60

    def check(outcome):
        failed(outcome, "HTTP 401", "clock")
        assert len(logged(sim, TASKS)) == 1
    args = dict(url=sim.url, access_key_id="AKIDFAULTS", access_key_secret="faults-secret-key", cluster_id=1)
    return Case("ocp_aksk_clock_behind", "ocp", args), check


@fault("ocp_aksk_clock_within", "OCP", "AK/SK signing, OCP's clock 10 min ahead (inside the 15 min window)", "success")
def _ocp_aksk_clock_within(ctx):
    sim = ctx.ocp()
    sim.clock.skew = 10 * 60

    def check(outcome):
        assert ok(outcome)["retries"] == 0
    args = dict(url=sim.url, access_key_id="AKIDFAULTS", access_key_secret="faults-secret-key", cluster_id=1)
    return Case("ocp_aksk_clock_within", "ocp", args), check


@fault("ocp_basic_clock_ahead", "OCP", "HTTP Basic, OCP's clock 20 min ahead", "success (Basic is not dated)")
def _ocp_basic_clock_ahead(ctx):
    sim = ctx.ocp()
    sim.clock.skew = 20 * 60

    def check(outcome):
        ok(outcome)
    return Case("ocp_basic_clock_ahead", "ocp", ocp_args(sim)), check


@fault("obshell_503_burst", "obshell", "HTTP 503 twice on the overview", "recovered: retries 2")
def _obshell_503_burst(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 503, "count": 2})

    def check(outcome):
        result = ok(outcome)
        assert result["retries"] == 2
        assert result["restore_overview"]["status"] == "WAIT_TENANT_RESTORE_FINISH"
        assert [entry["status"] for entry in logged(sim, OVERVIEW)] == [503, 503, 200]
    return Case("obshell_503_burst", "obshell", obshell_args(sim)), check


@fault("obshell_info_502_html", "obshell", "HTTP 502 HTML page on GET /api/v1/info", "recovered: retries 1")
def _obshell_info_502_html(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": "/api/v1/info", "kind": "html", "status": 502})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_info_502_html", "obshell", obshell_args(sim)), check


@fault("obshell_secret_reset", "obshell", "connection reset on GET /api/v1/secret", "recovered: retries 1")
def _obshell_secret_reset(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": "/api/v1/secret", "kind": "reset"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_secret_reset", "obshell", obshell_args(sim)), check


@fault("obshell_truncate", "obshell", "connection closed mid-body on the overview", "recovered: retries 1")
def _obshell_truncate(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "truncate"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_truncate", "obshell", obshell_args(sim)), check


@fault("obshell_invalid_json", "obshell", "HTTP 200 with a body that is not JSON", "recovered: retries 1")
def _obshell_invalid_json(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "invalid_json"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_invalid_json", "obshell", obshell_args(sim)), check


@fault("obshell_empty_body", "obshell", "HTTP 200 with an empty body", "recovered: retries 1")
def _obshell_empty_body(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "empty"})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_empty_body", "obshell", obshell_args(sim)), check


@fault("obshell_slow", "obshell", "an answer 3 s late with timeout: 1", "recovered: retries 1")
def _obshell_slow(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "slow", "delay": 3})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
    return Case("obshell_slow", "obshell", obshell_args(sim, timeout=1)), check


@fault("obshell_slow_forever", "obshell", "every answer 3 s late with timeout: 1",
       "clear error that names the timeout, after the retry budget (retries 3)")
def _obshell_slow_forever(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "slow", "delay": 3, "count": 0})

    def check(outcome):
        result = failed(outcome, "timeout")
        assert result["retries"] == 3
        assert len(logged(sim, OVERVIEW)) >= 3
    return Case("obshell_slow_forever", "obshell", obshell_args(sim, timeout=1)), check


@fault("obshell_429_retry_after", "obshell", "HTTP 429 with Retry-After: 2", "recovered: retries 1, the retry waited >= 2 s")
def _obshell_429_retry_after(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 429, "headers": {"Retry-After": "2"}})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        entries = logged(sim, OVERVIEW)
        assert gaps(entries)[0] >= 1.9, gaps(entries)
    return Case("obshell_429_retry_after", "obshell", obshell_args(sim)), check


@fault("obshell_retry_budget", "obshell", "HTTP 503 on every overview request",
       "clear error after the retry budget: 4 requests, retries 3")
def _obshell_retry_budget(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 503, "count": 0})

    def check(outcome):
        result = failed(outcome, "HTTP 503")
        assert result["retries"] == 3
        assert result["restore_overview"] is None
        assert len(logged(sim, OVERVIEW)) == 4
    return Case("obshell_retry_budget", "obshell", obshell_args(sim)), check


@fault("obshell_wrong_password", "obshell", "wrong root@sys password (HTTP 401 IncorrectOceanbasePassword)",
       "clear error, never retried (1 overview request)")
def _obshell_wrong_password(ctx):
    sim = ctx.obshell()

    def check(outcome):
        result = failed(outcome, "HTTP 401", "wrong password")
        assert result["retries"] == 0
        assert len(logged(sim, OVERVIEW)) == 1
    return Case("obshell_wrong_password", "obshell", obshell_args(sim, password="not-the-password")), check


@fault("obshell_not_cluster_agent", "obshell", "the agent is not a cluster agent (HTTP 400 Agent.Identify.NotSupportOperation)",
       "clear error, never retried (1 overview request)")
def _obshell_not_cluster_agent(ctx):
    sim = ctx.obshell(identity="MASTER")

    def check(outcome):
        result = failed(outcome, "HTTP 400", "not a cluster agent")
        assert result["retries"] == 0
        assert len(logged(sim, OVERVIEW)) == 1
    return Case("obshell_not_cluster_agent", "obshell", obshell_args(sim)), check


@fault("obshell_decrypt_once", "obshell", "HTTP 401 DecryptFailed once (a rotated key)",
       "recovered: the public key is read again once (2 GET /api/v1/secret), retries 1")
def _obshell_decrypt_once(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 401, "body": DECRYPT_FAILED})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        assert len(logged(sim, "/api/v1/secret")) == 2
    return Case("obshell_decrypt_once", "obshell", obshell_args(sim)), check


@fault("obshell_decrypt_once_legacy", "obshell", "HTTP 401 with legacy code 1 (pre-4.3.1.0 DecryptFailed) once",
       "recovered: the public key is read again once, retries 1")
def _obshell_decrypt_once_legacy(ctx):
    sim = ctx.obshell(version="4.2.5.0", error_style="legacy")
    sim.add_fault({"match": OVERVIEW, "status": 401, "body": DECRYPT_FAILED_LEGACY})

    def check(outcome):
        assert ok(outcome)["retries"] == 1
        assert len(logged(sim, "/api/v1/secret")) == 2
    return Case("obshell_decrypt_once_legacy", "obshell", obshell_args(sim)), check


@fault("obshell_decrypt_forever", "obshell", "HTTP 401 DecryptFailed on every request",
       "clear error after exactly one key re-read (2 overview requests, 2 GET /api/v1/secret)")
def _obshell_decrypt_forever(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 401, "body": DECRYPT_FAILED, "count": 0})

    def check(outcome):
        failed(outcome, "HTTP 401", "DecryptFailed", "freshly read public key")
        assert len(logged(sim, OVERVIEW)) == 2
        assert len(logged(sim, "/api/v1/secret")) == 2
    return Case("obshell_decrypt_forever", "obshell", obshell_args(sim)), check


@fault("obshell_no_data", "obshell", "HTTP 200 envelope without data on the overview",
       "clear error naming the missing data (a single read does not retry a well-formed envelope)")
def _obshell_no_data(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 200, "body": {"successful": True, "status": 200, "traceId": "00"}})

    def check(outcome):
        result = failed(outcome, "data")
        assert result["restore_overview"] is None
        assert len(logged(sim, OVERVIEW)) == 1
    return Case("obshell_no_data", "obshell", obshell_args(sim)), check


@fault("obshell_info_no_data", "obshell", "HTTP 200 envelope without data on GET /api/v1/info",
       "clear error naming /api/v1/info and the missing data")
def _obshell_info_no_data(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": "/api/v1/info", "status": 200, "body": {"successful": True, "status": 200}})

    def check(outcome):
        failed(outcome, "/api/v1/info", "data")
        assert len(logged(sim, OVERVIEW)) == 0
    return Case("obshell_info_no_data", "obshell", obshell_args(sim)), check


@fault("obshell_clock_ahead", "obshell",
       "the agent's clock 10 min ahead (headers dated by the controller would arrive expired)",
       "success: the header is dated by the agent's clock from /api/v1/info")
def _obshell_clock_ahead(ctx):
    sim = ctx.obshell()
    sim.clock.skew = 10 * 60

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["status"] == "WAIT_TENANT_RESTORE_FINISH"
        assert [entry["status"] for entry in logged(sim, OVERVIEW)] == [200]
    return Case("obshell_clock_ahead", "obshell", obshell_args(sim)), check


@fault("obshell_clock_behind", "obshell", "the agent's clock 10 min behind", "success")
def _obshell_clock_behind(ctx):
    sim = ctx.obshell()
    sim.clock.skew = -10 * 60

    def check(outcome):
        ok(outcome)
    return Case("obshell_clock_behind", "obshell", obshell_args(sim)), check


# --- faults during a wait: the wait deadline bounds everything -----------------------------------

def _finish_ocp(ctx, holder, after, task_id=21):
    """Finish the OCP task once ``after`` clean polls have been answered."""
    ctx.triggers.when("finish %s" % id(holder), lambda: holder.sim, TASKS,
                      lambda: holder.sim.set_status(task_id, "RESTORE_SUCCESS", progress="100%"), count=after)


def _finish_obshell(ctx, holder, after, tenant="running_tenant"):
    ctx.triggers.when("finish %s" % id(holder), lambda: holder.sim, OVERVIEW,
                      lambda: holder.sim.set_overview(tenant, "SUCCESS"), count=after)


@fault("ocp_wait_503_beyond_budget", "OCP", "6 x HTTP 503 (Retry-After: 0) after the first poll of a wait: more than one read's budget",
       "recovered: the wait goes on past the exhausted read and completes; retries > 3", group="wait")
def _ocp_wait_503_beyond_budget(ctx):
    holder = Holder(ctx.ocp())
    holder.sim.add_fault({"match": TASKS, "status": 503, "headers": {"Retry-After": "0"}, "count": 6, "after": 1})
    _finish_ocp(ctx, holder, after=2)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_task"]["phase"] == "COMPLETED"
        assert result["retries"] > 3
        assert len(logged(holder.sim, TASKS, 503)) == 6
    return Case("ocp_wait_503_beyond_budget", "ocp", ocp_wait_args(holder.sim)), check


@fault("obshell_wait_503_beyond_budget", "obshell", "6 x HTTP 503 (Retry-After: 0) after the first poll of a wait",
       "recovered: the wait completes; retries > 3", group="wait")
def _obshell_wait_503_beyond_budget(ctx):
    holder = Holder(ctx.obshell())
    holder.sim.add_fault({"match": OVERVIEW, "status": 503, "headers": {"Retry-After": "0"}, "count": 6, "after": 1})
    _finish_obshell(ctx, holder, after=2)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["phase"] == "COMPLETED"
        assert result["retries"] > 3
    return Case("obshell_wait_503_beyond_budget", "obshell", obshell_wait_args(holder.sim)), check


@fault("ocp_wait_reset_truncate", "OCP", "a connection reset and a cut-off body during a wait",
       "recovered: the wait completes; retries 2", group="wait")
def _ocp_wait_reset_truncate(ctx):
    holder = Holder(ctx.ocp())
    holder.sim.add_fault({"match": TASKS, "kind": "reset", "after": 1})
    holder.sim.add_fault({"match": TASKS, "kind": "truncate", "after": 2})
    _finish_ocp(ctx, holder, after=2)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_task"]["phase"] == "COMPLETED"
        assert result["retries"] >= 2
    return Case("ocp_wait_reset_truncate", "ocp", ocp_wait_args(holder.sim)), check


@fault("ocp_wait_deadline_429", "OCP", "HTTP 429 with Retry-After: 30 on every poll after the first, wait_timeout: 3",
       "timed out at the deadline (never sleeps past it): the message names the last status, progress and the 429; "
       "restore_task is the last good state", group="wait")
def _ocp_wait_deadline_429(ctx):
    sim = ctx.ocp()
    sim.add_fault({"match": TASKS, "status": 429, "headers": {"Retry-After": "30"}, "count": 0, "after": 1})

    def check(outcome):
        result = failed(outcome, "timed out after", "RESTORE_WAIT_LS", "42%", "429")
        assert result["timed_out"] is True
        assert result["elapsed"] <= 3 + 1.0, result["elapsed"]
        assert result["restore_task"]["status"] == "RESTORE_WAIT_LS"
        assert result["restore_task"]["progress"] == "42%"
        assert result["retries"] >= 1
    return Case("ocp_wait_deadline_429", "ocp", ocp_wait_args(sim, wait_timeout=3)), check


@fault("obshell_wait_deadline_slow", "obshell", "every poll after the first answers 8 s late (timeout: 30), wait_timeout: 3",
       "timed out at the deadline (the request timeout is cut to the time left); the last good state is in the result",
       group="wait")
def _obshell_wait_deadline_slow(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "kind": "slow", "delay": 8, "count": 0, "after": 1})

    def check(outcome):
        result = failed(outcome, "timed out after", "WAIT_TENANT_RESTORE_FINISH", "45.50")
        assert result["timed_out"] is True
        assert result["elapsed"] <= 3 + 1.0, result["elapsed"]
        assert result["restore_overview"]["restore_progress"] == "45.50"
    return Case("obshell_wait_deadline_slow", "obshell", obshell_wait_args(sim, wait_timeout=3, timeout=30)), check


@fault("ocp_wait_server_restart", "OCP",
       "OCP restarts during a wait: connections reset, port closed for 1.5 s, a new server on the same port",
       "recovered: the wait completes against the new server; retries > 0", group="wait")
def _ocp_wait_server_restart(ctx):
    holder = Holder(ctx.ocp())

    def do_restart():
        holder.sim = restart(holder.first, ctx.ocp_restarted)
    ctx.triggers.when("restart ocp", lambda: holder.first, TASKS, do_restart, count=1)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_task"]["phase"] == "COMPLETED"
        assert result["retries"] > 0
        assert holder.sim is not holder.first and logged(holder.sim, TASKS, 200)
    return Case("ocp_wait_server_restart", "ocp", ocp_wait_args(holder.sim)), check


@fault("obshell_wait_server_restart", "obshell",
       "the agent restarts during a wait (with a new RSA key): connections reset, port closed for 1.5 s",
       "recovered: the key is read again from the new agent and the wait completes; retries > 0", group="wait")
def _obshell_wait_server_restart(ctx):
    holder = Holder(ctx.obshell())

    def do_restart():
        holder.sim = restart(holder.first, ctx.obshell_restarted)
    ctx.triggers.when("restart obshell", lambda: holder.first, OVERVIEW, do_restart, count=1)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["phase"] == "COMPLETED"
        assert result["retries"] > 0
        assert holder.sim is not holder.first
        assert logged(holder.sim, "/api/v1/secret"), "the new agent's key was never read"
    return Case("obshell_wait_server_restart", "obshell", obshell_wait_args(holder.sim)), check


@fault("obshell_wait_key_rotation", "obshell", "the agent's RSA key rotates from 512 to 1024 bits during a wait",
       "recovered: one HTTP 401 DecryptFailed, the key is read again, the wait completes; retries >= 1", group="wait")
def _obshell_wait_key_rotation(ctx):
    holder = Holder(ctx.obshell(OBSHELL_LEGACY))
    ctx.triggers.when("rotate key", lambda: holder.sim, OVERVIEW, lambda: holder.sim.rotate_key(1024), count=1)
    _finish_obshell(ctx, holder, after=3)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["phase"] == "COMPLETED"
        assert result["retries"] >= 1
        assert holder.sim.key_bits == 1024
        assert len(logged(holder.sim, OVERVIEW, 401)) == 1
        assert len(logged(holder.sim, "/api/v1/secret")) == 2
    return Case("obshell_wait_key_rotation", "obshell", obshell_wait_args(holder.sim)), check


@fault("ocp_wait_unknown_status", "OCP", "an unknown status (RESTORE_QUANTUM_LEAP) for 3 polls, then RESTORE_SUCCESS",
       "the wait goes on (phase RUNNING) and completes", group="wait")
def _ocp_wait_unknown_status(ctx):
    holder = Holder(ctx.ocp())
    _finish_ocp(ctx, holder, after=3, task_id=22)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_task"]["status"] == "RESTORE_SUCCESS"
        assert result["polls"] >= 3
    return Case("ocp_wait_unknown_status", "ocp", ocp_wait_args(holder.sim, task_id=22)), check


@fault("ocp_wait_unknown_status_timeout", "OCP", "an unknown status (RESTORE_QUANTUM_LEAP) until wait_timeout: 2",
       "timed out; the message reports the unknown status as phase RUNNING with its progress", group="wait")
def _ocp_wait_unknown_status_timeout(ctx):
    sim = ctx.ocp()

    def check(outcome):
        result = failed(outcome, "timed out after", "RESTORE_QUANTUM_LEAP", "phase RUNNING", "7%")
        assert result["restore_task"]["status"] == "RESTORE_QUANTUM_LEAP"
        assert result["restore_task"]["phase"] == "RUNNING"
    return Case("ocp_wait_unknown_status_timeout", "ocp", ocp_wait_args(sim, task_id=22, wait_timeout=2)), check


@fault("obshell_wait_unknown_status", "obshell",
       "an unknown status (PHYSICAL_RESTORE_WAIT_QUICK_RESTORE_FINISH) for 3 polls, then SUCCESS",
       "the wait goes on (phase RUNNING) and completes", group="wait")
def _obshell_wait_unknown_status(ctx):
    holder = Holder(ctx.obshell())
    _finish_obshell(ctx, holder, after=3, tenant="unknown_tenant")

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["status"] == "SUCCESS"
        assert result["polls"] >= 3
    return Case("obshell_wait_unknown_status", "obshell", obshell_wait_args(holder.sim, tenant="unknown_tenant")), check


@fault("obshell_wait_unknown_status_timeout", "obshell", "an unknown status until wait_timeout: 2",
       "timed out; the message reports the unknown status as phase RUNNING", group="wait")
def _obshell_wait_unknown_status_timeout(ctx):
    sim = ctx.obshell()

    def check(outcome):
        result = failed(outcome, "timed out after", "PHYSICAL_RESTORE_WAIT_QUICK_RESTORE_FINISH", "phase RUNNING")
        assert result["restore_overview"]["phase"] == "RUNNING"
    args = obshell_wait_args(sim, tenant="unknown_tenant", wait_timeout=2)
    return Case("obshell_wait_unknown_status_timeout", "obshell", args), check


@fault("ocp_wait_password_revoked", "OCP", "the password is changed on OCP during a wait (HTTP 401)",
       "clear error at once, never retried (one 401); restore_task is the last good state", group="wait")
def _ocp_wait_password_revoked(ctx):
    sim = ctx.ocp()
    ctx.triggers.when("revoke ocp password", lambda: sim, TASKS,
                      lambda: sim.users.__setitem__("admin", "rotated-password"), count=1)

    def check(outcome):
        result = failed(outcome, "HTTP 401")
        assert result["restore_task"]["status"] == "RESTORE_WAIT_LS"
        assert result["restore_task"]["progress"] == "42%"
        assert len(logged(sim, TASKS, 401)) == 1
    return Case("ocp_wait_password_revoked", "ocp", ocp_wait_args(sim)), check


@fault("obshell_wait_password_changed", "obshell", "the root@sys password changes during a wait (HTTP 401)",
       "clear error at once, never retried (one 401); restore_overview is the last good state", group="wait")
def _obshell_wait_password_changed(ctx):
    sim = ctx.obshell()
    ctx.triggers.when("change obshell password", lambda: sim, OVERVIEW,
                      lambda: setattr(sim, "root_password", "rotated-password"), count=1)

    def check(outcome):
        result = failed(outcome, "HTTP 401", "wrong password")
        assert result["restore_overview"]["status"] == "WAIT_TENANT_RESTORE_FINISH"
        assert result["restore_overview"]["restore_progress"] == "45.50"
        assert len(logged(sim, OVERVIEW, 401)) == 1
    return Case("obshell_wait_password_changed", "obshell", obshell_wait_args(sim)), check


@fault("ocp_wait_no_contents", "OCP", "two HTTP 200 envelopes without data.contents during a wait",
       "recovered: the wait completes; retries >= 2", group="wait")
def _ocp_wait_no_contents(ctx):
    holder = Holder(ctx.ocp())
    holder.sim.add_fault({"match": TASKS, "status": 200, "count": 2, "after": 1,
                          "body": {"successful": True, "status": 200, "data": {}}})
    _finish_ocp(ctx, holder, after=2)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_task"]["phase"] == "COMPLETED"
        assert result["retries"] >= 2
    return Case("ocp_wait_no_contents", "ocp", ocp_wait_args(holder.sim)), check


@fault("obshell_wait_no_data", "obshell", "two HTTP 200 envelopes without data during a wait",
       "recovered: the wait completes; retries >= 2", group="wait")
def _obshell_wait_no_data(ctx):
    holder = Holder(ctx.obshell())
    holder.sim.add_fault({"match": OVERVIEW, "status": 200, "count": 2, "after": 1,
                          "body": {"successful": True, "status": 200}})
    _finish_obshell(ctx, holder, after=2)

    def check(outcome):
        result = ok(outcome)
        assert result["restore_overview"]["phase"] == "COMPLETED"
        assert result["retries"] >= 2
    return Case("obshell_wait_no_data", "obshell", obshell_wait_args(holder.sim)), check


# --- the role: one module run per report interval, faults in and between them --------------------

def _role_vars(api, sim, **extra):
    variables = dict(wait_for_restore_api=api, wait_for_restore_url=sim.url, wait_for_restore_timeout=40,
                     wait_for_restore_poll_interval=1, wait_for_restore_report_interval=2)
    if api == "ocp":
        variables.update(wait_for_restore_username="admin", wait_for_restore_password="admin-password",
                         wait_for_restore_cluster_id=1, wait_for_restore_tenant_name="restored_tenant")
    else:
        variables.update(wait_for_restore_password="root-password", wait_for_restore_tenant_name="running_tenant")
    variables.update(extra)
    return variables


def role_ok(outcome):
    assert outcome.record is not None, "no result"
    assert not outcome.failed, "the role failed: %s" % outcome.msg
    return outcome.result["wait_for_restore_result"]


@fault("role_ocp_503_and_reset", "role (OCP)", "HTTP 503 x 3 and a connection reset during the role's wait",
       "recovered: the role completes; wait_for_restore_result.retries >= 4", group="role")
def _role_ocp_503_and_reset(ctx):
    holder = Holder(ctx.ocp())
    holder.sim.add_fault({"match": TASKS, "status": 503, "count": 3, "after": 1})
    # Faults are consulted in order: the reset fault sees only what the 503 fault let through.
    holder.sim.add_fault({"match": TASKS, "kind": "reset", "after": 2})
    _finish_ocp(ctx, holder, after=3)

    def check(outcome):
        result = role_ok(outcome)
        assert result["outcome"] == "completed"
        assert int(result["retries"]) >= 4
    return Case("role_ocp_503_and_reset", "role", role_vars=_role_vars("ocp", holder.sim)), check


@fault("role_obshell_key_rotation", "role (obshell)",
       "the agent's key rotates from 512 to 1024 bits during one of the role's module runs (report interval 10 s)",
       "recovered: the role completes; retries >= 1", group="role")
def _role_obshell_key_rotation(ctx):
    holder = Holder(ctx.obshell(OBSHELL_LEGACY))
    ctx.triggers.when("rotate key (role)", lambda: holder.sim, OVERVIEW, lambda: holder.sim.rotate_key(1024), count=1)
    _finish_obshell(ctx, holder, after=3)

    def check(outcome):
        result = role_ok(outcome)
        assert result["outcome"] == "completed"
        assert int(result["retries"]) >= 1
        assert holder.sim.key_bits == 1024
    variables = _role_vars("obshell", holder.sim, wait_for_restore_report_interval=10)
    return Case("role_obshell_key_rotation", "role", role_vars=variables), check


@fault("role_obshell_server_restart", "role (obshell)",
       "the agent restarts during one of the role's module runs (report interval 10 s)",
       "recovered: the role completes; retries > 0", group="role")
def _role_obshell_server_restart(ctx):
    holder = Holder(ctx.obshell())

    def do_restart():
        holder.sim = restart(holder.first, ctx.obshell_restarted)
    ctx.triggers.when("restart obshell (role)", lambda: holder.first, OVERVIEW, do_restart, count=2)

    def check(outcome):
        result = role_ok(outcome)
        assert result["outcome"] == "completed"
        assert int(result["retries"]) > 0
    variables = _role_vars("obshell", holder.sim, wait_for_restore_report_interval=10)
    return Case("role_obshell_server_restart", "role", role_vars=variables), check


@fault("role_deadline", "role (obshell)",
       "HTTP 503 on every poll after the first, wait_for_restore_timeout: 3 (report interval 2 s: two module runs)",
       "the role fails at the deadline with a timed-out message naming the last status and progress; "
       "wait_for_restore_result.record is the last good state", group="role")
def _role_deadline(ctx):
    sim = ctx.obshell()
    sim.add_fault({"match": OVERVIEW, "status": 503, "count": 0, "after": 1})

    def check(outcome):
        assert outcome.failed, "the role did not fail: %r" % outcome
        result = outcome.result["wait_for_restore_result"]
        assert result["outcome"] == "timed_out"
        # One module run per report window, none after the deadline; the module runs keep their own
        # deadlines (see the module cases). Module start-up is not a sleep, but a busy machine makes
        # it slow, hence the margin on the whole.
        assert int(result["module_runs"]) <= 2, result["module_runs"]
        assert float(result["elapsed"]) <= 3 + 5, result["elapsed"]
        assert "timed out after" in outcome.msg.lower(), outcome.msg
        # Nothing lost: the last state a poll saw (in the first module run) is reported.
        assert "WAIT_TENANT_RESTORE_FINISH" in outcome.msg and "45.50" in outcome.msg, outcome.msg
        assert (result["record"] or {}).get("status") == "WAIT_TENANT_RESTORE_FINISH", result["record"]
    return Case("role_deadline", "role", role_vars=_role_vars("obshell", sim, wait_for_restore_timeout=3)), check


@fault("role_unknown_status", "role (OCP)", "an unknown status (RESTORE_QUANTUM_LEAP) for 3 polls",
       "the progress lines report it (phase RUNNING) and the role goes on to completion", group="role")
def _role_unknown_status(ctx):
    holder = Holder(ctx.ocp())
    _finish_ocp(ctx, holder, after=3, task_id=22)

    def check(outcome):
        result = role_ok(outcome)
        assert result["outcome"] == "completed"
        assert "Restore progress: phase RUNNING, status RESTORE_QUANTUM_LEAP" in outcome.stdout
    variables = _role_vars("ocp", holder.sim, wait_for_restore_task_id=22)
    variables.pop("wait_for_restore_tenant_name")
    return Case("role_unknown_status", "role", role_vars=variables), check


@fault("role_wrong_password", "role (OCP)", "wrong password (HTTP 401) in the role",
       "the role fails at once (no waiting until the timeout) with the credentials message", group="role")
def _role_wrong_password(ctx):
    sim = ctx.ocp()

    def check(outcome):
        assert outcome.failed, "the role did not fail: %r" % outcome
        assert "HTTP 401" in outcome.msg and "check username/password" in outcome.msg, outcome.msg
        assert float(outcome.result["wait_for_restore_result"]["elapsed"]) < 10
        assert len(logged(sim, TASKS)) == 1
    return Case("role_wrong_password", "role", role_vars=_role_vars("ocp", sim, wait_for_restore_password="wrong")), check


# --- the tests -----------------------------------------------------------------------------------

def _run_group(group, ansible, ocp_sim, obshell_sim, forks=8):
    ctx = Context(ocp_sim, obshell_sim)
    built = [(item, item.build(ctx)) for item in CATALOGUE if item.group == group]
    cases = [case for _item, (case, _check) in built]
    outcome = run_cases(ansible, cases, forks=forks, triggers=ctx.triggers)
    assert "Traceback" not in outcome.run.stdout + outcome.run.stderr, outcome.run
    failures = []
    for item, (case, check) in built:
        result = outcome[case.id]
        try:
            check(result)
        except AssertionError as exc:
            failures.append("%s: %s\n    %r" % (item.id, exc, result))
    ctx.triggers.check()
    check_all(failures)
    return outcome


def test_single_read_faults(ansible, ocp_sim, obshell_sim):
    _run_group("single_read", ansible, ocp_sim, obshell_sim)


def test_faults_during_a_wait(ansible, ocp_sim, obshell_sim):
    _run_group("wait", ansible, ocp_sim, obshell_sim)


def test_faults_during_the_role(ansible, ocp_sim, obshell_sim):
    _run_group("role", ansible, ocp_sim, obshell_sim)


def docs_tool():
    """tools/gen_reliability_docs.py, imported from its path."""
    spec = importlib.util.spec_from_file_location("gen_reliability_docs", str(ROOT / "tools" / "gen_reliability_docs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_faults_doc_is_current():
    """docs/faults.md is generated from CATALOGUE (python tools/gen_reliability_docs.py)."""
    assert docs_tool().is_current("faults"), (
        "docs/faults.md differs from the fault catalogue of tests/integration/test_faults.py: "
        "run .venv/bin/python tools/gen_reliability_docs.py")


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_group_has_cases(group):
    assert [item for item in CATALOGUE if item.group == group]

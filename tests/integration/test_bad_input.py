# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Bad input: every option of both modules and of the role, with a wrong type, an impossible value
or a conflicting combination, fails before any request with a message that names the option.

Each case starts from a complete, valid set of options against an HTTPS simulator (so that a case
that wrongly went ahead would show up in the simulator's log, under the case's own URL path) and
changes one thing. ``CASES`` is the table of docs/bad-input.md (tools/gen_reliability_docs.py);
``test_bad_input_doc_is_current`` keeps the two in step.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from casebook import MODULE_OPTIONS, Case, check_all, run_cases
from certs import make_pki

ROOT = Path(__file__).resolve().parents[2]
OCP_MODULE = "ocp_restore_task_info"
OBSHELL_MODULE = "obshell_restore_overview_info"
ROLE = "wait_for_restore"
UNSET = object()  # the option is left out
MISSING_FILE = "/nonexistent/oceanbase-ops/missing.pem"


class Bad:
    """One bad input: ``option`` set to ``value`` (UNSET: left out) on top of the valid options,
    plus ``also`` (other options changed at the same time, UNSET to leave one out). The error
    message must contain every string of ``expect``. ``shown`` is the value as the table prints it."""

    def __init__(self, target, option, value, expect, also=None, shown=None, api="ocp"):
        self.target = target
        self.option = option
        self.value = value
        self.expect = (expect,) if isinstance(expect, str) else tuple(expect)
        self.also = dict(also or {})
        self.api = api if target == ROLE else ("obshell" if target == OBSHELL_MODULE else "ocp")
        if shown is None:
            shown = "(not set)" if value is UNSET else json.dumps(value)
            extra = ["%s %s" % (name, "not set" if other is UNSET else json.dumps(other)) for name, other in self.also.items()]
            if extra:
                shown += ", with " + ", ".join(extra)
        self.shown = shown


def _ocp(option, value, expect, **kwargs):
    return Bad(OCP_MODULE, option, value, expect, **kwargs)


def _obshell(option, value, expect, **kwargs):
    return Bad(OBSHELL_MODULE, option, value, expect, **kwargs)


def _role(option, value, expect, **kwargs):
    return Bad(ROLE, "wait_for_restore_" + option, value, expect, **kwargs)


CASES = [
    # --- oceanbase.ops.ocp_restore_task_info -----------------------------------------------------
    _ocp("url", UNSET, "url", shown="(not set, no OCEANBASE_OCP_URL)"),
    _ocp("url", "ocp.example.com:8080", ("url", "http://")),
    _ocp("username", "admin", ("username", "password"), also={"password": UNSET}),
    _ocp("password", "admin-password", ("password", "username"), also={"username": UNSET}),
    _ocp("access_key_id", "AKIDFAULTS", ("access_key_id", "access_key_secret"),
         also={"username": UNSET, "password": UNSET}),
    _ocp("access_key_secret", "faults-secret-key", ("access_key_secret", "access_key_id"),
         also={"username": UNSET, "password": UNSET}),
    _ocp("access_key_id", "AKIDFAULTS", ("username/password", "access_key_id/access_key_secret"),
         also={"access_key_secret": "faults-secret-key"}, shown='"AKIDFAULTS" and access_key_secret, with username and password'),
    _ocp("username", UNSET, ("username", "access_key_id"), also={"password": UNSET},
         shown="(no username/password, no access_key_id/access_key_secret)"),
    _ocp("validate_certs", "maybe", "validate_certs"),
    _ocp("ca_path", MISSING_FILE, "ca_path"),
    _ocp("timeout", "soon", "timeout"),
    _ocp("timeout", 0, "timeout"),
    _ocp("cluster_id", UNSET, "cluster_id"),
    _ocp("cluster_id", "one", "cluster_id"),
    _ocp("cluster_id", 0, "cluster_id"),
    _ocp("tenant_id", "abc", "tenant_id"),
    _ocp("tenant_id", -3, "tenant_id"),
    _ocp("start_time", "yesterday", "start_time"),
    _ocp("end_time", "2024-13-45T00:00:00Z", "end_time"),
    _ocp("start_time", "2024-08-07T00:00:00Z", ("start_time", "end_time"), also={"end_time": "2024-08-06T00:00:00Z"}),
    _ocp("restore_cluster_names", ["obcluster,other"], "restore_cluster_names"),
    _ocp("restore_cluster_names", {"name": "obcluster"}, "restore_cluster_names"),
    _ocp("statuses", [""], "statuses"),
    _ocp("restore_tenant_name", "", "restore_tenant_name"),
    _ocp("task_id", "eleven", "task_id"),
    _ocp("task_id", 0, "task_id"),
    _ocp("latest", "sometimes", "latest"),
    _ocp("started_after", "last tuesday", "started_after"),
    _ocp("started_after", "2024-02-30T00:00:00Z", "started_after"),
    _ocp("page_size", 0, "page_size"),
    _ocp("page_size", 2001, "page_size"),
    _ocp("page_size", "big", "page_size"),
    _ocp("wait", "maybe", "wait"),
    _ocp("wait", True, ("wait", "task_id", "latest")),
    _ocp("wait_timeout", -1, "wait_timeout", also={"task_id": 21, "wait": True}),
    _ocp("wait_timeout", "forever", "wait_timeout"),
    _ocp("wait_sleep", 0, "wait_sleep", also={"task_id": 21, "wait": True}),
    _ocp("wait_sleep", "often", "wait_sleep"),
    _ocp("cluster", 1, "cluster", shown="1 (no such option)"),
    # --- oceanbase.ops.obshell_restore_overview_info ---------------------------------------------
    _obshell("url", UNSET, "url", shown="(not set, no OCEANBASE_OBSHELL_URL)"),
    _obshell("url", "10.0.0.1:2886", ("url", "http://")),
    _obshell("password", UNSET, ("password", "agent_password"), shown="(no password, no agent_password)"),
    _obshell("agent_password", "", ("password", "agent_password"), also={"password": UNSET}, shown='"" (and no password)'),
    _obshell("validate_certs", "maybe", "validate_certs"),
    _obshell("ca_path", MISSING_FILE, "ca_path"),
    _obshell("client_cert", MISSING_FILE, "client_cert"),
    _obshell("client_key", MISSING_FILE, "client_key", also={"client_cert": "(the test client certificate)"}),
    _obshell("client_key", "(the test client key)", ("client_key", "client_cert"), shown="a key file, without client_cert"),
    _obshell("timeout", -1, "timeout"),
    _obshell("timeout", "soon", "timeout"),
    _obshell("tenant_name", UNSET, "tenant_name"),
    _obshell("tenant_name", "", "tenant_name"),
    _obshell("tenant_name", "   ", "tenant_name"),
    _obshell("tenant_name", "sys", "tenant_name"),
    _obshell("tenant_name", "SYS", "tenant_name"),
    _obshell("started_after", "not a time", "started_after"),
    _obshell("wait", "maybe", "wait"),
    _obshell("wait_timeout", -5, "wait_timeout", also={"wait": True}),
    _obshell("wait_sleep", 0, "wait_sleep", also={"wait": True}),
    _obshell("tenant", "running_tenant", "tenant", shown='"running_tenant" (no such option)'),
    # --- role oceanbase.ops.wait_for_restore -----------------------------------------------------
    _role("api", UNSET, "wait_for_restore_api"),
    _role("api", "mysql", "wait_for_restore_api"),
    _role("url", UNSET, "url", shown="(not set, no OCEANBASE_OCP_URL)"),
    _role("url", "ftp://ocp.example.com", "url"),
    _role("username", "admin", ("username", "password"), also={"wait_for_restore_password": UNSET}),
    _role("access_key_id", "AKIDFAULTS", ("access_key_id", "access_key_secret"),
          also={"wait_for_restore_username": UNSET, "wait_for_restore_password": UNSET}),
    _role("access_key_secret", "faults-secret-key", ("access_key_secret", "access_key_id"),
          also={"wait_for_restore_username": UNSET, "wait_for_restore_password": UNSET}),
    _role("password", UNSET, "password", also={"wait_for_restore_username": UNSET}, api="obshell",
          shown="(not set, api obshell, no agent password)"),
    _role("agent_password", "", ("password", "agent_password"), also={"wait_for_restore_password": UNSET}, api="obshell",
          shown='"" (and no wait_for_restore_password, api obshell)'),
    _role("validate_certs", "maybe", "wait_for_restore_validate_certs"),
    _role("ca_path", MISSING_FILE, "ca_path"),
    _role("client_cert", MISSING_FILE, "client_cert", api="obshell"),
    _role("client_key", "(the test client key)", ("client_key", "client_cert"), api="obshell",
          shown="a key file, without wait_for_restore_client_cert"),
    _role("cluster_id", UNSET, "wait_for_restore_cluster_id"),
    _role("cluster_id", "one", "wait_for_restore_cluster_id"),
    _role("cluster_id", 0, "cluster_id"),
    _role("tenant_id", "abc", "wait_for_restore_tenant_id"),
    _role("tenant_id", -1, "tenant_id"),
    _role("task_id", "eleven", "wait_for_restore_task_id"),
    _role("task_id", 0, "task_id"),
    _role("tenant_name", UNSET, ("wait_for_restore_task_id", "wait_for_restore_tenant_name"),
          shown="(not set, api ocp, no wait_for_restore_task_id)"),
    _role("tenant_name", UNSET, "wait_for_restore_tenant_name", api="obshell", shown="(not set, api obshell)"),
    _role("tenant_name", "sys", "tenant_name", api="obshell"),
    _role("started_after", "not a time", "started_after"),
    _role("timeout", -1, "wait_timeout"),
    _role("timeout", "soon", "wait_for_restore_timeout"),
    _role("poll_interval", 0, "poll_interval"),
    _role("poll_interval", "often", "wait_for_restore_poll_interval"),
    _role("report_interval", 0, "report_interval"),
    _role("report_interval", [60], "wait_for_restore_report_interval"),
    _role("in_process", "sometimes", "wait_for_restore_in_process"),
]

TARGET_TITLES = {
    OCP_MODULE: "Module `oceanbase.ops.ocp_restore_task_info`",
    OBSHELL_MODULE: "Module `oceanbase.ops.obshell_restore_overview_info`",
    ROLE: "Role `oceanbase.ops.wait_for_restore`",
}


def _placeholders(value, pki):
    """Test files stand in for the table's '(the test client ...)' values."""
    return {"(the test client certificate)": pki.client_cert, "(the test client key)": pki.client_key}.get(value, value) \
        if isinstance(value, str) else value


def _options(bad, index, ocp_sim, obshell_sim, pki):
    """The case's options: the valid base for its target and API, then its changes."""
    sim = obshell_sim if bad.api == "obshell" else ocp_sim
    url = "%s/case%02d" % (sim.url, index)
    if bad.target == ROLE:
        base = dict(api=bad.api, url=url, ca_path=pki.ca, timeout=3, poll_interval=1, report_interval=2)
        if bad.api == "ocp":
            base.update(username="admin", password="admin-password", cluster_id=1, tenant_name="restored_tenant")
        else:
            base.update(password="root-password", tenant_name="running_tenant")
        options = dict(("wait_for_restore_" + name, value) for name, value in base.items())
    elif bad.api == "ocp":
        options = dict(url=url, username="admin", password="admin-password", cluster_id=1, ca_path=pki.ca)
    else:
        options = dict(url=url, password="root-password", tenant_name="running_tenant", ca_path=pki.ca)
    changes = dict(bad.also)
    changes[bad.option] = bad.value
    for name, value in changes.items():
        if value is UNSET:
            options.pop(name, None)
        else:
            options[name] = _placeholders(value, pki)
    return options


def _cases(ocp_sim, obshell_sim, pki, targets):
    cases = []
    for index, bad in enumerate(CASES):
        if bad.target not in targets:
            continue
        options = _options(bad, index, ocp_sim, obshell_sim, pki)
        case_id = "case%02d" % index
        if bad.target == ROLE:
            cases.append((bad, Case(case_id, "role", role_vars=options)))
        else:
            cases.append((bad, Case(case_id, bad.api, options)))
    return cases


def _run(targets, ansible, ocp_sim, obshell_sim, tmp_path):
    pki = make_pki(tmp_path / "pki")
    ocp = ocp_sim("ocp-faults-base.yml", tls=pki.server_tls())
    obshell = obshell_sim("obshell-faults-base.yml", tls=pki.server_tls())
    built = _cases(ocp, obshell, pki, targets)
    outcome = run_cases(ansible, [case for _bad, case in built], forks=6)
    failures = []
    for bad, case in built:
        result = outcome[case.id]
        label = "%s: %s %s = %s" % (case.id, bad.target, bad.option, bad.shown)
        if result.record is None:
            failures.append("%s: no result" % label)
        elif not result.failed:
            failures.append("%s: did not fail" % label)
        else:
            missing = [text for text in bad.expect if text.lower() not in result.msg.lower()]
            if missing:
                failures.append("%s: the message does not name %s: %r" % (label, missing, result.msg))
    for sim in (ocp, obshell):
        for entry in sim.log:
            failures.append("%s received %s %s: a case went as far as a request" % (sim.name, entry["method"], entry["target"]))
    check_all(failures)


def test_ocp_module_bad_input(ansible, ocp_sim, obshell_sim, tmp_path):
    _run((OCP_MODULE,), ansible, ocp_sim, obshell_sim, tmp_path)


def test_obshell_module_bad_input(ansible, ocp_sim, obshell_sim, tmp_path):
    _run((OBSHELL_MODULE,), ansible, ocp_sim, obshell_sim, tmp_path)


def test_role_bad_input(ansible, ocp_sim, obshell_sim, tmp_path):
    _run((ROLE,), ansible, ocp_sim, obshell_sim, tmp_path)


def _dict_keywords(node):
    return [keyword.arg for keyword in node.keywords] if isinstance(node, ast.Call) else []


def module_option_names(module_file):
    """The options of a module: the generate_argspec() keywords of the argument_spec() it imports from
    module_utils, plus the shared tables merged there (read from the source, so the check needs no
    import of the collection)."""
    shared = {}
    for node in ast.parse((ROOT / "plugins" / "module_utils" / "_module.py").read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            shared[node.targets[0].id] = _dict_keywords(node.value)
    sources = [ROOT / "plugins" / "modules" / module_file]
    for node in ast.walk(ast.parse(sources[0].read_text())):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "argument_spec" for alias in node.names):
            sources.append(ROOT / "plugins" / "module_utils" / (node.module.rsplit(".", 1)[1] + ".py"))
    names = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "generate_argspec":
                for arg in node.args:
                    names += shared[arg.id]
                names += [keyword.arg for keyword in node.keywords]
    return names


def role_variables():
    spec = yaml.safe_load((ROOT / "roles" / "wait_for_restore" / "meta" / "argument_specs.yml").read_text())
    return sorted(spec["argument_specs"]["main"]["options"])


@pytest.mark.parametrize("target", sorted(TARGET_TITLES))
def test_every_option_has_a_bad_input_case(target):
    """Every option (the modules' argument specs, the role's argument_specs.yml) has a row in the table."""
    options = role_variables() if target == ROLE else module_option_names(target + ".py")
    assert options
    covered = set(bad.option for bad in CASES if bad.target == target)
    assert sorted(set(options) - covered) == []


@pytest.mark.parametrize("kind, module_file", [("ocp", OCP_MODULE + ".py"), ("obshell", OBSHELL_MODULE + ".py")])
def test_case_tasks_pass_every_module_option(kind, module_file):
    """casebook.MODULE_OPTIONS (what the case tasks pass through) lists every option of the module."""
    assert sorted(MODULE_OPTIONS[kind]) == sorted(module_option_names(module_file))


def docs_tool():
    """tools/gen_reliability_docs.py, imported from its path."""
    spec = importlib.util.spec_from_file_location("gen_reliability_docs", str(ROOT / "tools" / "gen_reliability_docs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bad_input_doc_is_current():
    """docs/bad-input.md is generated from CASES (python tools/gen_reliability_docs.py)."""
    assert docs_tool().is_current("bad-input"), (
        "docs/bad-input.md differs from the case table of tests/integration/test_bad_input.py: "
        "run .venv/bin/python tools/gen_reliability_docs.py")

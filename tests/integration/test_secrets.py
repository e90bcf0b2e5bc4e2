# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Secret hygiene: every module and the role, at -vvvv, on success and failure paths (wrong
password, timeout, fault, bad input, a module crash), with distinctive secrets that must appear
nowhere: not in stdout, stderr, the task results the callbacks get, nor in an ansible-runner
artifact directory. Nor may any request header value (Authorization, X-OCS-Header,
X-OCS-Agent-Header) that the simulators received.

The secrets reach the tasks the way users pass them: as options, through the OCEANBASE_*
environment variables of a task, through module_defaults, and as role variables. (They are play
variables in the playbook file, never extra vars or the runner's own environment, which
ansible-runner records in its artifacts by design.)
"""

from __future__ import annotations

import base64
import copy
import json
import re
import sys
import textwrap
from pathlib import Path

import ansible_runner

from simulator.common import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "simulator" / "scenarios"

OCP_PASSWORD = "Pw-ocp-7f3a91"
OCP_SECRET_KEY = "Sk-ocp-4c8e22d0"
OBSHELL_PASSWORD = "Pw-obs-9d1b57"
AGENT_PASSWORD = "Pw-agent-2e6f08"
WRONG_PASSWORD = "Pw-wrong-5a5a3c"  # a wrong password is still a secret
WRONG_SECRET_KEY = "Sk-wrong-61be90"
SECRETS = (OCP_PASSWORD, OCP_SECRET_KEY, OBSHELL_PASSWORD, AGENT_PASSWORD, WRONG_PASSWORD, WRONG_SECRET_KEY)
HEADERS = ("Authorization", "X-OCS-Header", "X-OCS-Agent-Header")
AK_ID = "AKIDSECRETS"


def _basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


class Sims:
    """The simulators of the secret runs; ``headers`` collects every auth header value received."""

    def __init__(self, ocp_sim, obshell_sim):
        self.headers = []
        ocp = load_scenario(str(SCENARIOS / "ocp-faults-base.yml"))
        ocp["auth"] = {"users": {"admin": OCP_PASSWORD}, "access_keys": {AK_ID: OCP_SECRET_KEY}}
        self.ocp = self._capture(ocp_sim(ocp))
        self.ocp_fault = self._capture(ocp_sim(copy.deepcopy(ocp)))
        self.ocp_fault.add_fault({"match": "restoreTasks", "status": 503, "count": 0, "headers": {"Retry-After": "0"}})
        obshell = load_scenario(str(SCENARIOS / "obshell-faults-base.yml"))
        obshell["agent"]["root_password"] = OBSHELL_PASSWORD
        self.obshell = self._capture(obshell_sim(copy.deepcopy(obshell)))
        obshell["agent"]["agent_password"] = AGENT_PASSWORD
        self.agent = self._capture(obshell_sim(copy.deepcopy(obshell)))
        self.obshell_fault = self._capture(obshell_sim(copy.deepcopy(obshell)))
        self.obshell_fault.add_fault({"match": "restore/overview", "status": 503, "count": 0, "headers": {"Retry-After": "0"}})

    def _capture(self, sim):
        original = sim.app

        def app(request):
            for name in HEADERS:
                value = request.header(name)
                if value:
                    self.headers.append(value)
            return original(request)
        sim.app = app
        return sim

    def forbidden(self):
        """Every string that must not appear: the secrets, Basic tokens, received header values."""
        strings = set(SECRETS)
        for password in (OCP_PASSWORD, WRONG_PASSWORD):
            strings.add(_basic("admin", password))
        for value in self.headers:
            strings.add(value)
            token = value.split(" ", 1)[-1].split(":", 1)[-1]  # the credentials part of Authorization
            if len(token) >= 16:
                strings.add(token)
                strings.add(token[:24])
        return strings


# What each task must end with, so that every path really is exercised.
EXPECTED = {
    "ocp basic auth": "ok", "ocp ak/sk": "ok",
    "ocp credentials from module_defaults": "ok", "obshell password": "ok", "obshell agent password": "ok",
    "role ocp outcome": "ok", "role ocp ak/sk outcome": "ok",
    "role obshell outcome": "ok", "role obshell agent password outcome": "ok",
    "ocp wrong password": "failed", "ocp wrong secret key": "failed", "obshell wrong password": "failed",
    "obshell wrong agent password": "failed", "ocp wait timeout": "failed", "obshell wait timeout": "failed",
    "ocp fault": "failed", "obshell fault": "failed", "ocp bad input": "failed", "obshell bad input": "failed",
    "ocp module crash": "failed", "role wrong password outcome": "failed", "role timeout outcome": "failed",
    "role fault outcome": "failed",
    # The same through module processes (wait_for_restore_in_process: false).
    "role ocp in module processes outcome": "ok", "role obshell agent password in module processes outcome": "ok",
    "role wrong password in module processes outcome": "failed", "role fault in module processes outcome": "failed",
}


def playbook(sims):
    ocp_basic = "url: %s\nusername: admin\npassword: \"{{ ocp_password }}\"" % sims.ocp.url
    play_vars = {
        "ocp_password": OCP_PASSWORD, "ocp_secret_key": OCP_SECRET_KEY, "obshell_password": OBSHELL_PASSWORD,
        "agent_password": AGENT_PASSWORD, "wrong_password": WRONG_PASSWORD, "wrong_secret_key": WRONG_SECRET_KEY,
    }
    tasks = """\
    - name: ocp basic auth
      oceanbase.ops.ocp_restore_task_info:
        {ocp_basic}
        cluster_id: 1
      register: r1
    - name: ocp ak/sk
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp}
        access_key_id: {ak}
        access_key_secret: "{{{{ ocp_secret_key }}}}"
        cluster_id: 1
        tenant_id: 1001
        task_id: 21
      register: r2
    - name: ocp credentials from module_defaults
      oceanbase.ops.ocp_restore_task_info:
        cluster_id: 1
        latest: true
      module_defaults:
        group/oceanbase.ops.ocp:
          url: {ocp}
          access_key_id: {ak}
          access_key_secret: "{{{{ ocp_secret_key }}}}"
      register: r4
    - name: obshell password
      oceanbase.ops.obshell_restore_overview_info:
        url: {obshell}
        password: "{{{{ obshell_password }}}}"
        tenant_name: running_tenant
      register: r5
    - name: obshell agent password
      oceanbase.ops.obshell_restore_overview_info:
        url: {agent}
        agent_password: "{{{{ agent_password }}}}"
        tenant_name: done_tenant
      register: r6
    - name: ocp wrong password
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp}
        username: admin
        password: "{{{{ wrong_password }}}}"
        cluster_id: 1
      ignore_errors: true
    - name: ocp wrong secret key
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp}
        access_key_id: {ak}
        access_key_secret: "{{{{ wrong_secret_key }}}}"
        cluster_id: 1
      ignore_errors: true
    - name: obshell wrong password
      oceanbase.ops.obshell_restore_overview_info:
        url: {obshell}
        password: "{{{{ wrong_password }}}}"
        tenant_name: running_tenant
      ignore_errors: true
    - name: obshell wrong agent password
      oceanbase.ops.obshell_restore_overview_info:
        url: {agent}
        agent_password: "{{{{ wrong_password }}}}"
        tenant_name: running_tenant
      ignore_errors: true
    - name: ocp wait timeout
      oceanbase.ops.ocp_restore_task_info:
        {ocp_basic}
        cluster_id: 1
        tenant_id: 1001
        task_id: 21
        wait: true
        wait_timeout: 1
        wait_sleep: 1
      ignore_errors: true
    - name: obshell wait timeout
      oceanbase.ops.obshell_restore_overview_info:
        url: {obshell}
        password: "{{{{ obshell_password }}}}"
        tenant_name: running_tenant
        wait: true
        wait_timeout: 1
        wait_sleep: 1
      ignore_errors: true
    - name: ocp fault
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp_fault}
        username: admin
        password: "{{{{ ocp_password }}}}"
        cluster_id: 1
      ignore_errors: true
    - name: obshell fault
      oceanbase.ops.obshell_restore_overview_info:
        url: {obshell_fault}
        password: "{{{{ obshell_password }}}}"
        agent_password: "{{{{ agent_password }}}}"
        tenant_name: running_tenant
      ignore_errors: true
    - name: ocp bad input
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp}
        password: "{{{{ ocp_password }}}}"
        access_key_id: {ak}
        access_key_secret: "{{{{ ocp_secret_key }}}}"
        cluster_id: 1
      ignore_errors: true
    - name: obshell bad input
      oceanbase.ops.obshell_restore_overview_info:
        url: {obshell}
        password: "{{{{ obshell_password }}}}"
        agent_password: "{{{{ agent_password }}}}"
        tenant_name: sys
      ignore_errors: true
    - name: ocp module crash
      oceanbase.ops.ocp_restore_task_info:
        url: https://127.0.0.1:9
        username: admin
        password: "{{{{ ocp_password }}}}"
        ca_path: /nonexistent/oceanbase-ops/ca.pem
        cluster_id: 1
      ignore_errors: true
    - name: Show everything registered
      ansible.builtin.debug:
        msg: "{{{{ [r1, r2, r4, r5, r6] }}}}"
""".format(ocp_basic=ocp_basic.replace("\n", "\n        "), ocp=sims.ocp.url, ak=AK_ID, obshell=sims.obshell.url,
           agent=sims.agent.url, ocp_fault=sims.ocp_fault.url, obshell_fault=sims.obshell_fault.url)
    # Two hosts run side by side (strategy: free): the module tasks on one, the role on the other.
    return """\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Add the two streams
      ansible.builtin.add_host:
        name: "{{{{ item }}}}"
        ansible_connection: local
        ansible_python_interpreter: {python}
      loop: [modules, roles]
- hosts: modules:roles
  gather_facts: false
  strategy: free
  vars: {play_vars}
  tasks:
    - name: The modules
      when: inventory_hostname == 'modules'
      block:
{tasks}
    - name: The role
      when: inventory_hostname == 'roles'
      block:
{roles}
""".format(python=sys.executable, play_vars=json.dumps(play_vars), tasks=textwrap.indent(tasks, "    "),
           roles=textwrap.indent(_role_tasks(sims), "    "))


# The environment-variable path, as AWX injects credentials: OCEANBASE_* in the environment of
# ansible-playbook itself. (The task keyword ``environment:`` is another matter: Ansible prints
# its values in the EXEC line at -vvv; see test_examples_never_put_secrets_in_the_environment_keyword.)
ENV_EXPECTED = {
    "ocp credentials from the environment": "ok", "obshell password from the environment": "ok",
    "role ocp from the environment outcome": "ok", "role obshell from the environment outcome": "ok",
    "ocp wrong password from the environment": "failed",
}


def env_playbook(sims):
    """Tasks that take their credentials from the OCEANBASE_* variables of the process."""
    roles = "\n".join((
        _role_task("role ocp from the environment", {"wait_for_restore_api": "ocp", "wait_for_restore_cluster_id": 1,
                                                     "wait_for_restore_task_id": 8, "wait_for_restore_poll_interval": 1,
                                                     "wait_for_restore_timeout": 5}),
        _role_task("role obshell from the environment", {"wait_for_restore_api": "obshell",
                                                         "wait_for_restore_tenant_name": "done_tenant",
                                                         "wait_for_restore_poll_interval": 1,
                                                         "wait_for_restore_timeout": 5}),
    ))
    return """\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: ocp credentials from the environment
      oceanbase.ops.ocp_restore_task_info:
        cluster_id: 1
    - name: obshell password from the environment
      oceanbase.ops.obshell_restore_overview_info:
        tenant_name: done_tenant
        wait: true
        wait_timeout: 5
        wait_sleep: 1
    - name: ocp wrong password from the environment
      oceanbase.ops.ocp_restore_task_info:
        url: {ocp}
        cluster_id: 1
        password: "{wrong}"
      ignore_errors: true
{roles}
""".format(ocp=sims.ocp.url, wrong=WRONG_PASSWORD, roles=roles)


def env_vars(sims):
    return {"OCEANBASE_OCP_URL": sims.ocp.url, "OCEANBASE_OCP_USERNAME": "admin", "OCEANBASE_OCP_PASSWORD": OCP_PASSWORD,
            "OCEANBASE_OBSHELL_URL": sims.obshell.url, "OCEANBASE_OBSHELL_PASSWORD": OBSHELL_PASSWORD}


def _role_task(name, variables):
    lines = ["    - name: %s" % name,
             "      block:",
             "        - name: Run the role (%s)" % name,
             "          ansible.builtin.include_role:",
             "            name: oceanbase.ops.wait_for_restore",
             "          vars:"]
    lines += ["            %s: %s" % (key, value) for key, value in variables.items()]
    lines += ["        - name: %s outcome" % name,
              "          ansible.builtin.debug:",
              "            var: wait_for_restore_result",
              "      rescue:",
              "        - name: %s outcome" % name,
              "          ansible.builtin.fail:",
              "            msg: \"{{ ansible_failed_result }}\"",
              "          ignore_errors: true"]
    return "\n".join(lines)


def _role_tasks(sims):
    common = {"wait_for_restore_poll_interval": 1, "wait_for_restore_report_interval": 2, "wait_for_restore_timeout": 6}
    ocp = dict(common, wait_for_restore_api="ocp", wait_for_restore_url=sims.ocp.url, wait_for_restore_cluster_id=1,
               wait_for_restore_task_id=8, wait_for_restore_username="admin",
               wait_for_restore_password='"{{ ocp_password }}"')
    ocp_aksk = dict(common, wait_for_restore_api="ocp", wait_for_restore_url=sims.ocp.url, wait_for_restore_cluster_id=1,
                    wait_for_restore_task_id=8, wait_for_restore_access_key_id=AK_ID,
                    wait_for_restore_access_key_secret='"{{ ocp_secret_key }}"')
    obshell = dict(common, wait_for_restore_api="obshell", wait_for_restore_url=sims.obshell.url,
                   wait_for_restore_tenant_name="done_tenant", wait_for_restore_password='"{{ obshell_password }}"')
    agent = dict(common, wait_for_restore_api="obshell", wait_for_restore_url=sims.agent.url,
                 wait_for_restore_tenant_name="done_tenant", wait_for_restore_agent_password='"{{ agent_password }}"',
                 wait_for_restore_password='"{{ obshell_password }}"')
    wrong = dict(ocp, wait_for_restore_password='"{{ wrong_password }}"')
    timeout = dict(obshell, wait_for_restore_tenant_name="running_tenant", wait_for_restore_timeout=2)
    fault = dict(agent, wait_for_restore_url=sims.obshell_fault.url, wait_for_restore_timeout=2)
    return "\n".join(_role_task(name, variables) for name, variables in (
        ("role ocp", ocp), ("role ocp ak/sk", ocp_aksk), ("role obshell", obshell),
        ("role obshell agent password", agent), ("role wrong password", wrong), ("role timeout", timeout),
        ("role fault", fault),
        ("role ocp in module processes", dict(ocp, wait_for_restore_in_process="false")),
        ("role obshell agent password in module processes", dict(agent, wait_for_restore_in_process="false")),
        ("role wrong password in module processes", dict(wrong, wait_for_restore_in_process="false")),
        ("role fault in module processes", dict(fault, wait_for_restore_in_process="false"))))


def _check_statuses(results, expected=None):
    expected = expected or EXPECTED
    seen = {}
    for record in results:
        if record["task"] in expected and record["status"] != "skipped":
            seen[record["task"]] = record["status"]
    wrong = dict((name, (seen.get(name), status)) for name, status in expected.items() if seen.get(name) != status)
    assert not wrong, "tasks that did not end as the test expects (seen, expected): %s" % wrong


def _leaks(texts, forbidden):
    """[(where, secret)] for every forbidden string found in the named texts."""
    found = []
    for where, text in texts:
        for secret in forbidden:
            if secret in text:
                index = text.index(secret)
                found.append("%s contains %r: ...%s..." % (where, secret, text[max(0, index - 120):index + 60]))
    return found


def test_no_secret_in_output_results_or_errors(ansible, ocp_sim, obshell_sim):
    sims = Sims(ocp_sim, obshell_sim)
    run = ansible.run(playbook=playbook(sims), verbosity=4)
    assert run.rc == 0, run
    _check_statuses(run.results)
    env_run = ansible.run(playbook=env_playbook(sims), verbosity=4, env=env_vars(sims))
    assert env_run.rc == 0, env_run
    _check_statuses(env_run.results, ENV_EXPECTED)
    assert sims.headers, "the simulators saw no authentication header"
    texts = []
    for label, one in (("", run), ("environment run: ", env_run)):
        texts += [(label + "stdout", one.stdout), (label + "stderr", one.stderr),
                  (label + "callback results", json.dumps(one.results))]
    leaks = _leaks(texts, sims.forbidden())
    assert not leaks, "\n".join(leaks)


def test_no_secret_in_ansible_runner_artifacts(ansible, ocp_sim, obshell_sim, tmp_path):
    sims = Sims(ocp_sim, obshell_sim)
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "project" / "secrets.yml").write_text(playbook(sims))
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = ansible.env()
    env.pop("RESULT_LOG", None)
    result = ansible_runner.run(private_data_dir=str(private), playbook="secrets.yml", envvars=env, verbosity=4,
                                quiet=True, ident="secrets")
    assert result.rc == 0, result.stdout.read() if hasattr(result.stdout, "read") else result.rc
    events = [event for event in result.events if event.get("event") in ("runner_on_ok", "runner_on_failed")]
    _check_statuses([{"task": event["event_data"].get("task"), "status": "ok" if event["event"] == "runner_on_ok" else "failed"}
                     for event in events])
    artifacts = private / "artifacts"
    files = [path for path in artifacts.rglob("*") if path.is_file()]
    assert any(path.name == "stdout" for path in files) and any(path.parent.name == "job_events" for path in files)
    texts = [(str(path.relative_to(private)), path.read_text(encoding="utf-8", errors="replace")) for path in files]
    leaks = _leaks(texts, sims.forbidden())
    assert not leaks, "\n".join(leaks[:20])


def test_secrets_are_distinct():
    """The secrets are unique strings (no one contains another), so a hit names its source."""
    for secret in SECRETS:
        assert [other for other in SECRETS if secret in other] == [secret]


ENVIRONMENT_SECRET = re.compile(r"^(\s*)(OCEANBASE_\w*(PASSWORD|SECRET)\w*)\s*:")


def _environment_secrets(path):
    """(line number, variable) of every OCEANBASE_*PASSWORD/SECRET set under an ``environment:`` key."""
    found = []
    block = None  # indentation of the current environment: key
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("environment:"):
            block = indent
            continue
        if block is not None and stripped and indent <= block:
            block = None
        match = ENVIRONMENT_SECRET.match(line)
        if block is not None and match:
            found.append("%s:%d %s" % (path.relative_to(ROOT), number, match.group(2)))
    return found


def test_examples_never_put_secrets_in_the_environment_keyword():
    """The task keyword ``environment:`` is printed in the EXEC line at -vvv
    (``EXEC /bin/sh -c 'OCEANBASE_OCP_PASSWORD=... python AnsiballZ_...'``), so documentation must
    not pass passwords or secret keys that way: use options (no_log), module_defaults, or the
    variables of the controller's environment (an AWX credential)."""
    paths = sorted((ROOT / "plugins" / "modules").glob("*.py")) + sorted((ROOT / "docs").rglob("*.rst")) \
        + sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"] + sorted((ROOT / "roles").rglob("README.md"))
    found = [hit for path in paths if path.exists() for hit in _environment_secrets(path)]
    assert not found, "secrets set through the environment: keyword (shown at -vvv):\n" + "\n".join(found)

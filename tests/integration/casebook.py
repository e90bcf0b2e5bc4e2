# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Many independent cases in one ansible-playbook run, in parallel, for the reliability tests.

Each case becomes an inventory host (``add_host``) that runs one module or the role with its own
options, environment and, usually, its own simulator; ``strategy: free`` and several forks let the
cases run side by side, so a table of faults costs one ansible-playbook start, not one per case.

``Triggers`` act on a simulator while the playbook runs (restart it, rotate its key, change a
password), when the simulator has logged a given number of matching requests.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time

import yaml

MODULES = {
    "ocp": "oceanbase.ops.ocp_restore_task_info",
    "obshell": "oceanbase.ops.obshell_restore_overview_info",
}
ROLE = "oceanbase.ops.wait_for_restore"
POLL_INTERVAL = 0.02

# Every option of each module (unknown options used by a case are added to its task too).
MODULE_OPTIONS = {
    "ocp": ("url", "username", "password", "access_key_id", "access_key_secret", "validate_certs", "ca_path", "timeout",
            "cluster_id", "tenant_id", "start_time", "end_time", "restore_cluster_names", "statuses",
            "restore_tenant_name", "task_id", "latest", "started_after", "page_size", "wait", "wait_timeout",
            "wait_sleep"),
    "obshell": ("url", "password", "agent_password", "validate_certs", "ca_path", "client_cert", "client_key", "timeout",
                "tenant_name", "started_after", "wait", "wait_timeout", "wait_sleep"),
}


class Case:
    """One case: ``kind`` is ``ocp``, ``obshell`` (the info modules) or ``role`` (wait_for_restore).

    ``args``: module options (absent = omitted); ``role_vars``: the role's variables;
    ``env``: the task's environment.
    """

    def __init__(self, case_id, kind, args=None, role_vars=None, env=None):
        if not re.match(r"^[a-z][a-z0-9_]*$", case_id):
            raise ValueError("case ids are lower-case identifiers: %r" % case_id)
        if kind not in ("ocp", "obshell", "role"):
            raise ValueError("unknown case kind %r" % kind)
        self.id = case_id
        self.kind = kind
        self.args = dict(args or {})
        self.role_vars = dict(role_vars or {})
        self.env = dict(env or {})


def _module_task(kind, option_names):
    lines = ["- name: case %s" % kind,
             "  %s:" % MODULES[kind]]
    for name in option_names:
        lines.append("    %s: \"{{ case.args.%s | default(omit) }}\"" % (name, name))
    lines += ["  environment: \"{{ case.env }}\"",
              "  when: case.kind == '%s'" % kind,
              "  ignore_errors: true"]
    return "\n".join(lines)


ROLE_BLOCK = """\
- name: case role
  when: case.kind == 'role'
  environment: "{{ case.env }}"
  block:
    - name: Load the role variables of the case
      ansible.builtin.include_vars:
        file: "{{ case_vars_dir }}/{{ inventory_hostname }}.yml"
    - name: Run the role
      ansible.builtin.include_role:
        name: %s
    - name: role outcome
      ansible.builtin.debug:
        msg:
          failed: false
          wait_for_restore_result: "{{ wait_for_restore_result }}"
  rescue:
    - name: role outcome
      ansible.builtin.debug:
        msg:
          failed: true
          error: "{{ ansible_failed_result }}"
          failed_task: "{{ ansible_failed_task.name }}"
          wait_for_restore_result: "{{ wait_for_restore_result | default(none) }}"
""" % ROLE


def playbook_text(cases):
    """A playbook that adds one host per case and runs each case's module or role on it."""
    kinds = sorted(set(case.kind for case in cases))
    tasks = []
    for kind in ("ocp", "obshell"):
        if kind in kinds:
            names = list(MODULE_OPTIONS[kind])
            for case in cases:
                if case.kind == kind:
                    names += [name for name in case.args if name not in names]
            tasks.append(_module_task(kind, names))
    if "role" in kinds:
        tasks.append(ROLE_BLOCK)
    body = "\n".join(tasks)
    return (
        "- name: One host per case\n"
        "  hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: Add the case hosts\n"
        "      ansible.builtin.add_host:\n"
        "        name: \"{{ item.id }}\"\n"
        "        groups: cases\n"
        "        ansible_connection: local\n"
        "        ansible_python_interpreter: \"%s\"\n"
        "        case: \"{{ item }}\"\n"
        "      loop: \"{{ cases }}\"\n"
        "      loop_control:\n"
        "        label: \"{{ item.id }}\"\n"
        "- name: The cases\n"
        "  hosts: cases\n"
        "  gather_facts: false\n"
        "  strategy: free\n"
        "  tasks:\n%s\n"
    ) % (sys.executable, _indent(body, 4))


def _indent(text, spaces):
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else line for line in text.splitlines())


class Outcome:
    """What one case ended with: ``status`` (ok / failed), ``result`` (the module's result, or for
    the role: ``failed``, ``error`` (the failed task's result), ``wait_for_restore_result``)."""

    def __init__(self, case, record, stdout=""):
        self.case = case
        self.record = record
        self.stdout = stdout  # the whole run's output (cases run side by side)
        self.status = record["status"] if record else None
        if record is None:
            self.result = {}
        elif case.kind == "role":
            self.result = record["result"].get("msg") or {}
        else:
            self.result = record["result"]

    @property
    def failed(self):
        if self.case.kind == "role":
            return bool(self.result.get("failed"))
        return self.status == "failed"

    @property
    def msg(self):
        if self.case.kind == "role":
            error = self.result.get("error") or {}
            return str(error.get("msg", ""))
        return str(self.result.get("msg", ""))

    def __repr__(self):
        return "Outcome(%s: %s %s)" % (self.case.id, self.status, json.dumps(self.result, default=str)[:3000])


class CaseRun:
    def __init__(self, cases, run, elapsed):
        self.cases = dict((case.id, case) for case in cases)
        self.run = run
        self.elapsed = elapsed
        self.outcomes = {}
        for case in cases:
            name = "role outcome" if case.kind == "role" else "case %s" % case.kind
            records = [r for r in run.results if r["host"] == case.id and r["task"] == name and r["status"] != "skipped"]
            self.outcomes[case.id] = Outcome(case, records[-1] if records else None, run.stdout)

    def __getitem__(self, case_id):
        return self.outcomes[case_id]


class Triggers:
    """Actions on simulators, each run once (in its own thread) as soon as ``sim`` has logged
    ``count`` requests whose target matches ``pattern`` (and whose status is ``status``, if given)."""

    def __init__(self):
        self._pending = []
        self.fired = {}
        self.errors = []
        self._stop = threading.Event()
        self._thread = None
        self._workers = []

    def when(self, name, sim_getter, pattern, action, count=1, status=200, clean=True):
        """Run ``action()`` once ``sim_getter()`` (a callable, since a restart replaces the simulator)
        has logged ``count`` requests matching ``pattern`` with HTTP ``status`` (None: any, or no
        answer), counting only answers without an injected fault when ``clean``."""
        self._pending.append((name, sim_getter, re.compile(pattern), (count, status, clean), action))

    @staticmethod
    def _matches(sim, regex, status, clean):
        with sim.lock:
            return sum(1 for entry in sim.log
                       if regex.search(entry["target"]) and (status is None or entry["status"] == status)
                       and not (clean and entry["fault"]))

    def _loop(self):
        while not self._stop.is_set() and self._pending:
            for item in list(self._pending):
                name, sim_getter, regex, (count, status, clean), action = item
                if self._matches(sim_getter(), regex, status, clean) >= count:
                    self._pending.remove(item)
                    self.fired[name] = time.monotonic()
                    worker = threading.Thread(target=self._act, args=(name, action), daemon=True)
                    worker.start()
                    self._workers.append(worker)
            time.sleep(0.02)

    def _act(self, name, action):
        try:
            action()
        except Exception as exc:  # reported by the test, not swallowed
            self.errors.append("%s: %r" % (name, exc))

    def __enter__(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        for worker in self._workers:
            worker.join(30)

    def check(self):
        missing = [item[0] for item in self._pending]
        assert not missing, "triggers that never fired: %s" % missing
        assert not self.errors, "trigger actions failed: %s" % self.errors


def run_cases(ansible, cases, forks=6, verbosity=0, triggers=None, env=None):
    """Run every case in one ansible-playbook; return a CaseRun (``run[case_id]`` is its Outcome)."""
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    vars_dir = ansible.workdir / "case_vars"
    vars_dir.mkdir(exist_ok=True)
    for case in cases:
        if case.kind == "role":
            (vars_dir / ("%s.yml" % case.id)).write_text(yaml.safe_dump(case.role_vars, default_flow_style=False))
    extra = {"cases": [dict(id=case.id, kind=case.kind, args=case.args, env=case.env) for case in cases],
             "case_vars_dir": str(vars_dir)}
    # The strategy's internal poll (1 ms by default) costs a lot of CPU with many forks waiting.
    config = ansible.workdir / "casebook.cfg"
    config.write_text("[defaults]\ninternal_poll_interval = %s\n" % POLL_INTERVAL)
    run_env = {"ANSIBLE_FORKS": str(forks), "ANSIBLE_CONFIG": str(config)}
    run_env.update(env or {})
    started = time.monotonic()
    if triggers is None:
        run = ansible.run(playbook=playbook_text(cases), extra_vars=extra, env=run_env, verbosity=verbosity)
    else:
        with triggers:
            run = ansible.run(playbook=playbook_text(cases), extra_vars=extra, env=run_env,
                              verbosity=verbosity)
    return CaseRun(cases, run, time.monotonic() - started)


def restart(sim, start_new, downtime=1.5):
    """Restart a simulator on the same port, as a crashed and restarted server would be: open
    connections are reset, the port refuses connections for ``downtime`` seconds, then a new
    simulator (from ``start_new(port)``) answers there. Returns the new simulator."""
    port = sim.port
    sim.add_fault({"kind": "reset", "count": 0})
    # stop() waits for the connections' threads; the reset fault ends them at the next request.
    stopper = threading.Thread(target=sim.stop, daemon=True)
    stopper.start()
    time.sleep(downtime)
    return start_new(port)


def check_all(failures):
    """Fail with every collected problem at once (one line per case)."""
    assert not failures, "%d case(s) failed:\n%s" % (len(failures), "\n".join(failures))

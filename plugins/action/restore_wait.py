# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Wait for one restore through an info module, one module run per report interval, printing a
progress line after each run. The waiting between reports happens inside the module.

When the task runs on the controller (the local connection, without become), which is where API
modules run, each run happens in this process instead of a new module process: the same code, the
same option checks and results, without the start-up of a Python process that imports
ansible-core and requests once a minute."""

from __future__ import annotations

import math
import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

try:  # ansible-core 2.19 and later
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # ansible-core 2.17 and 2.18
    from ansible.executor.module_common import get_action_args_with_defaults

    def _apply_action_arg_defaults(action, task, action_args, templar):
        return get_action_args_with_defaults(action, action_args, task.module_defaults, templar,
                                             action_groups=task._parent._play._action_groups)

display = Display()

MODULES = {
    "ocp": "oceanbase.ops.ocp_restore_task_info",
    "obshell": "oceanbase.ops.obshell_restore_overview_info",
}
CONNECTION_OPTIONS = {
    "ocp": ("url", "username", "password", "access_key_id", "access_key_secret", "validate_certs", "ca_path",
            "timeout"),
    "obshell": ("url", "password", "agent_password", "validate_certs", "ca_path", "client_cert", "client_key",
                "timeout"),
}
SELECTION_OPTIONS = {
    "ocp": ("cluster_id", "tenant_id", "task_id", "started_after"),
    "obshell": ("tenant_name", "started_after"),
}
ARGUMENT_SPEC = dict(
    api=dict(type="str", required=True, choices=["ocp", "obshell"]),
    url=dict(type="str"),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    access_key_id=dict(type="str", no_log=False),
    access_key_secret=dict(type="str", no_log=True),
    agent_password=dict(type="str", no_log=True),
    validate_certs=dict(type="bool"),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="float"),
    cluster_id=dict(type="int"),
    tenant_id=dict(type="int"),
    task_id=dict(type="int"),
    tenant_name=dict(type="str"),
    started_after=dict(type="str"),
    wait_timeout=dict(type="int", default=3600),
    poll_interval=dict(type="int", default=15),
    report_interval=dict(type="int", default=60),
    in_process=dict(type="bool", default=True),
)
FAILURE_TEXT = {"ocp": "errorMsg", "obshell": "comment"}
# Seconds a module run costs beyond its own wait (start-up, connection, exit), until measured.
INITIAL_RUN_OVERHEAD = 1.0
# obshell: how many more report windows to read the overview for the reason of a RESTORE_FAIL.
FAILURE_REASON_READS = 3


def _progress(api, record):
    """The progress text of a record, or None: OCP's progress, obshell's restore and recover progress."""
    if record is None:
        return None
    if api == "ocp":
        value = record.get("progress")
        return value if value not in (None, "") else None
    parts = ["%s %s%%" % (name, record[field]) for name, field in (("restore", "restore_progress"), ("recover", "recover_progress"))
             if record.get(field) not in (None, "")]
    return ", ".join(parts) or None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _warned = frozenset()  # warnings from in-process runs already shown (a set while waiting)
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        api = args["api"]
        if args["wait_timeout"] < 0 or args["poll_interval"] < 1 or args["report_interval"] < 1:
            raise AnsibleActionFail("wait_timeout must be 0 or more seconds, poll_interval and report_interval "
                                    "at least 1 second")
        module_args = self._module_args(api, args)
        in_process = self._in_process(api, args)
        result = self._wait(api, module_args, args, task_vars, in_process)
        result["in_process"] = in_process
        return result

    def _module_args(self, api, args):
        if api == "ocp":
            if args.get("cluster_id") is None:
                raise AnsibleActionFail("api ocp needs cluster_id (wait_for_restore_cluster_id)")
            if args.get("task_id") is None and not args.get("tenant_name"):
                raise AnsibleActionFail("api ocp needs task_id (wait_for_restore_task_id) or a tenant name "
                                        "(wait_for_restore_tenant_name) to select the restore task")
        elif not args.get("tenant_name"):
            raise AnsibleActionFail("api obshell needs tenant_name (wait_for_restore_tenant_name)")
        module_args = dict((name, args[name]) for name in CONNECTION_OPTIONS[api] + SELECTION_OPTIONS[api]
                           if args.get(name) is not None)
        if api == "ocp" and args.get("tenant_name"):
            module_args["restore_tenant_name"] = args["tenant_name"]
        if api == "ocp" and args.get("task_id") is None:
            module_args["latest"] = True
        module_args.update(wait=True, wait_sleep=args["poll_interval"])
        # module_defaults (group/oceanbase.ops.ocp or group/oceanbase.ops.obshell) fill what is not set.
        return _apply_action_arg_defaults(MODULES[api], self._task, module_args, self._templar)

    def _in_process(self, api, args):
        """True when the module runs can happen in this process: asked for, the task runs on the
        controller as the controller's user, and the libraries the module needs are here."""
        if not args["in_process"]:
            return False
        if getattr(self._connection, "transport", None) != "local" or self._play_context.become:
            return False
        try:
            from ansible_collections.oceanbase.ops.plugins.module_utils import _module
        except ImportError:  # pragma: no cover - a controller without the collection's imports
            return False
        return _module.HAS_REQUESTS and (api != "obshell" or _module.HAS_CRYPTOGRAPHY)

    def _task_environment(self):
        """The task's ``environment`` keyword as one dict (as ansible-core builds it for modules)."""
        final = {}
        environments = self._task.environment
        if environments is None:
            return final
        if not isinstance(environments, list):
            environments = [environments]
        for environment in environments:
            if not environment:
                continue
            templated = self._templar.template(environment)
            if not isinstance(templated, dict):
                raise AnsibleActionFail("environment must be a dictionary, got %r" % type(templated).__name__)
            final.update(templated)
        return dict((str(key), str(value)) for key, value in final.items())

    def _run_module(self, api, module_args, task_vars, environment):
        """One module run: in this process with the task's ``environment`` (a dict), or as a module
        process when ``environment`` is None."""
        if environment is None:
            result = self._execute_module(module_name=MODULES[api], module_args=dict(module_args), task_vars=task_vars)
            result.pop("invocation", None)
            return result
        # pylint: disable=import-outside-toplevel
        from ansible_collections.oceanbase.ops.plugins.module_utils import _module
        if api == "ocp":
            from ansible_collections.oceanbase.ops.plugins.module_utils import _ocp_restore as functions
            function = functions.restore_task_info
        else:
            from ansible_collections.oceanbase.ops.plugins.module_utils import _obshell_restore as functions
            function = functions.restore_overview_info
        result, warnings = _module.run_in_process(function, functions.argument_spec(), module_args,
                                                  environment=environment,
                                                  needs_cryptography=api == "obshell", name=MODULES[api])
        for warning in warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                display.warning(warning)
        return result

    def _wait(self, api, module_args, args, task_vars, in_process):
        """Run the module once per report window and print a progress line after each run.

        Window k starts ``report_interval`` seconds after window k-1 (later when a run overran), so
        at most one module process starts per report interval. The module waits inside the window
        for a whole number of poll intervals, as long as the window minus the measured cost of a
        module run (start-up, connection, exit) allows; the controller then sleeps to the window's
        end. The last window ends at the deadline.
        """
        module = MODULES[api]
        self._warned = set()
        environment = self._task_environment() if in_process else None
        timeout, poll, report = args["wait_timeout"], args["poll_interval"], args["report_interval"]
        start = time.monotonic()
        deadline = start + timeout
        what = self._what(api, module_args)
        display.display("Waiting up to %ds for %s (poll every %ds, report every %ds)" % (timeout, what, poll, report))
        record = None
        polls = runs = retries = 0
        overhead = INITIAL_RUN_OVERHEAD
        window_start = start
        awaiting_text = None  # a FAILED obshell record without its reason yet
        reason_reads = 0
        while True:
            window_end = min(window_start + report, deadline)
            last_window = window_end >= deadline
            run_start = time.monotonic()
            # Whole poll intervals that fit in the window after the run's own cost; 0 is a single check.
            chunk = int(math.floor(max(0.0, window_end - run_start - overhead) / poll)) * poll
            if awaiting_text is not None:
                chunk = 0
            module_args["wait_timeout"] = chunk
            runs += 1
            result = self._run_module(api, module_args, task_vars, environment)
            run_end = time.monotonic()
            display.vvv("restore_wait: module run %d (%s): wait_timeout %d s, took %.1f s (waited %s s, %s polls)"
                        % (runs, "in process" if in_process else "module process", chunk, run_end - run_start,
                           result.get("elapsed"), result.get("polls")))
            polls += result.get("polls") or 0
            retries += result.get("retries") or 0
            if awaiting_text is not None and result.get("failed") and not result.get("timed_out"):
                # The restore failed already; an error while reading its reason does not change that.
                return self._finished(api, awaiting_text, "FAILED", run_end - start, polls, runs, retries)
            if result.get("failed") and not result.get("timed_out"):
                # An error the module does not wait through (credentials, configuration, bad input).
                return dict(failed=True, outcome="error", msg=result.get("msg", "%s failed" % module), api=api,
                            error=result.get("error"), record=record, elapsed=round(run_end - start, 1),
                            polls=polls, module_runs=runs, retries=retries)
            latest = result.get("restore_task") if api == "ocp" else result.get("restore_overview")
            if latest is not None:
                record = latest  # a run that saw only errors keeps the last good state
            phase = record.get("phase") if record else None
            if awaiting_text is not None and phase != "FAILED":
                record, phase = awaiting_text, "FAILED"  # the failure stands
            if phase in ("COMPLETED", "FAILED", "CANCELED"):
                if (api == "obshell" and phase == "FAILED" and not record.get("comment") and not last_window
                        and reason_reads < FAILURE_REASON_READS):
                    # obshell's running view says RESTORE_FAIL for a moment before the job moves to the
                    # history view, whose row carries the reason (comment): read the overview again, in
                    # the next windows, so the failure is reported with its reason.
                    awaiting_text = record
                    reason_reads += 1
                else:
                    display.display(self._report_line(api, record, result, run_end - start))
                    return self._finished(api, record, phase, run_end - start, polls, runs, retries)
            if awaiting_text is None and isinstance(result.get("elapsed"), (int, float)):
                # Quick to rise, slow to fall: a window overrun costs more than an idle half second.
                measured = max(0.0, run_end - run_start - result["elapsed"])
                overhead = measured if measured > overhead else (overhead + measured) / 2
            # The progress line goes out at the window's end, so lines come one report interval apart.
            if time.monotonic() < window_end:
                time.sleep(window_end - time.monotonic())
            display.display(self._report_line(api, record, result, time.monotonic() - start))
            if awaiting_text is not None and reason_reads == 1:
                display.display("Restore failed; reading the reason from the agent's restore history")
            if last_window:
                elapsed = time.monotonic() - start
                status = record.get("status") if record else None
                return dict(
                    failed=False, outcome="timed_out", api=api, phase=phase, status=status, record=record,
                    elapsed=round(elapsed, 1), polls=polls, module_runs=runs, retries=retries,
                    msg="Timed out after %d seconds waiting for %s; last status %s, progress %s"
                        % (round(elapsed), what, status or "none (%s)" % self._absence(api, result),
                           _progress(api, record) or "unknown"))
            window_start = max(window_end, time.monotonic())

    @staticmethod
    def _what(api, module_args):
        if api == "ocp":
            if module_args.get("task_id") is not None:
                return "OCP restore task %s in cluster %s" % (module_args["task_id"], module_args.get("cluster_id"))
            return "the newest OCP restore of tenant %s in cluster %s" % (module_args.get("restore_tenant_name"),
                                                                          module_args.get("cluster_id"))
        return "the restore of tenant %s (obshell)" % module_args.get("tenant_name")

    @staticmethod
    def _absence(api, result):
        if api == "obshell":
            return {"tenant_not_visible": "tenant not visible yet", "started_before": "no restore since started_after"}.get(
                result.get("reason"), "no restore yet")
        return "no matching task yet"

    def _report_line(self, api, record, result, elapsed):
        if record is None:
            return "Restore progress: phase PENDING (%s), elapsed %ds" % (self._absence(api, result), round(elapsed))
        return "Restore progress: phase %s, status %s, progress %s, elapsed %ds" % (
            record.get("phase"), record.get("status"), _progress(api, record) or "n/a", round(elapsed))

    @staticmethod
    def _finished(api, record, phase, elapsed, polls, runs, retries):
        status = record.get("status")
        outcome = dict(failed=False, outcome=phase.lower(), api=api, phase=phase, status=status, record=record,
                       elapsed=round(elapsed, 1), polls=polls, module_runs=runs, retries=retries)
        if phase == "COMPLETED":
            outcome["msg"] = "Restore completed (status %s) after %d seconds" % (status, round(elapsed))
        else:
            reason = record.get(FAILURE_TEXT[api]) or "no failure text from the API (%s is empty)" % FAILURE_TEXT[api]
            outcome["msg"] = "Restore %s (status %s) after %d seconds: %s" % (phase, status, round(elapsed), reason)
        return outcome

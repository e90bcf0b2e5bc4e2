# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""OCP restore tasks: the query, the client-side selection, and waiting for one task."""

from __future__ import annotations

from ansible_collections.oceanbase.ops.plugins.module_utils import _ocp, _phase, _time
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError
from ansible_collections.oceanbase.ops.plugins.module_utils._module import (
    OCP_CONNECTION_SPEC,
    WAIT_SPEC,
    ModuleFailure,
    check_files,
    check_url,
    check_wait_options,
    generate_argspec,
)
from ansible_collections.oceanbase.ops.plugins.module_utils._wait import wait_until

CLUSTER_PATH = "/api/v2/ob/clusters/%d/backup/task/restoreTasks"
TENANT_PATH = "/api/v2/ob/clusters/%d/tenants/%d/backup/task/restoreTasks"
_EPOCH = _time.parse_api_time("1970-01-01T00:00:00Z")


def check_credentials(params):
    """Exactly one complete pair: username/password or access_key_id/access_key_secret."""
    pairs = (("username", "password"), ("access_key_id", "access_key_secret"))
    given = [pair for pair in pairs if params.get(pair[0]) or params.get(pair[1])]
    for first, second in given:
        if not params.get(first) or not params.get(second):
            present, missing = (first, second) if params.get(first) else (second, first)
            raise ModuleFailure(
                "%s is set but %s is missing: give both (as options or through OCEANBASE_OCP_%s and "
                "OCEANBASE_OCP_%s)" % (present, missing, first.upper(), second.upper()))
    if not given:
        raise ModuleFailure("no OCP credentials: give username and password (HTTP Basic) or access_key_id and "
                            "access_key_secret (AK/SK signing), as options or through the OCEANBASE_OCP_* variables")
    if len(given) > 1:
        raise ModuleFailure("both username/password and access_key_id/access_key_secret are set: give only one "
                            "pair (check the OCEANBASE_OCP_* environment variables too)")


class TaskQuery:
    """A validated restore-task query built from module parameters (raises ModuleFailure)."""

    def __init__(self, params):
        check_url(params)
        check_files(params)
        check_credentials(params)
        check_wait_options(params)
        self.cluster_id = params["cluster_id"]
        self.tenant_id = params.get("tenant_id")
        for name in ("cluster_id", "tenant_id", "task_id"):
            if params.get(name) is not None and params[name] < 1:
                raise ModuleFailure("%s must be a positive integer, not %d" % (name, params[name]))
        self.page_size = _ocp.MAX_PAGE_SIZE if params.get("page_size") is None else params["page_size"]
        if not 1 <= self.page_size <= _ocp.MAX_PAGE_SIZE:
            raise ModuleFailure("page_size must be between 1 and %d, not %d" % (_ocp.MAX_PAGE_SIZE, self.page_size))
        try:
            self.start_time = _parse_optional(params.get("start_time"), "start_time")
            self.end_time = _parse_optional(params.get("end_time"), "end_time")
            self.started_after = _parse_optional(params.get("started_after"), "started_after")
        except ValueError as exc:
            raise ModuleFailure(str(exc))
        if self.start_time and self.end_time and self.start_time > self.end_time:
            raise ModuleFailure("start_time (%s) is after end_time (%s)" % (params["start_time"], params["end_time"]))
        self.statuses = sorted(set(params.get("statuses") or []))
        self.restore_cluster_names = sorted(set(params.get("restore_cluster_names") or []))
        for option, values in (("statuses", self.statuses), ("restore_cluster_names", self.restore_cluster_names)):
            if any(not value or "," in value for value in values):
                raise ModuleFailure("%s: every item must be a non-empty string without commas" % option)
        self.restore_tenant_name = params.get("restore_tenant_name")
        if self.restore_tenant_name is not None and not self.restore_tenant_name.strip():
            raise ModuleFailure("restore_tenant_name must name a tenant; it is empty")
        self.task_id = params.get("task_id")
        self.latest = params.get("latest")
        self.single = self.task_id is not None or self.latest
        if params["wait"] and not self.single:
            raise ModuleFailure("wait: true needs a single task: set task_id, or latest: true (optionally with "
                                "restore_tenant_name and started_after)")

    @property
    def path(self):
        if self.tenant_id is not None:
            return TENANT_PATH % (self.cluster_id, self.tenant_id)
        return CLUSTER_PATH % self.cluster_id

    def query_pairs(self):
        """Server-side filters, each in the form its scope expects (OCP protocol notes, section 6)."""
        pairs = []
        tenant_scope = self.tenant_id is not None
        if tenant_scope:
            # Seconds precision only: widen the window to whole seconds here, and apply the exact
            # bounds in matches().
            if self.start_time:
                pairs.append(("startTime", _time.utc_seconds_z(self.start_time)))
            if self.end_time:
                pairs.append(("endTime", _time.utc_seconds_z(self.end_time, round_up=True)))
        else:
            if self.start_time:
                pairs.append(("startTime", _time.iso_offset(self.start_time)))
            if self.end_time:
                pairs.append(("endTime", _time.iso_offset(self.end_time)))
        if tenant_scope:
            # One comma-joined, sorted value: the same canonical form whether OCP reads it as one
            # value or as several.
            if self.statuses:
                pairs.append(("status", ",".join(self.statuses)))
            if self.restore_cluster_names:
                pairs.append(("restoreClusterName", ",".join(self.restore_cluster_names)))
        return pairs

    @property
    def exact_window(self):
        """True when the tenant scope's whole-second window is wider than the one asked for."""
        return self.tenant_id is not None and any(
            moment is not None and moment.microsecond for moment in (self.start_time, self.end_time))

    def _in_window(self, created):
        if created is None:
            return True  # OCP selected it; nothing better to judge by
        if self.start_time is not None and created < self.start_time:
            return False
        return self.end_time is None or created <= self.end_time

    def matches(self, task):
        """Client-side selection (also applies the list filters the cluster scope lacks)."""
        if self.task_id is not None and task.get("id") != self.task_id:
            return False
        if self.restore_tenant_name is not None and task.get("restoreTenantName") != self.restore_tenant_name:
            return False
        if self.statuses and task.get("status") not in self.statuses:
            return False
        if self.restore_cluster_names and task.get("restoreClusterName") not in self.restore_cluster_names:
            return False
        if self.exact_window and not self._in_window(_time.parse_api_time(task.get("createTime"))):
            return False
        if self.started_after is not None:
            created = _time.parse_api_time(task.get("createTime"))
            if created is None or created < self.started_after:
                return False
        return True


def _parse_optional(value, option):
    return _time.parse_user_time(value, option) if value not in (None, "") else None


def _newness(task):
    created = _time.parse_api_time(task.get("createTime")) or _EPOCH
    task_id = task.get("id")
    return created, task_id if isinstance(task_id, int) else -1


# Values that repeat across thousands of records (statuses, names, modes) are shared, not copied:
# each page is parsed into fresh strings, and a listing of 100,000 tasks would otherwise hold
# 100,000 copies of "RESTORE_SUCCESS". A dict per listing, not sys.intern: the table goes away
# with the listing.
_SHARED_FIELDS = ("status", "statusDesc", "backupMode", "triggerType", "restoreObjectType", "restoreClusterName",
                  "backupClusterName", "backupTenantName", "restorePoolListStr", "restoreUri", "errorMsg")


def _normalise(task, shared):
    for field in _SHARED_FIELDS:
        value = task.get(field)
        if isinstance(value, str) and len(value) < 512:
            task[field] = shared.setdefault(value, value)
    task["phase"] = _phase.ocp_phase(task)
    return task


def fetch(client, query, deadline=None):
    """All matching tasks (every page), newest first, each with ``phase``."""
    selected = []
    newest = None
    shared = {}
    for contents in client.iter_pages(query.path, query.query_pairs(), query.page_size, deadline):
        for task in contents:
            if not isinstance(task, dict) or not query.matches(task):
                continue
            if query.latest:
                # Keep only the newest candidate: memory stays flat however many pages there are.
                if newest is None or _newness(task) > _newness(newest):
                    newest = task
                continue
            selected.append(_normalise(task, shared))
    if query.latest:
        return [_normalise(newest, shared)] if newest is not None else []
    selected.sort(key=_newness, reverse=True)
    return selected


def describe(task):
    """One line about a task for messages: status, progress, error text."""
    if task is None:
        return "no matching task yet"
    text = "task %s status %s (phase %s)" % (task.get("id"), task.get("status"), task.get("phase"))
    if task.get("progress") not in (None, ""):
        text += ", progress %s" % task["progress"]
    if task.get("errorMsg"):
        text += ", errorMsg: %s" % task["errorMsg"]
    return text


def _single(tasks):
    return tasks[0] if tasks else None


def argument_spec():
    """The options of ocp_restore_task_info: connection, waiting, selection."""
    return generate_argspec(
        OCP_CONNECTION_SPEC,
        WAIT_SPEC,
        cluster_id=dict(type="int", required=True),
        tenant_id=dict(type="int"),
        start_time=dict(type="str"),
        end_time=dict(type="str"),
        restore_cluster_names=dict(type="list", elements="str"),
        statuses=dict(type="list", elements="str"),
        restore_tenant_name=dict(type="str"),
        task_id=dict(type="int"),
        latest=dict(type="bool", default=False),
        started_after=dict(type="str"),
        page_size=dict(type="int", default=2000),
    )


def restore_task_info(params, client=None, clock=None, sleep=None):
    """The whole module: returns the result dict, or raises ModuleFailure / ApiError."""
    query = TaskQuery(params)
    client = client or _ocp.new_client(params)
    result = {}
    try:
        if not params["wait"]:
            tasks = fetch(client, query)
            result["restore_tasks"] = tasks
            result["retries"] = client.http.retries
            if query.single:
                result["restore_task"] = _single(tasks)
            return result
        waited = wait_until(
            poll=lambda deadline: fetch(client, query, deadline),
            done=lambda tasks: bool(tasks) and _phase.is_terminal(tasks[0]["phase"]),
            timeout=params["wait_timeout"], interval=params["wait_sleep"], clock=clock, sleep=sleep)
    except ApiError as error:
        tasks = getattr(error, "last_state", None) or []
        failed = dict(error=error.to_dict(), restore_tasks=tasks, retries=client.http.retries)
        if query.single:
            failed["restore_task"] = _single(tasks)
        raise ModuleFailure(error.message, **failed)
    tasks = waited.state or []
    result.update(restore_tasks=tasks, restore_task=_single(tasks), elapsed=round(waited.elapsed, 3),
                  polls=waited.polls, retries=client.http.retries + waited.transient_errors, timed_out=waited.timed_out)
    if waited.timed_out:
        last = describe(_single(tasks))
        if waited.last_error is not None:
            last += "; last error: %s" % waited.last_error.message
        raise ModuleFailure("Timed out after %d seconds waiting for the restore task to finish: %s"
                            % (round(waited.elapsed), last), **result)
    return result

# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""obshell restore overview: read it, tell "never restored" and "tenant not visible" apart, wait."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.oceanbase.ops.plugins.module_utils import _obshell, _phase, _time
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError
from ansible_collections.oceanbase.ops.plugins.module_utils._module import (
    OBSHELL_CONNECTION_SPEC,
    WAIT_SPEC,
    ModuleFailure,
    check_files,
    check_url,
    check_wait_options,
    generate_argspec,
)
from ansible_collections.oceanbase.ops.plugins.module_utils._wait import wait_until

OVERVIEW_PATH = "/api/v1/tenant/%s/restore/overview"

# The agent's answers that mean "nothing to report yet" rather than an error.
NOT_RESTORED = ("Common.NotFound", 2300)      # 404: the tenant exists but has no restore job or history
NOT_VISIBLE = ("OB.Tenant.NotExist", 1001)    # 400: the tenant row is not there (yet, or any more)


class Overview:
    """One reading: the record (or None) and, when there is none, why."""

    def __init__(self, record=None, reason=None):
        self.record = record
        self.reason = reason  # None, "never_restored", "tenant_not_visible" or "started_before"

    @property
    def done(self):
        return self.record is not None and _phase.is_terminal(self.record["phase"])


class OverviewQuery:
    def __init__(self, params):
        check_url(params)
        check_wait_options(params)
        name = params.get("tenant_name")
        if name is None or not name.strip():
            raise ModuleFailure("tenant_name must name the restored tenant; it is empty")
        if name.strip().lower() == "sys":
            raise ModuleFailure("tenant_name: the sys tenant is never restored; give the name of a user tenant")
        if not params.get("password") and not params.get("agent_password"):
            raise ModuleFailure("no obshell credentials: give password (the cluster's root@sys password) or "
                                "agent_password, as options or through OCEANBASE_OBSHELL_PASSWORD / "
                                "OCEANBASE_OBSHELL_AGENT_PASSWORD")
        if bool(params.get("client_key")) and not params.get("client_cert"):
            raise ModuleFailure("client_key is set but client_cert is missing")
        check_files(params)
        self.tenant_name = name
        self.path = OVERVIEW_PATH % quote(name, safe="")
        try:
            started = params.get("started_after")
            self.started_after = _time.parse_user_time(started, "started_after") if started else None
        except ValueError as exc:
            raise ModuleFailure(str(exc))


def fetch(client, query, deadline=None):
    try:
        envelope = client.get(query.path, deadline)
    except ApiError as error:
        key = _obshell.error_key(error)
        if error.status == 404 and key in NOT_RESTORED:
            return Overview(reason="never_restored")
        if error.status == 400 and key in NOT_VISIBLE:
            return Overview(reason="tenant_not_visible")
        raise
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise ApiError("obshell answered GET %s without an overview object in data" % query.path, kind="protocol",
                       status=200, method="GET", path=query.path, envelope=envelope)
    if query.started_after is not None:
        started = _time.parse_api_time(data.get("start_timestamp"))
        if started is not None and started < query.started_after:
            return Overview(reason="started_before")
    data["phase"] = _phase.obshell_phase(data)
    return Overview(data)


REASONS = {
    "never_restored": "the tenant has no restore yet",
    "tenant_not_visible": "the tenant is not visible in the cluster (yet)",
    "started_before": "the tenant's last restore started before started_after",
}


def describe(overview, tenant_name):
    if overview is None:
        return "no answer from the agent yet"
    record = overview.record
    if record is None:
        return "tenant %s: %s" % (tenant_name, REASONS[overview.reason])
    text = "tenant %s status %s (phase %s)" % (tenant_name, record.get("status"), record.get("phase"))
    for field in ("restore_progress", "recover_progress"):
        if record.get(field) not in (None, ""):
            text += ", %s %s" % (field, record[field])
    if record.get("comment"):
        text += ", comment: %s" % record["comment"]
    return text


def _result(overview):
    result = dict(restore_overview=overview.record if overview else None)
    result["reason"] = overview.reason if overview else None
    return result


def argument_spec():
    """The options of obshell_restore_overview_info: connection, waiting, selection."""
    return generate_argspec(
        OBSHELL_CONNECTION_SPEC,
        WAIT_SPEC,
        tenant_name=dict(type="str", required=True),
        started_after=dict(type="str"),
    )


def restore_overview_info(params, client=None, clock=None, sleep=None):
    """The whole module: returns the result dict, or raises ModuleFailure / ApiError."""
    query = OverviewQuery(params)
    client = client or _obshell.new_client(params)
    try:
        if not params["wait"]:
            overview = fetch(client, query)
            if overview.reason == "tenant_not_visible":
                raise ModuleFailure("Tenant %r not found: the agent does not see it in the cluster (a typo, a tenant "
                                    "that was dropped, or a restore that has not created it yet; use wait: true "
                                    "to wait for it)" % query.tenant_name, restore_overview=None,
                                    reason=overview.reason, retries=client.http.retries)
            result = _result(overview)
            result["retries"] = client.http.retries
            return result
        waited = wait_until(poll=lambda deadline: fetch(client, query, deadline), done=lambda overview: overview.done,
                            timeout=params["wait_timeout"], interval=params["wait_sleep"], clock=clock, sleep=sleep)
    except ApiError as error:
        failed = _result(getattr(error, "last_state", None))
        raise ModuleFailure(error.message, error=error.to_dict(), retries=client.http.retries, **failed)
    result = _result(waited.state)
    result.update(elapsed=round(waited.elapsed, 3), polls=waited.polls,
                  retries=client.http.retries + waited.transient_errors, timed_out=waited.timed_out)
    if waited.timed_out:
        last = describe(waited.state, query.tenant_name)
        if waited.last_error is not None:
            last += "; last error: %s" % waited.last_error.message
        raise ModuleFailure("Timed out after %d seconds waiting for the restore to finish: %s"
                            % (round(waited.elapsed), last), **result)
    return result

# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""The one place where the APIs' status words become the collection's normalised ``phase``.

RUNNING    in progress; every non-terminal status, including values nobody has seen yet
COMPLETED  finished successfully
FAILED     finished with a failure
CANCELED   canceled (OCP logical restores)
"""

from __future__ import annotations

RUNNING = "RUNNING"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
CANCELED = "CANCELED"
PHASES = (RUNNING, COMPLETED, FAILED, CANCELED)
TERMINAL_PHASES = frozenset((COMPLETED, FAILED, CANCELED))

# OCP physical restore statuses (OCP protocol notes, section 9). OceanBase 3.x job states with a
# RESTORE_ prefix, OceanBase 4.x job states as they are, and the raw 4.x states that may surface.
OCP_STATUS_PHASES = {
    "RESTORE_CREATE_TENANT": RUNNING,
    "RESTORE_SYS_REPLICA": RUNNING,
    "RESTORE_UPGRADE_PRE": RUNNING,
    "RESTORE_UPGRADE_POST": RUNNING,
    "RESTORE_MODIFY_SCHEMA": RUNNING,
    "RESTORE_CREATE_USER_PARTITIONS": RUNNING,
    "RESTORE_USER_REPLICA": RUNNING,
    "RESTORE_REBUILD_INDEX": RUNNING,
    "RESTORE_POST_CHECK": RUNNING,
    "RESTORE_SUCCESS": COMPLETED,
    "RESTORE_FAIL": FAILED,
    "RESTORE_PRE": RUNNING,
    "RESTORE_CREATE_INIT_LS": RUNNING,
    "RESTORE_WAIT_LS": RUNNING,
    "POST_CHECK": RUNNING,
    "UPGRADE": RUNNING,
    "WAIT_TENANT_RESTORE_FINISH": RUNNING,
    "RESTORING": RUNNING,
    "CREATE_TENANT": RUNNING,
    "PHYSICAL_RESTORE_WAIT_RESTORE_TO_CONSISTENT_SCN": RUNNING,
}

# obshell restore overview statuses (obshell protocol notes, section 9): the running view of the
# sys tenant's job, and the history view's two final values.
OBSHELL_STATUS_PHASES = {
    "CREATE_TENANT": RUNNING,
    "RESTORING": RUNNING,
    "UPGRADE": RUNNING,
    "WAIT_TENANT_RESTORE_FINISH": RUNNING,
    "RESTORE_SUCCESS": COMPLETED,
    "RESTORE_FAIL": FAILED,
    "SUCCESS": COMPLETED,
    "FAIL": FAILED,
}


def _word(value):
    return str(value).strip().upper() if value is not None else ""


def ocp_phase(task):
    """Phase of an OCP restore task record (a dict with ``status``, maybe ``finished``/``successful``).

    Known physical-restore statuses come from the table. For any other value (logical restores,
    whose enum values are not published, and future values) the fallback is:
    CANCEL in the value -> CANCELED; ``finished`` true -> COMPLETED when ``successful`` else FAILED;
    FAIL or ERROR in the value -> FAILED; otherwise RUNNING.
    """
    status = _word(task.get("status"))
    if status in OCP_STATUS_PHASES:
        return OCP_STATUS_PHASES[status]
    if "CANCEL" in status:
        return CANCELED
    if task.get("finished") is True:
        return COMPLETED if task.get("successful") is True else FAILED
    if status in ("COMPLETED", "SUCCESS", "SUCCESSFUL", "FINISHED"):
        return COMPLETED
    if "FAIL" in status or "ERROR" in status:
        return FAILED
    return RUNNING


def obshell_phase(overview):
    """Phase of an obshell restore overview (a dict with ``status``); unknown values are RUNNING."""
    return OBSHELL_STATUS_PHASES.get(_word(overview.get("status")), RUNNING)


def is_terminal(phase):
    return phase in TERMINAL_PHASES

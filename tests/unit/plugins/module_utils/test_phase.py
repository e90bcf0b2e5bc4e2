# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""The status -> phase mapping, value by value (OCP notes sections 9 and 10, obshell notes section 9)."""

from __future__ import annotations

import pytest

from ansible_collections.oceanbase.ops.plugins.module_utils import _phase
from ansible_collections.oceanbase.ops.plugins.module_utils._phase import (
    CANCELED,
    COMPLETED,
    FAILED,
    RUNNING,
    is_terminal,
    obshell_phase,
    ocp_phase,
)

# OCP protocol notes, section 9: every row of the table, plus the raw OceanBase 4.x job states the
# notes say might surface (all in progress).
OCP_TABLE = [
    ("RESTORE_CREATE_TENANT", RUNNING),
    ("RESTORE_SYS_REPLICA", RUNNING),
    ("RESTORE_UPGRADE_PRE", RUNNING),
    ("RESTORE_UPGRADE_POST", RUNNING),
    ("RESTORE_MODIFY_SCHEMA", RUNNING),
    ("RESTORE_CREATE_USER_PARTITIONS", RUNNING),
    ("RESTORE_USER_REPLICA", RUNNING),
    ("RESTORE_REBUILD_INDEX", RUNNING),
    ("RESTORE_POST_CHECK", RUNNING),
    ("RESTORE_SUCCESS", COMPLETED),
    ("RESTORE_FAIL", FAILED),
    ("RESTORE_PRE", RUNNING),
    ("RESTORE_CREATE_INIT_LS", RUNNING),
    ("RESTORE_WAIT_LS", RUNNING),
    ("POST_CHECK", RUNNING),
    ("UPGRADE", RUNNING),
    ("WAIT_TENANT_RESTORE_FINISH", RUNNING),
    ("RESTORING", RUNNING),
    ("PHYSICAL_RESTORE_WAIT_RESTORE_TO_CONSISTENT_SCN", RUNNING),
    ("CREATE_TENANT", RUNNING),
]

# obshell protocol notes, section 9.
OBSHELL_TABLE = [
    ("CREATE_TENANT", RUNNING),
    ("RESTORING", RUNNING),
    ("UPGRADE", RUNNING),
    ("WAIT_TENANT_RESTORE_FINISH", RUNNING),
    ("RESTORE_SUCCESS", COMPLETED),
    ("RESTORE_FAIL", FAILED),
    ("SUCCESS", COMPLETED),
    ("FAIL", FAILED),
]


@pytest.mark.parametrize("status, phase", OCP_TABLE, ids=[row[0] for row in OCP_TABLE])
def test_ocp_status_table(status, phase):
    assert ocp_phase({"status": status}) == phase


@pytest.mark.parametrize("status, phase", OCP_TABLE, ids=[row[0] for row in OCP_TABLE])
def test_ocp_known_status_wins_over_finished_flags(status, phase):
    # The vendor samples carry finished/successful consistent with the status; a known status is
    # decided by the table alone.
    record = {"status": status, "finished": phase != RUNNING, "successful": phase == COMPLETED}
    assert ocp_phase(record) == phase


def test_ocp_vendor_samples():
    success = {"id": 4, "status": "RESTORE_SUCCESS", "statusDesc": "Completed", "finished": True,
               "successful": True, "errorMsg": ""}
    failure = {"id": 5, "status": "RESTORE_FAIL", "statusDesc": "Failed", "finished": True, "successful": False,
               "errorMsg": 'CLOG : OB_ENTRY_NOT_EXIST(-4018) on "10.0.0.1:2882" with traceid Y0'}
    assert ocp_phase(success) == COMPLETED
    assert ocp_phase(failure) == FAILED


# --- OCP section 10: the fallback for values that are not in the table ----------------------------

@pytest.mark.parametrize("status", ["CANCELED", "CANCEL", "CANCELLED", "LOGICAL_RESTORE_CANCELED", "CANCELING"])
def test_ocp_fallback_cancel(status):
    assert ocp_phase({"status": status}) == CANCELED


@pytest.mark.parametrize("finished, successful", [(True, True), (True, False), (False, False)])
def test_ocp_fallback_cancel_comes_first(finished, successful):
    assert ocp_phase({"status": "CANCELED", "finished": finished, "successful": successful}) == CANCELED


@pytest.mark.parametrize("status", ["LOGICAL_RESTORE_DONE", "START", "RECOVERING_LOGS", "SOMETHING_NEW"])
def test_ocp_fallback_finished_and_successful_is_completed(status):
    assert ocp_phase({"status": status, "finished": True, "successful": True}) == COMPLETED


@pytest.mark.parametrize("record", [
    {"status": "LOGICAL_RESTORE_DONE", "finished": True, "successful": False},
    {"status": "LOGICAL_RESTORE_DONE", "finished": True},
    {"status": "RECOVERING", "finished": True, "successful": None},
])
def test_ocp_fallback_finished_not_successful_is_failed(record):
    assert ocp_phase(record) == FAILED


def test_ocp_fallback_finished_beats_failure_words():
    # Step 2 comes before step 3: a finished, successful task is COMPLETED whatever its name says.
    assert ocp_phase({"status": "ERROR_HANDLED_RETRY", "finished": True, "successful": True}) == COMPLETED


@pytest.mark.parametrize("status", [
    "FAILED",
    "DATA_RECOVERY_FAILED",
    "LOG_RECOVERY_FAILED",
    "FAILED_TO_RECOVER_LOGS",
    "AN_ERROR_OCCURRED_WHILE_RECOVERING_DATA",
    "RECOVER_DATA_ERROR",
    "ERROR",
])
def test_ocp_fallback_fail_or_error_words(status):
    assert ocp_phase({"status": status}) == FAILED
    assert ocp_phase({"status": status, "finished": False}) == FAILED


@pytest.mark.parametrize("record", [
    {"status": "START"},
    {"status": "RECOVERING"},
    {"status": "RECOVERING_DATA"},
    {"status": "RECOVERING_LOGS"},
    {"status": "PHYSICAL_RESTORE_WAIT_QUICK_RESTORE_FINISH"},
    {"status": "A_BRAND_NEW_STATE"},
    {"status": "A_BRAND_NEW_STATE", "finished": False, "successful": False},
    {"status": ""},
    {"status": None},
    {},
])
def test_ocp_fallback_unknown_is_running(record):
    assert ocp_phase(record) == RUNNING


def test_ocp_finished_must_be_a_real_true():
    # Only a JSON true counts as finished; a string is not a boolean.
    assert ocp_phase({"status": "SOMETHING", "finished": "true", "successful": "true"}) == RUNNING


@pytest.mark.parametrize("status, phase", [
    ("restore_success", COMPLETED),
    ("Restore_Fail", FAILED),
    ("  RESTORE_SUCCESS  ", COMPLETED),
    ("\tRESTORE_FAIL\n", FAILED),
    (" restore_wait_ls ", RUNNING),
    ("canceled", CANCELED),
    (" Canceled ", CANCELED),
    ("data_recovery_failed", FAILED),
])
def test_ocp_case_and_whitespace(status, phase):
    assert ocp_phase({"status": status}) == phase


# --- obshell -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status, phase", OBSHELL_TABLE, ids=[row[0] for row in OBSHELL_TABLE])
def test_obshell_status_table(status, phase):
    assert obshell_phase({"status": status}) == phase


@pytest.mark.parametrize("status", [
    "PHYSICAL_RESTORE_WAIT_QUICK_RESTORE_FINISH",  # newer observers, string unknown
    "RESTORINE_SUCCESS",  # the web UI's typos are not wire values
    "RESTORINE_FAIL",
    "RESTORE_PRE",
    "RESTORE_WAIT_LS",
    "A_BRAND_NEW_STATE",
    "",
    None,
])
def test_obshell_unknown_is_running(status):
    assert obshell_phase({"status": status}) == RUNNING


def test_obshell_missing_status_is_running():
    assert obshell_phase({}) == RUNNING


@pytest.mark.parametrize("status, phase", [
    ("success", COMPLETED),
    (" Fail ", FAILED),
    ("restore_success\n", COMPLETED),
    ("  restore_fail", FAILED),
    ("create_tenant", RUNNING),
])
def test_obshell_case_and_whitespace(status, phase):
    assert obshell_phase({"status": status}) == phase


# --- terminal phases ------------------------------------------------------------------------------

@pytest.mark.parametrize("phase, terminal", [(RUNNING, False), (COMPLETED, True), (FAILED, True), (CANCELED, True)])
def test_is_terminal(phase, terminal):
    assert is_terminal(phase) is terminal


def test_phase_names_are_the_spec_names():
    assert set(_phase.PHASES) == {"RUNNING", "COMPLETED", "FAILED", "CANCELED"}
    assert set(_phase.TERMINAL_PHASES) == {"COMPLETED", "FAILED", "CANCELED"}


def test_every_mapped_value_is_a_phase():
    for table in (_phase.OCP_STATUS_PHASES, _phase.OBSHELL_STATUS_PHASES):
        assert set(table.values()) <= set(_phase.PHASES)

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: restore_wait
short_description: Wait for one OceanBase restore to finish, printing progress lines
version_added: 0.1.0
description:
  - Waits for a restore through M(oceanbase.ops.ocp_restore_task_info) or M(oceanbase.ops.obshell_restore_overview_info),
    starting at most one module process per O(report_interval) (the module polls every O(poll_interval) inside it),
    and prints a progress line (phase, status, progress, elapsed) in the play output once per O(report_interval).
  - A restore that does not exist yet (no OCP task yet, obshell tenant not visible or not restored yet) counts as running.
  - obshell reports a failed restore as C(RESTORE_FAIL), without a reason, for a moment before its history row (C(FAIL),
    reason in C(comment)) appears; the overview is then read again in the next report intervals (up to three times,
    not past O(wait_timeout)) for the reason.
  - When the task runs on the controller (the C(local) connection, without C(become)), which is where the API
    modules run, each module run happens inside the task's own process on the controller, with the same option
    checks and results, and no module process is started at all (see O(in_process)). Otherwise each run is a
    module process on the task's host.
  - With C(-vvv), the play output shows how long each module run took, and where it ran.
  - This is the engine of the C(oceanbase.ops.wait_for_restore) role; prefer the role.
  - It does not fail by itself when the restore failed or the wait timed out; it reports RV(outcome).
    It fails for errors that waiting cannot fix (credentials, configuration, bad input).
  - Connection options left unset come from C(module_defaults) (C(group/oceanbase.ops.ocp) or
    C(group/oceanbase.ops.obshell), or the module's own name), then from the E(OCEANBASE_*) environment variables.
author:
  - OceanBase Ops Maintainers (@oceanbase)
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin and runs the info module (in process on the controller, or as a module process).
  async:
    support: none
    description: The wait is bounded by O(wait_timeout), not by C(async).
  check_mode:
    support: full
    description: Only reads, so it runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing.
  platform:
    support: full
    platforms: all
    description: The info modules run where the task runs; use C(localhost).
options:
  api:
    description: Which API to read.
    type: str
    required: true
    choices: [ocp, obshell]
  url:
    description: O(oceanbase.ops.ocp_restore_task_info#module:url) or O(oceanbase.ops.obshell_restore_overview_info#module:url).
    type: str
  username:
    description: OCP HTTP Basic user.
    type: str
  password:
    description: OCP password, or the cluster's C(root@sys) password for obshell.
    type: str
  access_key_id:
    description: OCP AccessKey ID.
    type: str
  access_key_secret:
    description: OCP AccessKey secret.
    type: str
  agent_password:
    description: obshell agent password.
    type: str
  validate_certs:
    description: Verify TLS certificates (the module's default is V(true)).
    type: bool
  ca_path:
    description: CA bundle for HTTPS.
    type: path
  client_cert:
    description: obshell client certificate for mutual TLS.
    type: path
  client_key:
    description: Private key of O(client_cert).
    type: path
  timeout:
    description: Seconds per HTTP request.
    type: float
  cluster_id:
    description: OCP cluster ID.
    type: int
  tenant_id:
    description: OCP tenant ID (reads the tenant-scope endpoint).
    type: int
  task_id:
    description: OCP restore task ID. Without it, the newest task whose C(restoreTenantName) is O(tenant_name) is followed.
    type: int
  tenant_name:
    description: obshell - the restored tenant. OCP - selects the newest task restoring into this tenant name.
    type: str
  started_after:
    description: ISO 8601 time; restores that started earlier are ignored.
    type: str
  wait_timeout:
    description: Seconds to wait in all. V(0) is a single check.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between API reads.
    type: int
    default: 15
  report_interval:
    description: Seconds between progress lines, and between module runs.
    type: int
    default: 60
  in_process:
    description:
      - Run the info module's code inside the task's process on the controller when the task runs there (the
        C(local) connection, without C(become)), instead of starting a module process per module run. This saves
        the controller the start-up of a Python process per run (about a third of a CPU second each).
      - The options are checked as the module checks them, and the E(OCEANBASE_*) environment variables are read from
        the task's C(environment) keyword first, then from the controller's environment, as for a module process.
      - Set V(false) to always start module processes; they are started anyway on other connections, with
        C(become), or when the controller's Python lacks C(requests) (or C(cryptography) for obshell).
    type: bool
    default: true
seealso:
  - module: oceanbase.ops.ocp_restore_task_info
  - module: oceanbase.ops.obshell_restore_overview_info
"""

EXAMPLES = r"""
- name: Wait for the restore of tenant sales_copy through obshell
  oceanbase.ops.restore_wait:
    api: obshell
    url: http://10.10.10.1:2886
    password: "{{ root_sys_password }}"
    tenant_name: sales_copy
    wait_timeout: 10800
    report_interval: 120
  register: waited

- name: Fail unless it completed
  ansible.builtin.assert:
    that: waited.outcome == 'completed'
    fail_msg: "{{ waited.msg }}"
"""

RETURN = r"""
outcome:
  description: V(completed), V(failed), V(canceled) or V(timed_out) (V(error) when the module failed).
  returned: always
  type: str
  sample: completed
msg:
  description: What happened, with the status and the API's failure text, or the time waited and the last status.
  returned: always
  type: str
  sample: "Restore FAILED: status RESTORE_FAIL: CLOG : OB_ENTRY_NOT_EXIST(-4018)"
phase:
  description: Normalised phase of the last record, or V(null) when none was seen.
  returned: always
  type: str
  sample: COMPLETED
status:
  description: The API's status of the last record.
  returned: always
  type: str
  sample: RESTORE_SUCCESS
record:
  description: The last OCP restore task or obshell overview seen, with C(phase).
  returned: always
  type: dict
elapsed:
  description: Seconds waited.
  returned: always
  type: float
  sample: 812.4
polls:
  description: API reads in all.
  returned: always
  type: int
  sample: 55
module_runs:
  description: Module runs (one per report interval at most), as module processes or in process (see RV(in_process)).
  returned: always
  type: int
  sample: 14
in_process:
  description: Whether the module runs happened inside the task's process on the controller (no module process started).
  returned: always
  type: bool
  sample: true
retries:
  description: Requests sent again after transient errors.
  returned: always
  type: int
  sample: 0
"""

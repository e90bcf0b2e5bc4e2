#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: ocp_restore_task_info
short_description: List OceanBase restore tasks from OCP, and optionally wait for one to finish
version_added: 0.1.0
description:
  - Lists the restore tasks of an OceanBase cluster, or of one tenant, from OCP (OceanBase Cloud Platform).
  - Reads every page of the answer and adds a normalised RV(restore_tasks[].phase) to each task.
  - With O(wait=true), polls one task (O(task_id), or O(latest=true)) until it is V(COMPLETED), V(FAILED) or V(CANCELED).
  - Runs on the controller, in a play on C(localhost) or with C(delegate_to=localhost).
author:
  - OceanBase Ops Maintainers (@oceanbase)
requirements:
  - requests
extends_documentation_fragment:
  - oceanbase.ops.ocp
  - oceanbase.ops.wait
  - oceanbase.ops.attributes
  - oceanbase.ops.attributes.ocp_action_group
options:
  cluster_id:
    description: OCP ID of the cluster the tasks restore into (the C({id}) of the OCP API path).
    type: int
    required: true
  tenant_id:
    description:
      - OCP ID of a tenant. When set, the tenant-scope endpoint is read, otherwise the cluster-scope one.
      - The tenant-scope endpoint exists from OCP 4.3.x.
    type: int
  start_time:
    description:
      - Only tasks from this time on (server-side filter). Any ISO 8601 date-time; a time without an offset is UTC.
      - Sent as UTC with seconds precision for the tenant scope, as an offset date-time for the cluster scope.
    type: str
  end_time:
    description: Only tasks up to this time (server-side filter). Same forms as O(start_time).
    type: str
  restore_cluster_names:
    description: Only tasks restoring into these cluster names.
    type: list
    elements: str
  statuses:
    description:
      - Only tasks with these status values, for example V(RESTORE_SUCCESS) or V(RESTORE_FAIL).
      - Sent to OCP for the tenant scope and applied by the module for both scopes.
    type: list
    elements: str
  restore_tenant_name:
    description: Only tasks whose C(restoreTenantName) equals this name.
    type: str
  task_id:
    description: Only the task with this C(id). Sets RV(restore_task).
    type: int
  latest:
    description: Keep only the newest matching task (by C(createTime), then C(id)). Sets RV(restore_task).
    type: bool
    default: false
  started_after:
    description:
      - Ignore tasks created before this ISO 8601 time, so that a pipeline that runs a restore again under
        the same tenant name never picks up the previous attempt's result.
    type: str
  page_size:
    description: Tasks per request while reading every page (OCP allows at most 2000).
    type: int
    default: 2000
notes:
  - The module only reads, so C(changed) is always V(false).
seealso:
  - module: oceanbase.ops.obshell_restore_overview_info
"""

EXAMPLES = r"""
- name: List the restore tasks of cluster 1
  oceanbase.ops.ocp_restore_task_info:
    url: https://ocp.example.com:8080
    username: admin
    password: "{{ ocp_password }}"
    cluster_id: 1
  delegate_to: localhost
  register: restores

# Connection details from module_defaults (or from OCEANBASE_OCP_* variables set outside Ansible,
# as an AWX credential does). Do not pass secrets with the task's environment keyword: at -vvv,
# Ansible prints those values.
- name: Wait for the newest restore into tenant sales_copy, with AK/SK credentials from module_defaults
  module_defaults:
    group/oceanbase.ops.ocp:
      url: https://ocp.example.com:8080
      access_key_id: "{{ ocp_ak }}"
      access_key_secret: "{{ ocp_sk }}"
  oceanbase.ops.ocp_restore_task_info:
    cluster_id: 1
    restore_tenant_name: sales_copy
    started_after: "{{ restore_triggered_at }}"
    latest: true
    wait: true
    wait_timeout: 10800
    wait_sleep: 30
  delegate_to: localhost
  register: restore

- name: Stop when the restore failed
  ansible.builtin.assert:
    that: restore.restore_task.phase == 'COMPLETED'
    fail_msg: "{{ restore.restore_task.status }}: {{ restore.restore_task.errorMsg }}"
"""

RETURN = r"""
restore_tasks:
  description:
    - The matching tasks, newest first, with the API's own fields unchanged plus RV(restore_tasks[].phase).
    - Fields the API leaves null (such as C(progress)) are absent.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Restore task ID.
      type: int
      sample: 11
    status:
      description: OCP's status value, for example V(RESTORE_WAIT_LS), V(RESTORE_SUCCESS), V(RESTORE_FAIL).
      type: str
      sample: RESTORE_SUCCESS
    phase:
      description:
        - Normalised phase, V(RUNNING), V(COMPLETED), V(FAILED) or V(CANCELED). Unknown statuses are V(RUNNING).
      type: str
      sample: COMPLETED
    restoreTenantName:
      description: Name of the tenant the task restores into.
      type: str
      sample: sales_copy
    createTime:
      description: When the task was created.
      type: str
      sample: "2024-08-08T08:25:39.150608Z"
    progress:
      description: Progress text as OCP reports it (tenant scope; absent when OCP has none).
      type: str
      sample: "45%"
    errorMsg:
      description: Failure text; empty unless the task failed.
      type: str
      sample: ""
restore_task:
  description: The single selected task, or V(null) when none matches (yet).
  returned: when O(task_id) or O(latest) is set
  type: dict
  sample: {"id": 11, "status": "RESTORE_SUCCESS", "phase": "COMPLETED", "restoreTenantName": "sales_copy"}
elapsed:
  description: Seconds spent waiting.
  returned: when O(wait=true)
  type: float
  sample: 184.2
polls:
  description: How many times the task list was read while waiting.
  returned: when O(wait=true)
  type: int
  sample: 19
retries:
  description: Requests sent again after a transient error (network trouble, 5xx, 429).
  returned: always
  type: int
  sample: 0
timed_out:
  description: V(true) when the wait ended because O(wait_timeout) passed.
  returned: when O(wait=true)
  type: bool
  sample: false
error:
  description: Facts of the API error that failed the module (HTTP status, code, message, traceId).
  returned: on API failure
  type: dict
  sample: {"kind": "http", "status": 401, "code": "IAM10000", "message": "Bad credentials", "trace_id": "3f2a9b10c4d5e6f7"}
"""

from ansible_collections.oceanbase.ops.plugins.module_utils._module import OceanbaseModule
from ansible_collections.oceanbase.ops.plugins.module_utils._ocp_restore import argument_spec, restore_task_info


def main():
    module = OceanbaseModule(argument_spec())
    module.run(restore_task_info)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: obshell_restore_overview_info
short_description: Read a tenant's restore overview from an obshell agent, and optionally wait for the restore
version_added: 0.1.0
description:
  - Reads C(GET /api/v1/tenant/{name}/restore/overview) from an obshell agent (obshell 4.2.4.0 or later),
    that is the running restore job of the tenant, or else its last finished one.
  - Authenticates with obshell's hybrid scheme (auth v2); the password travels RSA-encrypted in a header,
    with a fresh AES key per request, against the agent's public key (512- and 1024-bit keys both work;
    a rotated key is read again once).
  - Adds a normalised RV(restore_overview.phase) to the record.
  - With O(wait=true), polls until the restore is V(COMPLETED) or V(FAILED). While waiting, a tenant
    that is not visible yet and a tenant with no restore yet count as "still running".
  - Runs on the controller, in a play on C(localhost) or with C(delegate_to=localhost).
author:
  - OceanBase Ops Maintainers (@oceanbase)
requirements:
  - requests
  - cryptography
extends_documentation_fragment:
  - oceanbase.ops.obshell
  - oceanbase.ops.wait
  - oceanbase.ops.attributes
  - oceanbase.ops.attributes.obshell_action_group
options:
  tenant_name:
    description: Name of the tenant being restored (the restore's target tenant). Not V(sys).
    type: str
    required: true
  started_after:
    description:
      - An ISO 8601 time. An overview whose C(start_timestamp) is earlier counts as "no restore yet",
        so a pipeline that restores again under the same tenant name never reads the previous result.
    type: str
notes:
  - The module only reads, so C(changed) is always V(false).
  - The agent's clock is read from its C(/api/v1/info) answer, and the authentication header is dated
    by it, so an agent whose clock runs ahead of the controller's does not reject requests as expired.
seealso:
  - module: oceanbase.ops.ocp_restore_task_info
"""

EXAMPLES = r"""
- name: Read the restore overview of tenant sales_copy
  oceanbase.ops.obshell_restore_overview_info:
    url: http://10.10.10.1:2886
    password: "{{ root_sys_password }}"
    tenant_name: sales_copy
  delegate_to: localhost
  register: overview

# Connection details from module_defaults (or from OCEANBASE_OBSHELL_* variables set outside Ansible,
# as an AWX credential does). Do not pass secrets with the task's environment keyword: at -vvv,
# Ansible prints those values.
- name: Wait for the restore started by this pipeline
  module_defaults:
    group/oceanbase.ops.obshell:
      url: https://10.10.10.1:2886
      password: "{{ root_sys_password }}"
      ca_path: /etc/pki/obshell-ca.pem
  oceanbase.ops.obshell_restore_overview_info:
    tenant_name: sales_copy
    started_after: "{{ restore_triggered_at }}"
    wait: true
    wait_timeout: 10800
    wait_sleep: 30
  delegate_to: localhost
  register: restore

- name: Stop when the restore failed
  ansible.builtin.assert:
    that: restore.restore_overview.phase == 'COMPLETED'
    fail_msg: "{{ restore.restore_overview.status }}: {{ restore.restore_overview.comment }}"
"""

RETURN = r"""
restore_overview:
  description:
    - The agent's overview (its C(data) object, every field unchanged) plus RV(restore_overview.phase).
    - V(null) when the tenant has never been restored (or, with O(started_after), not since then), and
      while waiting for a tenant that is not visible yet.
    - The running-only fields (C(recover_scn), C(restore_progress), ...) and the history-only fields
      (C(comment), C(finish_timestamp), ...) are zero values in the other state.
  returned: always
  type: dict
  contains:
    status:
      description: The agent's status, for example V(CREATE_TENANT), V(WAIT_TENANT_RESTORE_FINISH), V(SUCCESS), V(FAIL).
      type: str
      sample: SUCCESS
    phase:
      description: Normalised phase, V(RUNNING), V(COMPLETED) or V(FAILED). Unknown statuses are V(RUNNING).
      type: str
      sample: COMPLETED
    restore_progress:
      description: Data restore progress while running, as text.
      type: str
      sample: "45.50"
    comment:
      description: Failure reason of a finished restore.
      type: str
      sample: ""
    restore_scn:
      description: Target SCN (an integer above 2^53, kept exact).
      type: int
      sample: 1728890608464651273
reason:
  description:
    - Why RV(restore_overview) is V(null) - V(never_restored), V(tenant_not_visible) or V(started_before) -
      or V(null) when there is an overview.
  returned: always
  type: str
  sample: never_restored
elapsed:
  description: Seconds spent waiting.
  returned: when O(wait=true)
  type: float
  sample: 184.2
polls:
  description: How many times the overview was read while waiting.
  returned: when O(wait=true)
  type: int
  sample: 19
retries:
  description: Requests sent again after a transient error or a key rotation.
  returned: always
  type: int
  sample: 0
timed_out:
  description: V(true) when the wait ended because O(wait_timeout) passed.
  returned: when O(wait=true)
  type: bool
  sample: false
error:
  description: Facts of the API error that failed the module (HTTP status, errCode or code, message, traceId).
  returned: on API failure
  type: dict
  sample: {"kind": "http", "status": 401, "code": "Security.Authentication.IncorrectOceanbasePassword",
           "message": "Unauthorized: OceanBase password is incorrect", "trace_id": "9f1c2d3e4a5b6c7d"}
"""

from ansible_collections.oceanbase.ops.plugins.module_utils._module import OceanbaseModule
from ansible_collections.oceanbase.ops.plugins.module_utils._obshell_restore import argument_spec, restore_overview_info


def main():
    module = OceanbaseModule(argument_spec(), needs_cryptography=True)
    module.run(restore_overview_info)


if __name__ == "__main__":
    main()

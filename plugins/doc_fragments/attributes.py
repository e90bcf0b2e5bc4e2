# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes shared by the modules."""

    # Read-only info modules.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    support: N/A
    details: This action does not modify state.
    description: Will return details on what has changed (or possibly needs changing in C(diff_mode)).
"""

    OCP_ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oceanbase.ops.ocp) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - oceanbase.ops.ocp
"""

    OBSHELL_ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oceanbase.ops.obshell) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - oceanbase.ops.obshell
"""

# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Test helper: append every task result, as Ansible hands it to callbacks, to the JSON-lines file
named by RESULT_LOG. The integration tests assert on these records."""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: result_log
type: aggregate
short_description: write task results to a JSON-lines file (tests only)
description: Appends one JSON object per task result to the file named by E(RESULT_LOG).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_log"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, status, result):
        path = os.environ.get("RESULT_LOG")
        if not path:
            return
        record = {
            "status": status,
            "task": result.task_name or result._task.get_name(),
            "action": result._task.action,
            "host": result._host.get_name(),
            "result": result._result,
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result)

    def v2_runner_on_skipped(self, result):
        self._write("skipped", result)

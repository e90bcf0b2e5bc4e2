# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Benchmark helper: append one small JSON record per task result to the file named by BENCH_LOG.

Only the figures the benchmark reads are kept (never whole result lists: a listing of 100,000
tasks is summarised as its length and first/last ids), so the callback costs next to nothing.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_log
type: aggregate
short_description: write task timings and result summaries to a JSON-lines file (benchmark only)
description: Appends one JSON object per task result to the file named by E(BENCH_LOG).
"""

KEPT = ("attempts", "polls", "module_runs", "in_process", "elapsed", "outcome", "phase", "status", "failed", "retries", "msg")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_log"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._started = {}
        self._retries = 0

    def _write(self, record):
        path = os.environ.get("BENCH_LOG")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, default=str) + "\n")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task.get_name()] = time.monotonic()
        self._retries = 0

    def v2_runner_retry(self, result):
        self._retries += 1

    def _result(self, status, result):
        name = result.task_name or result._task.get_name()
        data = result._result
        record = {"cb_status": status, "task": name, "action": result._task.action, "end": time.monotonic(),
                  "start": self._started.get(name), "retry_callbacks": self._retries}
        for key in KEPT:
            if key in data:
                value = data[key]
                record[key] = value[:300] if isinstance(value, str) else value
        tasks = data.get("restore_tasks")
        if isinstance(tasks, list):
            record["restore_tasks"] = len(tasks)
        self._write(record)

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

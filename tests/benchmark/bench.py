#!/usr/bin/env python
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Benchmark of oceanbase.ops against the simulators: what waiting for a restore costs the Ansible
controller with the wait_for_restore role, compared with an info module in an until loop and with
what users write without the collection; and listing restore tasks at scale.

    python tests/benchmark/bench.py --quick                        # CI: asserts structural targets
    python tests/benchmark/bench.py --write docs/performance.md    # full run, writes the report

The collection under test is the installed one: --collections-path, else $ANSIBLE_COLLECTIONS_PATH,
else <repo>/build/installed (``make build``). Every figure comes from this one run, side by side on
the same machine; the markdown marks each target met or not met from the measurements.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402 pylint: disable=wrong-import-position
import report  # noqa: E402 pylint: disable=wrong-import-position

METHODS = ("role", "role-processes", "info", "baseline")
METHOD_LABELS = {
    ("ocp", "role"): "(a) wait_for_restore role",
    ("ocp", "role-processes"): "(a') the role with module processes (in_process false)",
    ("ocp", "info"): "(b) ocp_restore_task_info in until",
    ("ocp", "baseline"): "(c) ansible.builtin.uri in until",
    ("obshell", "role"): "(a) wait_for_restore role",
    ("obshell", "role-processes"): "(a') the role with module processes (in_process false)",
    ("obshell", "info"): "(b) obshell_restore_overview_info in until",
    ("obshell", "baseline"): "(c) obshell SDK loop (floor)",
}
LIST_MODULE = "ansible_collections.oceanbase.ops.plugins.modules.ocp_restore_task_info"


class Settings:
    """What one mode measures."""

    def __init__(self, quick):
        self.quick = quick
        if quick:
            self.seconds = 10          # restore length
            self.short_seconds = None  # no memory-growth comparison in quick mode
            self.poll = 1
            self.report_interval = 4   # several module runs, so "one per report interval" is tested
            self.scale = (1, 1000, 10000)  # 1 task: what a module process costs whatever it lists
            self.playbook_listing = (1000,)  # the listing through ansible-playbook, end to end
            self.poll_setting = None
            self.profile_idle = 0
            self.profile_listing = False
            self.latency_slack = 5.0   # generous: quick mode runs on loaded CI machines
            self.align = "first-poll"  # the restore starts at the first request: robust to a slow start
            self.repeat_role = 1
        else:
            self.seconds = 60
            self.short_seconds = 30
            self.poll = 2
            self.report_interval = 60  # the role's default
            self.scale = (1, 1000, 10000, 100000)  # 1 task: what a module process costs whatever it lists
            self.playbook_listing = (1000, 10000, 100000)
            self.poll_setting = 0.05   # internal_poll_interval studied for long waits
            self.profile_idle = 20
            self.profile_listing = True
            self.latency_slack = 1.0   # the target: poll interval + 1 s
            self.align = "launch"      # the restore starts as ansible-playbook is launched
            self.repeat_role = 3       # the role's net CPU is small: median of three


class Bench:
    def __init__(self, settings, workspace, progress=True):
        self.s = settings
        self.ws = workspace
        self.progress = progress
        self.failures = []     # structural checks that failed (quick mode exits non-zero on any)
        self.results = {"waits": [], "idle": {}, "listing": [], "notes": []}
        self.baseline = None   # collections path of an earlier build, for the listing's before/after

    def say(self, text):
        if self.progress:
            sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), text))
            sys.stderr.flush()

    def check(self, condition, text):
        if not condition:
            self.failures.append(text)
            self.say("CHECK FAILED: " + text)
        return condition

    # --- the control: an idle playbook ------------------------------------------------------
    def start_idle(self, seconds, cfg=None, env_extra=None, name="idle", profile=False):
        run_dir = self.ws.new_run_dir("%s-%ss" % (name, seconds))
        profile_file = run_dir / "idle.prof" if profile else None
        command = self.ws.playbook_command("idle.yml", {"bench_seconds": seconds}, run_dir, profile=profile_file)
        return self.ws.start(command, run_dir, self.ws.env(cfg=cfg, extra=env_extra)), seconds, profile_file

    def finish_idle(self, started):
        handle, seconds, profile_file = started
        result = self.ws.finish(handle)
        self.check(result["rc"] == 0, "idle playbook (%s s) failed: see %s" % (seconds, result["dir"]))
        if profile_file is not None:
            result["profile"] = summarise_idle_profile(profile_file, seconds)
        return result

    def idle(self, seconds, **kwargs):
        return self.finish_idle(self.start_idle(seconds, **kwargs))

    def idle_pair(self, seconds, first, second):
        """Two idle playbooks at the same time (same machine load): kwargs of start_idle for each."""
        one = self.start_idle(seconds, **first)
        two = self.start_idle(seconds, **second)
        return self.finish_idle(one), self.finish_idle(two)

    # --- one wait: (a), (b) or (c) against a fresh simulator, beside its idle control ----------
    def wait_repeated(self, api, method, seconds, repeat=1, **kwargs):
        """The median of ``repeat`` waits by net CPU (the role's net is small beside the idle loop's
        run-to-run noise), with every run's net kept in ``repeats``."""
        rows = [self.wait(api, method, seconds, **kwargs) for _attempt in range(repeat)]
        rows.sort(key=lambda row: row["cpu"] - (row.get("control_cpu") or 0.0))
        row = rows[len(rows) // 2]
        row["repeats"] = [item["cpu"] - (item.get("control_cpu") or 0.0) for item in rows] if repeat > 1 else None
        return row

    def wait(self, api, method, seconds, cfg=None, label=None, align=None):
        scenario = harness.restore_scenario(api, seconds)
        terminal = harness.terminal_time(api, scenario)
        sim = harness.start_simulator(api, scenario)
        run_dir = self.ws.new_run_dir("%s-%s-%ss%s" % (api, method, seconds, "-" + label if label else ""))
        control = None
        try:
            command = self._wait_command(api, method, seconds, sim.url, run_dir)
            env = self.ws.env(cfg=cfg)
            # The control runs at the same time, so that both see the same machine load; it is an
            # ansible-playbook that only sleeps (the SDK loop has no ansible-playbook to subtract).
            if not (api == "obshell" and method == "baseline"):
                control = self.start_idle(seconds, cfg=cfg, name="control-%s-%s" % (api, method))
            sim.reset_stats()
            align = align or self.s.align
            if align == "first-poll":
                sim.start_on_first_request = True  # the restore starts at the first request
            else:
                sim.clock.reset()  # the restore starts now, as ansible-playbook is launched
            result = self.ws.measure(command, run_dir, env)
            stats = harness.simulator_stats(api, sim)
            started = sim.clock.started
        finally:
            sim.stop()
            control_result = self.finish_idle(control) if control else None
        with open(str(run_dir / "simulator-log.jsonl"), "w", encoding="utf-8") as handle:
            for entry in stats["log"]:
                handle.write(json.dumps(entry) + "\n")
        detected = harness.detection_time(stats, terminal)
        del stats["log"]
        row = self._wait_row(api, method, seconds, result, stats, terminal, started)
        row["label"] = label
        row["align"] = align
        row["dir"] = str(run_dir)
        row["terminal"] = terminal
        row["detected"] = detected - terminal if detected is not None else None  # seconds after the terminal status
        row["tail"] = row["latency"] - row["detected"] if detected is not None else None  # from that read to the end
        row["control_cpu"] = control_result["cpu"] if control_result else None
        row["control_wall"] = control_result["wall"] if control_result else None
        return row

    def _wait_command(self, api, method, seconds, url, run_dir):
        timeout = 3 * seconds + 60
        if method == "baseline" and api == "obshell":
            return [sys.executable, str(harness.SDK_FLOOR), url, harness.OBSHELL_PASSWORD, harness.TENANT_NAME,
                    str(self.s.poll), str(timeout)]
        common = {"bench_url": url, "bench_poll": self.s.poll, "bench_retries": harness.until_retries(seconds, self.s.poll)}
        if method in ("role", "role-processes"):
            extra = {"wait_for_restore_api": api, "wait_for_restore_url": url, "wait_for_restore_timeout": timeout,
                     "wait_for_restore_poll_interval": self.s.poll,
                     "wait_for_restore_report_interval": self.s.report_interval,
                     "wait_for_restore_in_process": method == "role"}
            if api == "ocp":
                extra.update(wait_for_restore_username=harness.OCP_USER[0], wait_for_restore_password=harness.OCP_USER[1],
                             wait_for_restore_cluster_id=harness.OCP_CLUSTER_ID, wait_for_restore_task_id=harness.OCP_TASK_ID)
            else:
                extra.update(wait_for_restore_password=harness.OBSHELL_PASSWORD, wait_for_restore_tenant_name=harness.TENANT_NAME)
            return self.ws.playbook_command("role.yml", extra, run_dir)
        if api == "ocp":
            common.update(bench_username=harness.OCP_USER[0], bench_password=harness.OCP_USER[1],
                          bench_cluster_id=harness.OCP_CLUSTER_ID, bench_task_id=harness.OCP_TASK_ID)
            playbook = "ocp_info_until.yml" if method == "info" else "ocp_uri_until.yml"
        else:
            common.update(bench_password=harness.OBSHELL_PASSWORD, bench_tenant_name=harness.TENANT_NAME)
            playbook = "obshell_info_until.yml"
        return self.ws.playbook_command(playbook, common, run_dir)

    def _wait_row(self, api, method, seconds, result, stats, terminal, started):
        row = {"api": api, "method": method, "name": METHOD_LABELS[(api, method)], "seconds": seconds,
               "poll": self.s.poll, "report_interval": self.s.report_interval, "rc": result["rc"],
               "wall": result["wall"], "cpu": result["cpu"], "user": result["user"], "sys": result["sys"],
               "self_cpu": result.get("self_cpu"), "tasks_cpu": result.get("tasks_cpu"),
               "maxrss_mb": result["maxrss_mb"], "latency": result["end"] - started - terminal, "sim": stats,
               "playbook": not (api == "obshell" and method == "baseline"),
               "module_processes": result["module_processes"]}
        where = "%s %s (%s s): see %s" % (api, method, seconds, result["dir"])
        ok = result["rc"] == 0
        if method in ("role", "role-processes"):
            waited = [task for task in result["tasks"] if task["action"].endswith("restore_wait")]
            record = waited[-1] if waited else {}
            row["polls"] = record.get("polls")
            row["module_runs_self"] = record.get("module_runs")
            row["in_process"] = record.get("in_process")
            row["elapsed"] = record.get("elapsed")
            ok = ok and record.get("outcome") == "completed"
        elif row["playbook"]:
            polled = [task for task in result["tasks"] if task["task"].startswith("Read ")]
            record = polled[-1] if polled else {}
            row["polls"] = record.get("attempts")
            row["module_runs_self"] = record.get("attempts")
            ok = ok and record.get("cb_status") == "ok"
        else:
            try:
                floor = json.loads(Path(result["stdout_path"]).read_text().strip().splitlines()[-1])
            except (ValueError, IndexError):
                floor = {}
            row["polls"] = floor.get("polls")
            row["module_runs_self"] = 0
            ok = ok and floor.get("status") in ("SUCCESS", "RESTORE_SUCCESS")
        self.check(ok, "the wait did not complete: " + where)
        self.check(bool(row["polls"]), "no poll count for " + where)
        polls = row["polls"] or 1
        row["requests_per_poll"] = stats["requests"] / float(polls)
        row["list_requests_per_poll"] = stats["list_requests"] / float(polls)
        if api == "ocp":
            row["module_runs_sim"] = stats["connections"]  # one keep-alive session per module process; uri: one per request
            row["key_fetches"] = None
        else:
            row["module_runs_sim"] = stats["info_requests"] if row["playbook"] else 0
            row["key_fetches"] = stats["secret_requests"]
        return row

    # --- listing at scale ----------------------------------------------------------------------
    def listing(self, count, profile=False):
        sim = harness.start_simulator("ocp", harness.scale_scenario(count))
        # The tasks' records are built before the clock starts: the module's time is measured, not
        # the simulator's (which serves every page from the same Python process as this benchmark).
        sim.warm()
        pages = int(math.ceil(count / 2000.0))
        row = {"count": count, "pages": pages}
        try:
            # 1. The module process alone, run directly (python -m <module> <args file>): the same code
            #    ansible-playbook runs, without the controller around it.
            run_dir = self.ws.new_run_dir("list-%d-module" % count)
            args_file = run_dir / "args.json"
            args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
                "url": sim.url, "username": harness.OCP_USER[0], "password": harness.OCP_USER[1],
                "cluster_id": harness.OCP_CLUSTER_ID, "tenant_id": harness.OCP_TENANT_ID}}))
            env = self.ws.env(extra={"PYTHONPATH": os.pathsep.join(
                [self.ws.collections] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))})
            command = [sys.executable, "-m", LIST_MODULE, str(args_file)]
            sim.reset_stats()
            direct = self.ws.measure(command, run_dir, env)
            stats = harness.simulator_stats("ocp", sim)
            out = Path(direct["stdout_path"])
            row["returned_mb"] = out.stat().st_size / 1048576.0
            self._check_listing(count, out, stats, run_dir)
            out.unlink()
            row.update(module_wall=direct["wall"], module_cpu=direct["cpu"], module_maxrss_mb=direct["maxrss_mb"],
                       list_requests=stats["list_requests"], connections=stats["connections"])
            # 1b. With --baseline-collections-path: the same listing by an earlier build of the
            #     collection, against the same simulator, right after (before/after in one run).
            if self.baseline:
                run_dir = self.ws.new_run_dir("list-%d-module-baseline" % count)
                before_env = self.ws.env(extra={"PYTHONPATH": os.pathsep.join(
                    [self.baseline] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))})
                sim.reset_stats()
                before = self.ws.measure(command, run_dir, before_env)
                before_out = Path(before["stdout_path"])
                self._check_listing(count, before_out, harness.simulator_stats("ocp", sim), run_dir)
                before_out.unlink()
                row["baseline"] = {"module_wall": before["wall"], "module_cpu": before["cpu"],
                                   "module_maxrss_mb": before["maxrss_mb"]}
            # 2. The same listing in a playbook: the task's duration and the peak RSS of the whole tree.
            if count not in self.s.playbook_listing:
                return row
            run_dir = self.ws.new_run_dir("list-%d-playbook" % count)
            command = self.ws.playbook_command("ocp_list.yml", {
                "bench_url": sim.url, "bench_username": harness.OCP_USER[0], "bench_password": harness.OCP_USER[1],
                "bench_cluster_id": harness.OCP_CLUSTER_ID, "bench_tenant_id": harness.OCP_TENANT_ID}, run_dir)
            played = self.ws.measure(command, run_dir, self.ws.env())
            listed = [task for task in played["tasks"] if task["task"] == "List the restore tasks"]
            record = listed[-1] if listed else {}
            self.check(played["rc"] == 0 and record.get("restore_tasks") == count,
                       "playbook listing of %d tasks returned %s: see %s" % (count, record.get("restore_tasks"), run_dir))
            row.update(playbook_wall=played["wall"], playbook_cpu=played["cpu"], playbook_maxrss_mb=played["maxrss_mb"],
                       task_seconds=(record["end"] - record["start"]) if record.get("start") else None)
            # 3. Optionally, where the module's time goes (cProfile; inflates Python-heavy parts).
            if profile:
                run_dir = self.ws.new_run_dir("list-%d-profile" % count)
                prof = run_dir / "module.prof"
                command = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", LIST_MODULE, str(args_file)]
                self.ws.measure(command, run_dir, env)
                Path(run_dir / "stdout.txt").unlink()
                row["profile"] = summarise_listing_profile(prof)
        finally:
            sim.stop()
        return row

    def _check_listing(self, count, out, stats, run_dir):
        pages = int(math.ceil(count / 2000.0))
        try:
            text = out.read_text()
            result = json.loads(text[text.index("{"):])
        except ValueError as exc:
            self.check(False, "listing of %d tasks: the module output is not JSON (%s): see %s" % (count, exc, run_dir))
            return
        tasks = result.get("restore_tasks") or []
        ids = [task.get("id") for task in tasks]
        expected = list(range(100000 + count - 1, 99999, -1))
        self.check(not result.get("failed"), "listing of %d tasks failed: %s" % (count, result.get("msg")))
        self.check(ids == expected, "listing of %d tasks: got %d tasks, ids %s..%s, expected %s..%s newest first"
                   % (count, len(ids), ids[:1], ids[-1:], expected[:1], expected[-1:]))
        self.check(all(task.get("phase") == "COMPLETED" for task in tasks), "listing of %d tasks: a phase is not COMPLETED" % count)
        self.check(stats["list_requests"] == pages and stats["errors"] == 0,
                   "listing of %d tasks: %d list requests (%d errors), expected %d pages"
                   % (count, stats["list_requests"], stats["errors"], pages))

    # --- per-poll costs --------------------------------------------------------------------------
    def poll_costs(self, warmup=5, window=40):
        """CPU of one poll inside a module process: the module runs directly with wait: true and
        wait_sleep 1 against a restore that never ends; its CPU time is read from /proc/PID/stat
        ``warmup`` seconds after it starts and again ``window`` seconds later, and divided by the
        polls the simulator received in between (start-up and exit excluded). Also: one single
        check (wait_timeout 0), CPU and wall of the whole process."""
        out = {}
        for api in ("ocp", "obshell"):
            sim = harness.start_simulator(api, harness.restore_scenario(api, 100000))
            try:
                if api == "ocp":
                    args = {"url": sim.url, "username": harness.OCP_USER[0], "password": harness.OCP_USER[1],
                            "cluster_id": harness.OCP_CLUSTER_ID, "task_id": harness.OCP_TASK_ID}
                    module = LIST_MODULE
                else:
                    args = {"url": sim.url, "password": harness.OBSHELL_PASSWORD, "tenant_name": harness.TENANT_NAME}
                    module = "ansible_collections.oceanbase.ops.plugins.modules.obshell_restore_overview_info"
                env = self.ws.env(extra={"PYTHONPATH": self.ws.collections})
                run_dir = self.ws.new_run_dir("%s-single-check" % api)
                args_file = run_dir / "args.json"
                args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, wait=True, wait_timeout=0, wait_sleep=1)}))
                single = self.ws.measure([sys.executable, "-m", module, str(args_file)], run_dir, env)
                run_dir = self.ws.new_run_dir("%s-polls" % api)
                args_file = run_dir / "args.json"
                args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(
                    args, wait=True, wait_timeout=warmup + window + 5, wait_sleep=1)}))
                sim.reset_stats()
                marker = "restoreTasks" if api == "ocp" else "/restore/overview"
                with open(str(run_dir / "stdout.txt"), "wb") as stdout:
                    proc = subprocess.Popen([sys.executable, "-m", module, str(args_file)], env=env,  # pylint: disable=consider-using-with
                                            stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                    time.sleep(warmup)
                    cpu0, polls0 = harness.process_cpu(proc.pid), len(sim.requests_to(marker))
                    time.sleep(window)
                    cpu1, polls1 = harness.process_cpu(proc.pid), len(sim.requests_to(marker))
                    proc.wait()
                stats = harness.simulator_stats(api, sim)
                del stats["log"]
                polls = polls1 - polls0
                per_poll = 1000.0 * (cpu1 - cpu0) / polls if polls and cpu0 is not None and cpu1 is not None else None
                out[api] = {
                    "single_cpu": single["cpu"], "single_wall": single["wall"], "window": window, "polls": polls,
                    "per_poll_ms": per_poll, "connections": stats["connections"], "requests": stats["requests"],
                    "key_fetches": stats.get("secret_requests"), "info_reads": stats.get("info_requests"),
                }
                self.check(stats["connections"] == 1, "%s: %d TCP connections in one module process" % (api, stats["connections"]))
            finally:
                sim.stop()
        return out

    def ansiballz_costs(self, repeat=3):
        """CPU of one OCP module process (a single check), as ansible-playbook runs it (the AnsiballZ
        wrapper, kept with ANSIBLE_KEEP_REMOTE_FILES and run again directly: module_utils are imported
        from a zip, compiled from source at every start) and run from the installed sources
        (``python -m``, bytecode caches allowed): the median of ``repeat`` each."""
        sim = harness.start_simulator("ocp", harness.restore_scenario("ocp", 100000))
        try:
            run_dir = self.ws.new_run_dir("ansiballz-keep")
            extra = {"bench_url": sim.url, "bench_username": harness.OCP_USER[0], "bench_password": harness.OCP_USER[1],
                     "bench_cluster_id": harness.OCP_CLUSTER_ID, "bench_task_id": harness.OCP_TASK_ID, "bench_retries": 0,
                     "bench_poll": 1}
            kept = self.ws.measure(self.ws.playbook_command("ocp_info_until.yml", extra, run_dir), run_dir,
                                   self.ws.env(extra={"ANSIBLE_KEEP_REMOTE_FILES": "1"}))
            wrappers = sorted((self.ws.path / "remote-tmp").glob("ansible-tmp-*/AnsiballZ_ocp_restore_task_info.py"))
            if kept["rc"] != 0 or not wrappers:
                self.check(False, "could not keep an AnsiballZ wrapper: see %s" % run_dir)
                return None
            args_file = run_dir / "args.json"
            args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
                "url": sim.url, "username": harness.OCP_USER[0], "password": harness.OCP_USER[1],
                "cluster_id": harness.OCP_CLUSTER_ID, "task_id": harness.OCP_TASK_ID}}))
            direct_env = self.ws.env(extra={"PYTHONPATH": self.ws.collections})
            direct_env.pop("PYTHONDONTWRITEBYTECODE", None)
            runs = {"ansiballz": [], "direct": []}
            for _attempt in range(repeat):
                for kind in ("ansiballz", "direct"):
                    command = [sys.executable, str(wrappers[-1])] if kind == "ansiballz" else [sys.executable, "-m", LIST_MODULE, str(args_file)]
                    result = self.ws.measure(command, self.ws.new_run_dir("module-%s" % kind), direct_env if kind == "direct" else self.ws.env())
                    self.check(result["rc"] == 0, "%s module run failed: see %s" % (kind, result["dir"]))
                    runs[kind].append(result["cpu"])
            return dict((kind, sorted(values)[len(values) // 2]) for kind, values in runs.items())
        finally:
            sim.stop()

    # --- per-process costs ---------------------------------------------------------------------
    def import_costs(self):
        """Import time of what module processes load: each alone in a fresh interpreter, then all of
        them together (what an obshell module process pays), with ``python -X importtime``, best of three."""
        env = dict(os.environ, PYTHONPATH=self.ws.collections)
        names = ["ansible.module_utils.basic", "requests", "cryptography.hazmat.primitives.asymmetric.padding",
                 "ansible_collections.oceanbase.ops.plugins.module_utils._ocp_restore",
                 "ansible_collections.oceanbase.ops.plugins.module_utils._obshell_restore"]
        costs = {}
        for label, group in [(name, [name]) for name in names] + [("all of the above, in one interpreter", names)]:
            best = None
            for _attempt in range(3):  # the machine is shared
                proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "; ".join("import " + name for name in group)],
                                      env=env, capture_output=True, text=True, check=False)
                seen = parse_importtime(proc.stderr)
                total = sum(seen.get(name, 0.0) for name in group)
                best = total if best is None else min(best, total)
            costs[label] = best
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=False)
        costs["python -c pass (wall, interpreter start)"] = time.monotonic() - start
        return costs

    # --- the whole run -------------------------------------------------------------------------
    def run(self, sections):
        s = self.s
        apis = ("ocp", "obshell")
        idle = self.results["idle"]
        if "waits" in sections or "idle" in sections:
            count = 1 if s.quick else 3
            self.say("ansible-playbook start and end: an idle playbook of 0 s, %d time(s)" % count)
            idle["startup_runs"] = sorted((self.idle(0) for _attempt in range(count)), key=lambda run: run["cpu"])
            idle["startup"] = idle["startup_runs"][count // 2]  # the median
        if "waits" in sections:
            for api in apis:
                for method in METHODS:
                    repeat = s.repeat_role if method == "role" else 1
                    self.say("%s %s, %d s restore, poll %d s (beside an idle control)%s"
                             % (api, method, s.seconds, s.poll, ", %d times" % repeat if repeat > 1 else ""))
                    self.results["waits"].append(self.wait_repeated(api, method, s.seconds, repeat=repeat))
            if s.short_seconds:
                for api in apis:
                    self.say("memory growth: %s role with a %d s restore" % (api, s.short_seconds))
                    self.results["waits"].append(self.wait(api, "role", s.short_seconds))
            if s.align == "launch":
                self.say("ocp role, the %d s restore counted from the first poll (ends on a report-interval boundary)" % s.seconds)
                self.results["waits"].append(self.wait("ocp", "role", s.seconds, align="first-poll", label="from first poll"))
        if "idle" in sections and s.poll_setting:
            cfg = self.ws.poll_cfg(s.poll_setting)
            self.say("idle %d s: default and internal_poll_interval = %s in ansible.cfg, side by side" % (s.seconds, s.poll_setting))
            idle["default"], idle["setting"] = self.idle_pair(s.seconds, {"name": "idle-default"},
                                                              {"cfg": cfg, "name": "idle-poll%s" % s.poll_setting})
            idle["seconds"] = s.seconds
            env_seconds = s.short_seconds or s.seconds
            self.say("idle %d s: default and ANSIBLE_INTERNAL_POLL_INTERVAL=%s in the environment, side by side"
                     % (env_seconds, s.poll_setting))
            idle["env_default"], idle["env"] = self.idle_pair(
                env_seconds, {"name": "idle-default"},
                {"env_extra": {"ANSIBLE_INTERNAL_POLL_INTERVAL": str(s.poll_setting)}, "name": "idle-env"})
            idle["env_seconds"] = env_seconds
            if "waits" in sections:
                self.say("ocp role with internal_poll_interval = %s (beside an idle control with the same setting)" % s.poll_setting)
                self.results["waits"].append(self.wait("ocp", "role", s.seconds, cfg=cfg, label="poll%s" % s.poll_setting))
        if "idle" in sections and s.profile_idle:
            self.say("profiling an idle ansible-playbook for %d s (cProfile of the controller's main process)" % s.profile_idle)
            idle["profile"] = self.idle(s.profile_idle, name="idle-profile", profile=True)["profile"]
        if "listing" in sections:
            for count in s.scale:
                self.say("listing %d tasks" % count)
                self.results["listing"].append(self.listing(count, profile=s.profile_listing and count == max(s.scale)))
            self.say("import costs of a module process")
            self.results["imports"] = self.import_costs()
        if "waits" in sections and not s.quick:
            self.say("CPU per poll inside one module process (40 s of polls at 1 s, against a restore that never ends)")
            self.results["polls"] = self.poll_costs()
            self.say("CPU of one module process: as ansible runs it (AnsiballZ) and from installed sources")
            self.results["ansiballz"] = self.ansiballz_costs()
        self.structural_checks()

    def structural_checks(self):
        """The robust targets, asserted in every mode."""
        for row in self.results["waits"]:
            where = "%s %s (%s s)" % (row["api"], row["name"], row["seconds"])
            polls = row.get("polls") or 0
            if not polls:
                continue
            if row["method"] in ("role", "role-processes"):
                in_process = row["method"] == "role"
                self.check(row.get("in_process") is in_process, "%s: in_process %s, expected %s"
                           % (where, row.get("in_process"), in_process))
                # Module processes counted by their interpreter: none in process, one per module run otherwise.
                expected = 0 if in_process else row["module_runs_self"]
                self.check(row["module_processes"] == expected, "%s: %s module processes started, expected %s"
                           % (where, row["module_processes"], expected))
                self.check(abs(row["list_requests_per_poll"] - 1.0) < 1e-9,
                           "%s: %.2f restore requests per poll, expected exactly 1" % (where, row["list_requests_per_poll"]))
                if row["api"] == "ocp":
                    self.check(row["sim"]["requests"] == polls, "%s: %d requests for %d polls" % (where, row["sim"]["requests"], polls))
                else:
                    self.check(row["key_fetches"] <= row["module_runs_sim"],
                               "%s: %d public key fetches for %d module runs" % (where, row["key_fetches"], row["module_runs_sim"]))
                runs, elapsed = row["module_runs_sim"], row.get("elapsed") or row["wall"]
                allowed = int(math.floor(elapsed / row["report_interval"])) + 1
                self.check(runs <= allowed, "%s: %d module runs in %.1f s with report interval %d s (at most %d)"
                           % (where, runs, elapsed, row["report_interval"], allowed))
                self.check(runs == row["module_runs_self"], "%s: the simulator counted %s module runs, the role reported %s"
                           % (where, runs, row["module_runs_self"]))
                self.check(row["latency"] <= row["poll"] + self.s.latency_slack or not self.s.quick,
                           "%s: detection latency %.1f s > poll %d s + %.0f s" % (where, row["latency"], row["poll"], self.s.latency_slack))
            elif row["method"] == "info":
                self.check(row["module_runs_sim"] == polls, "%s: %s module runs counted at the simulator for %d polls"
                           % (where, row["module_runs_sim"], polls))
                self.check(row["module_processes"] == polls, "%s: %s module processes started for %d polls"
                           % (where, row["module_processes"], polls))
            elif row["method"] == "baseline" and row["playbook"]:
                self.check(row["module_processes"] == polls, "%s: %s uri module processes started for %d polls"
                           % (where, row["module_processes"], polls))


# --- profiles ------------------------------------------------------------------------------------
def _stats_rows(path):
    stats = pstats.Stats(str(path))
    rows = []
    for (filename, line, func), (primitive, calls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append({"function": "%s:%d(%s)" % (short_path(filename), line, func), "file": filename, "name": func,
                     "calls": calls, "primitive": primitive, "tottime": tottime, "cumtime": cumtime})
    return rows, stats.total_tt


def short_path(filename):
    for marker in ("site-packages/", "ansible_collections/", "lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def summarise_idle_profile(path, seconds):
    """What the controller's main process does again and again while a task runs: the functions called
    at least once every two passes of the strategy's results loop, by own time (the sleeps apart)."""
    rows, total = _stats_rows(path)

    def find(name, file_part):
        for row in rows:
            if row["name"] == name and file_part in row["file"]:
                return row
        return None

    pending = find("_process_pending_results", "strategy")
    sleep = [row for row in rows if "time.sleep" in row["name"]]
    passes = pending["calls"] if pending else 10 * seconds
    loop = [row for row in rows if row["calls"] >= passes // 2 and "time.sleep" not in row["name"]]
    loop.sort(key=lambda row: row["tottime"], reverse=True)
    return {
        "seconds": seconds,
        "total": total,
        "top": [dict((key, row[key]) for key in ("function", "calls", "tottime", "cumtime")) for row in loop[:8]],
        "loop_own": sum(row["tottime"] for row in loop),
        "sleep_calls": sleep[0]["calls"] if sleep else None,
        "process_pending_calls": pending["calls"] if pending else None,
    }


def summarise_listing_profile(path):
    rows, total = _stats_rows(path)
    wanted = (("fetch", "_ocp_restore"), ("iter_pages", "_ocp.py"), ("loads", "json/__init__"), ("_normalise", "_ocp_restore"),
              ("exit_json", "basic.py"), ("remove_values", "parameters.py"), ("_record_module_result", "basic.py"),
              ("dumps", "json/__init__"), ("<built-in method builtins.print>", ""), ("sort", ""))
    found = []
    for name, file_part in wanted:
        for row in rows:
            label = row["name"]
            if (label == name or label == "<method '%s' of 'list' objects>" % name) and file_part in row["file"]:
                found.append({"function": row["function"], "calls": row["calls"], "cumtime": row["cumtime"]})
                break
    return {"total": total, "parts": found}


def parse_importtime(text):
    """Top-level imports of ``python -X importtime``: {name: cumulative seconds}."""
    seen = {}
    for line in text.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and not match.group(3).strip() and len(match.group(3)) <= 1:
            seen[match.group(4)] = int(match.group(2)) / 1e6
    return seen


# --- environment facts -----------------------------------------------------------------------------
def machine_facts(collections):
    facts = {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
             "cpu": platform.processor() or "unknown", "memory_gb": None, "kernel": platform.release(),
             "loadavg": os.getloadavg()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    facts["memory_gb"] = int(line.split()[1]) / 1048576.0
                    break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
        versions["ansible-core"] = ansible_version
    except ImportError:
        versions["ansible-core"] = "not installed"
    manifest = Path(collections) / "ansible_collections" / "oceanbase" / "ops" / "MANIFEST.json"
    galaxy = Path(collections) / "ansible_collections" / "oceanbase" / "ops" / "galaxy.yml"
    if manifest.exists():
        versions["oceanbase.ops"] = json.loads(manifest.read_text())["collection_info"]["version"]
    elif galaxy.exists():
        found = re.search(r"^version:\s*(\S+)", galaxy.read_text(), re.M)
        versions["oceanbase.ops"] = (found.group(1) if found else "?") + " (source tree)"
    else:
        versions["oceanbase.ops"] = "NOT FOUND in %s" % collections
    for dist in ("requests", "cryptography", "obshell"):
        try:
            from importlib.metadata import version  # pylint: disable=import-outside-toplevel
            versions[dist] = version(dist)
        except Exception:  # pylint: disable=broad-except
            versions[dist] = "not installed"
    return facts, versions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI mode: 10 s restore, poll 1 s, listings of 1k and 10k; exit 1 when a structural target fails")
    parser.add_argument("--write", metavar="FILE", help="write the markdown report to FILE (e.g. docs/performance.md)")
    parser.add_argument("--collections-path", metavar="DIR", help="collections path of the collection under test "
                        "(default: $ANSIBLE_COLLECTIONS_PATH, else build/installed)")
    parser.add_argument("--only", choices=("waits", "idle", "listing"), action="append",
                        help="run only these sections (repeatable; default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (playbooks' output, profiles)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw measurements as JSON")
    parser.add_argument("--baseline-collections-path", metavar="DIR",
                        help="collections path of an earlier build: each listing also runs with it, for a before/after "
                             "table (see `make bench-listing-change`)")
    parser.add_argument("--baseline-label", metavar="TEXT", help="what the baseline is, for the report (e.g. a commit)")
    args = parser.parse_args(argv)

    collections = harness.collections_path(args.collections_path)
    if not (Path(collections) / "ansible_collections" / "oceanbase" / "ops").exists():
        sys.stderr.write("oceanbase.ops is not installed in %s: run `make build` (or pass --collections-path)\n" % collections)
        return 2
    settings = Settings(args.quick)
    sections = set(args.only or ("waits", "idle", "listing"))
    scratch = Path(tempfile.mkdtemp(prefix="oceanbase-ops-bench-"))
    started = time.monotonic()
    facts, versions = machine_facts(collections)
    bench = Bench(settings, harness.Workspace(scratch, collections))
    if args.baseline_collections_path:
        bench.baseline = harness.collections_path(args.baseline_collections_path)
    try:
        bench.run(sections)
    finally:
        if args.keep:
            sys.stderr.write("scratch directory kept: %s\n" % scratch)
        else:
            shutil.rmtree(str(scratch), ignore_errors=True)
    facts["loadavg_end"] = os.getloadavg()
    context = {
        "settings": settings, "facts": facts, "versions": versions, "collections": collections,
        "command": command_line(argv), "duration": time.monotonic() - started,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "sections": sections,
        "baseline": args.baseline_label or args.baseline_collections_path,
    }
    document = report.Report(bench.results, context)
    print(document.text_tables())
    if args.json:
        Path(args.json).write_text(json.dumps({"results": bench.results, "facts": facts, "versions": versions}, indent=1, default=str))
    if args.write:
        Path(args.write).write_text(document.markdown())
        sys.stderr.write("wrote %s\n" % args.write)
    sys.stderr.write("benchmark took %.0f s\n" % (time.monotonic() - started))
    if bench.failures:
        sys.stderr.write("STRUCTURAL CHECKS FAILED:\n  %s\n" % "\n  ".join(bench.failures))
        return 1
    return 0


def command_line(argv):
    args = sys.argv[1:] if argv is None else list(argv)
    return " ".join([".venv/bin/python", "tests/benchmark/bench.py"] + args)


if __name__ == "__main__":
    sys.exit(main())

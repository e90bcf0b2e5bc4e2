# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Benchmark plumbing: paths, simulators that also count TCP connections, and measured runs.

Every measured command runs under ``runner.py`` (see there for what is measured and how); the
simulators run in this process, so their own CPU never counts.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from simulator.common import load_scenario  # noqa: E402 pylint: disable=wrong-import-position
from simulator.obshell import ObshellSimulator  # noqa: E402 pylint: disable=wrong-import-position
from simulator.ocp import OcpSimulator  # noqa: E402 pylint: disable=wrong-import-position

SCENARIOS = TESTS / "simulator" / "scenarios"
PLAYBOOKS = HERE / "playbooks"
BIN = Path(sys.executable).parent
RUNNER = HERE / "runner.py"
SDK_FLOOR = HERE / "sdk_floor.py"

OCP_USER = ("admin", "admin-password")
OBSHELL_PASSWORD = "root-password"
OCP_TASK_ID = 11
OCP_CLUSTER_ID = 1
OCP_TENANT_ID = 1001
TENANT_NAME = "restored_tenant"
OVERVIEW_PATH = "/api/v1/tenant/%s/restore/overview" % TENANT_NAME


def collections_path(override=None):
    """Where the collection under test is installed: --collections-path, $ANSIBLE_COLLECTIONS_PATH,
    else <repo>/build/installed."""
    if override:
        return str(Path(override).resolve())
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(ROOT / "build" / "installed")


def _counting(base):
    class Counting(base):
        """The simulator, plus the set of client (address, port) pairs: one per TCP connection, and
        optionally a scenario clock that starts at the first request (``start_on_first_request``):
        then the restore lasts its full length from the first poll, however long ansible-playbook
        takes to start on a loaded machine."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.peers = set()
            self.start_on_first_request = False
            self.first_request_seen = False

        def app(self, request):
            with self.lock:
                if self.start_on_first_request and not self.first_request_seen:
                    self.first_request_seen = True
                    self.clock.reset()
            return super().app(request)

        def reset_stats(self):
            super().reset_stats()
            with self.lock:
                self.peers = set()

        def record(self, request, response, fault):
            super().record(request, response, fault)
            with self.lock:
                self.peers.add(tuple(request.client[:2]))

    Counting.__name__ = "Counting" + base.__name__
    return Counting


CountingOcp = _counting(OcpSimulator)
CountingObshell = _counting(ObshellSimulator)


def restore_scenario(api, seconds):
    """The bench restore scenario of ``api``, stretched so that it is terminal at ``seconds``."""
    name = "ocp-bench-restore.yml" if api == "ocp" else "obshell-bench-restore.yml"
    scenario = copy.deepcopy(load_scenario(str(SCENARIOS / name)))
    if api == "ocp":
        timelines = [task["timeline"] for task in scenario["tasks"] if task.get("timeline")]
    else:
        timelines = [tenant["restore"] for tenant in scenario["tenants"] if tenant.get("restore")]
    for timeline in timelines:
        for entry in timeline:
            entry["at"] = round(entry["at"] * seconds / 60.0, 3)
    return scenario


def terminal_time(api, scenario):
    """Scenario second at which the benchmark's restore first shows a terminal status."""
    terminal = ("RESTORE_SUCCESS", "RESTORE_FAIL") if api == "ocp" else ("RESTORE_SUCCESS", "SUCCESS", "RESTORE_FAIL", "FAIL")
    if api == "ocp":
        timeline = [task for task in scenario["tasks"] if task["id"] == OCP_TASK_ID][0]["timeline"]
    else:
        timeline = [tenant for tenant in scenario["tenants"] if tenant["name"] == TENANT_NAME][0]["restore"]
    return min(entry["at"] for entry in timeline if entry["status"] in terminal)


def scale_scenario(count):
    """ocp-scale.yml (100,000 finished tasks, 50 pages of 2,000) cut down to ``count`` tasks."""
    scenario = copy.deepcopy(load_scenario(str(SCENARIOS / "ocp-scale.yml")))
    scenario["generate"][0]["count"] = count
    return scenario


def start_simulator(api, scenario):
    cls = CountingOcp if api == "ocp" else CountingObshell
    return cls(scenario).start()


def simulator_stats(api, sim):
    """What the simulator saw: requests by kind, TCP connections."""
    with sim.lock:
        log = list(sim.log)
        peers = len(sim.peers)
    stats = {"requests": len(log), "connections": peers, "errors": sum(1 for entry in log if entry["status"] != 200),
             "first": log[0]["time"] if log else None, "log": log}
    if api == "ocp":
        stats["list_requests"] = sum(1 for entry in log if "restoreTasks" in entry["target"])
    else:
        stats["info_requests"] = sum(1 for entry in log if entry["target"].startswith("/api/v1/info"))
        stats["secret_requests"] = sum(1 for entry in log if entry["target"].startswith("/api/v1/secret"))
        stats["list_requests"] = sum(1 for entry in log if "/restore/overview" in entry["target"])
    return stats


def detection_time(stats, terminal):
    """Simulator time of the first read of the restore at or after its terminal time."""
    marker = "/restore/overview" if "info_requests" in stats else "restoreTasks"
    times = [entry["time"] for entry in stats["log"] if marker in entry["target"] and entry["time"] >= terminal]
    return min(times) if times else None


class Workspace:
    """A scratch directory with the inventory, config files and one sub-directory per run."""

    def __init__(self, path, collections, verbose=False):
        self.path = Path(path)
        self.collections = collections
        self.verbose = verbose
        self.count = 0
        # Module processes are counted by the interpreter they start with: a shell script that notes
        # each start in $BENCH_MODULE_LOG (one line per process) and then runs this Python.
        self.interpreter = self.path / "python-counted"
        self.interpreter.write_text('#!/bin/sh\n[ -n "$BENCH_MODULE_LOG" ] && echo "$$" >> "$BENCH_MODULE_LOG"\n'
                                    'exec %s "$@"\n' % shlex.quote(sys.executable))
        self.interpreter.chmod(0o755)
        self.inventory = self.path / "inventory.ini"
        self.inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % self.interpreter)
        self.default_cfg = self.path / "default.cfg"
        self.default_cfg.write_text("[defaults]\n")

    def poll_cfg(self, interval):
        path = self.path / ("internal_poll_interval_%s.cfg" % interval)
        path.write_text("[defaults]\ninternal_poll_interval = %s\n" % interval)
        return path

    def env(self, cfg=None, extra=None):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("OCEANBASE_", "ANSIBLE_"))}
        env.update(
            ANSIBLE_CONFIG=str(cfg or self.default_cfg),
            ANSIBLE_COLLECTIONS_PATH=self.collections,
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_log",
            ANSIBLE_PYTHON_INTERPRETER=str(self.interpreter),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCAL_TEMP=str(self.path / "tmp"),
            ANSIBLE_HOME=str(self.path / "ansible-home"),
            ANSIBLE_REMOTE_TEMP=str(self.path / "remote-tmp"),  # module files: localhost is the remote
            PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        )
        env.update(extra or {})
        return env

    def new_run_dir(self, name):
        self.count += 1
        path = self.path / ("%02d-%s" % (self.count, name))
        path.mkdir()
        return path

    def playbook_command(self, playbook, extra_vars, run_dir, profile=None):
        vars_file = run_dir / "vars.json"
        vars_file.write_text(json.dumps(extra_vars, indent=1))
        command = [str(BIN / "ansible-playbook"), "-i", str(self.inventory), str(PLAYBOOKS / playbook), "-e", "@" + str(vars_file)]
        if profile:
            command = [sys.executable, "-m", "cProfile", "-o", str(profile)] + command
        return command

    def measure(self, command, run_dir, env):
        """Run ``command`` under runner.py and wait; see finish() for what comes back."""
        return self.finish(self.start(command, run_dir, env))

    def start(self, command, run_dir, env):
        """Start ``command`` under runner.py (so that another one can run beside it)."""
        env = dict(env, BENCH_LOG=str(run_dir / "tasks.jsonl"), BENCH_MODULE_LOG=str(run_dir / "module-processes.log"))
        result_file = run_dir / "rusage.json"
        stdout, stderr = run_dir / "stdout.txt", run_dir / "stderr.txt"
        runner = [sys.executable, str(RUNNER), str(result_file), str(stdout), str(stderr), "--"]
        proc = subprocess.Popen(runner + command, env=env, cwd=str(run_dir))  # pylint: disable=consider-using-with
        return proc, run_dir

    def finish(self, handle):
        """The runner's figures (rc, start, end, wall, user, sys, cpu, maxrss_mb) and the bench_log records."""
        proc, run_dir = handle
        if proc.wait() != 0:
            raise RuntimeError("runner.py failed for %s" % run_dir)
        result = json.loads((run_dir / "rusage.json").read_text())
        result["cpu"] = result["user"] + result["sys"]
        own = result.get("self_cpu")
        result["tasks_cpu"] = max(0.0, result["cpu"] - own) if own is not None else None
        result["maxrss_mb"] = result["maxrss_kb"] / 1024.0
        log = run_dir / "tasks.jsonl"
        result["tasks"] = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        processes = run_dir / "module-processes.log"
        result["module_processes"] = len(processes.read_text().splitlines()) if processes.exists() else 0
        result["stdout_path"] = str(run_dir / "stdout.txt")
        result["dir"] = str(run_dir)
        if self.verbose:
            sys.stderr.write("  [%s] rc=%s wall=%.1fs cpu=%.2fs maxrss=%.0fMB\n"
                             % (run_dir.name, result["rc"], result["wall"], result["cpu"], result["maxrss_mb"]))
        return result


def process_cpu(pid):
    """User + system seconds of one running process, from /proc/PID/stat (Linux; else None)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            stat = handle.read()
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def until_retries(seconds, poll):
    """Enough until retries for three times the restore plus a minute."""
    return int(math.ceil((3 * seconds + 60) / float(poll)))

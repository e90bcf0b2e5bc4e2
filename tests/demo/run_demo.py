# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The oceanbase.ops demo (make demo): a restore-then-validate gate against the simulators.

1. OCP: the simulator plays tests/simulator/scenarios/ocp-demo.yml (a restore that runs for 20 s and
   completes); tests/demo/restore_then_validate.yml waits for it with the wait_for_restore role,
   printing a progress line every 5 s, then validates wait_for_restore_result.
2. obshell: the same playbook against tests/simulator/scenarios/obshell-demo.yml.
3. A failed restore (ocp-demo-fail.yml): the play must fail with OCP's errorMsg, and the validation
   must not run. That failure is what the demo expects.

Connection details reach the playbook as OCEANBASE_* environment variables, as AWX injects them.
The collection comes from ANSIBLE_COLLECTIONS_PATH (make demo: the built and installed artifact in
build/installed; that is also the default). Every simulator and playbook started here is stopped
before the demo ends, whatever happens. Exit status 0 only when every expectation held.

    python tests/demo/run_demo.py
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tests" / "demo"
SCENARIOS = ROOT / "tests" / "simulator" / "scenarios"
SIMULATOR_RUN = ROOT / "tests" / "simulator" / "run.py"
PLAYBOOK = DEMO / "restore_then_validate.yml"
BIN = Path(sys.executable).parent

PROGRESS_LINE = re.compile(r"^Restore progress: .*elapsed (\d+)s$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
REPORT_INTERVAL = 5  # the playbook's wait_for_restore_report_interval
VALIDATE_TASK = "Validate the restore before using the tenant"

# api -> the credentials the simulators' scenarios know, as environment variables.
CREDENTIALS = {
    "ocp": {"OCEANBASE_OCP_USERNAME": "admin", "OCEANBASE_OCP_PASSWORD": "admin-password"},
    "obshell": {"OCEANBASE_OBSHELL_PASSWORD": "root-password"},
}
URL_VARIABLE = {"ocp": "OCEANBASE_OCP_URL", "obshell": "OCEANBASE_OBSHELL_URL"}


def say(text=""):
    print(text, flush=True)


def banner(text):
    say()
    say("=" * 100)
    say(text)
    say("=" * 100)


class Simulator:
    """A simulator process (tests/simulator/run.py) on a free port of 127.0.0.1."""

    def __init__(self, api, scenario, workdir):
        self.api = api
        self.scenario = SCENARIOS / scenario
        self.port_file = Path(workdir) / ("%s-%d.port" % (api, time.monotonic_ns()))
        self.process = None
        self.url = None

    def start(self, wait=30):
        command = [sys.executable, str(SIMULATOR_RUN), self.api, "--scenario", str(self.scenario), "--port", "0",
                   "--port-file", str(self.port_file)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the %s simulator exited (%s): %s" % (self.api, self.process.returncode,
                                                                         self.process.stderr.read()))
            text = self.port_file.read_text().strip() if self.port_file.exists() else ""
            if text.isdigit():
                self.url = "http://127.0.0.1:%s" % text
                say("Started the %s simulator on %s with scenario %s" % (self.api, self.url, self.scenario.name))
                return self
            time.sleep(0.05)
        raise RuntimeError("the %s simulator did not start listening within %d s" % (self.api, wait))

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        say("Stopped the %s simulator" % self.api)


def collections_path():
    path = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(ROOT / "build" / "installed")
    # Absolute: the playbooks run in a temporary directory.
    entries = [str(Path(entry).resolve()) for entry in path.split(os.pathsep) if entry]
    if not any((Path(entry) / "ansible_collections" / "oceanbase" / "ops" / "MANIFEST.json").exists() for entry in entries):
        raise SystemExit("oceanbase.ops is not installed in %s: run make build (or make demo)" % path)
    return os.pathsep.join(entries)


class Demo:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.collections = collections_path()
        self.inventory = self.workdir / "inventory.ini"
        self.inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        self.started = []  # every simulator started, to stop them all
        self.playbook = None  # the ansible-playbook process while it runs
        self.summary = []
        self.problems = []

    # --- plumbing --------------------------------------------------------------------------------
    def simulator(self, api, scenario):
        sim = Simulator(api, scenario, self.workdir)
        self.started.append(sim)
        return sim.start()

    def run_playbook(self, api, url):
        """Run the example playbook, its output streamed to the console; (rc, output, seconds)."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("OCEANBASE_")}
        env.update(CREDENTIALS[api])
        env[URL_VARIABLE[api]] = url
        env.update(ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_RETRY_FILES_ENABLED="0",
                   ANSIBLE_LOCAL_TEMP=str(self.workdir / "tmp"), PYTHONUNBUFFERED="1")
        env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
        # The pipeline triggered the restore just now: only a restore started since then counts.
        triggered = (datetime.now(timezone.utc) - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        command = [str(BIN / "ansible-playbook") if (BIN / "ansible-playbook").exists() else "ansible-playbook",
                   "-i", str(self.inventory), str(PLAYBOOK), "-e", "restore_api=%s" % api,
                   "-e", "restore_triggered_at=%s" % triggered]
        say("$ %s" % " ".join(command))
        started = time.monotonic()
        self.playbook = subprocess.Popen(command, cwd=str(self.workdir), env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, bufsize=1)
        lines = []
        for line in self.playbook.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
        rc = self.playbook.wait()
        self.playbook = None
        return rc, ANSI.sub("", "".join(lines)), time.monotonic() - started

    def expect(self, condition, text):
        mark = "ok  " if condition else "FAIL"
        say("  [%s] %s" % (mark, text))
        if not condition:
            self.problems.append(text)
        return condition

    def stop_everything(self):
        if self.playbook is not None and self.playbook.poll() is None:
            self.playbook.terminate()
            try:
                self.playbook.wait(10)
            except subprocess.TimeoutExpired:
                self.playbook.kill()
        for sim in self.started:
            sim.stop()

    # --- the three parts ---------------------------------------------------------------------------
    def completed(self, api, scenario):
        banner("%s: a restore that completes after about 20 s (scenario %s)" % (api.upper(), scenario))
        sim = self.simulator(api, scenario)
        try:
            rc, output, seconds = self.run_playbook(api, sim.url)
        finally:
            sim.stop()
        times = [int(value) for value in PROGRESS_LINE.findall(output)]
        gaps = [later - earlier for earlier, later in zip(times, times[1:])]
        say("Expectations:")
        self.expect(rc == 0, "the play succeeded (rc %s)" % rc)
        self.expect(len(times) >= 3, "progress lines were printed while waiting (%d)" % len(times))
        self.expect(all(gap <= 2 * REPORT_INTERVAL for gap in gaps),
                    "a progress line about every %d s (elapsed on the lines: %s)" % (REPORT_INTERVAL, times))
        self.expect("TASK [%s]" % VALIDATE_TASK in output and "Validated: the restore of" in output,
                    "the validate step ran and passed")
        completed = re.search(r"Restore completed \(status (\w+)\) after (\d+) seconds", output)
        self.expect(completed is not None, "the role reported the completed restore")
        if rc == 0 and completed:
            self.summary.append("%-8s restore completed (status %s) after %s s, %d progress lines, validated; play %.0f s"
                                % (api, completed.group(1), completed.group(2), len(times), seconds))
        else:
            self.summary.append("%-8s did NOT complete and validate as expected (rc %s)" % (api, rc))

    def failed(self, api, scenario, failure_text):
        banner("%s: a restore that fails (scenario %s): the play must fail with the API's errorMsg"
               % (api.upper(), scenario))
        sim = self.simulator(api, scenario)
        try:
            rc, output, seconds = self.run_playbook(api, sim.url)
        finally:
            sim.stop()
        times = PROGRESS_LINE.findall(output)
        message = None
        for line in output.splitlines():  # fatal: [localhost]: FAILED! => {"changed": false, "msg": "..."}
            if line.startswith("fatal: [localhost]: FAILED! => {"):
                try:
                    message = json.loads(line.split(" => ", 1)[1]).get("msg") or message
                except ValueError:
                    pass
        say("Expectations:")
        self.expect(rc != 0, "the play failed, as it must (rc %s)" % rc)
        self.expect(bool(message) and message.startswith("Restore FAILED (status RESTORE_FAIL)") and failure_text in message,
                    "the play's failure names the status and the errorMsg %r" % failure_text)
        self.expect("TASK [%s]" % VALIDATE_TASK not in output, "the validate step did not run")
        self.expect(len(times) >= 2, "progress lines were printed while waiting (%d)" % len(times))
        if rc != 0 and message and failure_text in message:
            self.summary.append("%-8s failed restore reported as expected: %s; play %.0f s" % (api, message, seconds))
        else:
            self.summary.append("%-8s failed restore NOT reported as expected (rc %s): %s" % (api, rc, message))


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # so that the finally clauses stop what was started


def main():
    signal.signal(signal.SIGTERM, _terminate)
    say("oceanbase.ops demo: wait for a restore with the wait_for_restore role, then validate it")
    with tempfile.TemporaryDirectory(prefix="oceanbase-ops-demo-") as workdir:
        demo = Demo(workdir)
        say("Collection from ANSIBLE_COLLECTIONS_PATH=%s" % demo.collections)
        try:
            demo.completed("ocp", "ocp-demo.yml")
            demo.completed("obshell", "obshell-demo.yml")
            demo.failed("ocp", "ocp-demo-fail.yml", "OB_ENTRY_NOT_EXIST(-4018)")
        except KeyboardInterrupt:
            demo.problems.append("interrupted")
        except Exception as exc:  # report it, stop everything, exit non-zero
            demo.problems.append("the demo itself failed: %r" % exc)
        finally:
            demo.stop_everything()
        banner("Summary")
        for line in demo.summary:
            say("  " + line)
        if demo.problems:
            say()
            say("The demo FAILED: %d expectation(s) did not hold:" % len(demo.problems))
            for problem in demo.problems:
                say("  - " + problem)
            return 1
        say()
        say("The demo passed: every expectation held.")
        return 0


if __name__ == "__main__":
    sys.exit(main())

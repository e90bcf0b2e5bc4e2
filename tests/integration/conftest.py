"""Integration test harness: real ``ansible-playbook`` runs against the simulators on 127.0.0.1.

The collection under test is the built and installed artifact (``make build`` puts it in
build/installed); when it is missing, the harness builds and installs it once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from simulator.common import load_scenario  # noqa: E402
from simulator.obshell import ObshellSimulator  # noqa: E402
from simulator.ocp import OcpSimulator  # noqa: E402

SCENARIOS = TESTS / "simulator" / "scenarios"
BIN = Path(sys.executable).parent
INSTALLED = Path(os.environ.get("OCEANBASE_OPS_COLLECTIONS_PATH", ROOT / "build" / "installed"))


def _ensure_installed():
    installed = INSTALLED / "ansible_collections" / "oceanbase" / "ops"
    if (installed / "MANIFEST.json").exists() or (installed / "galaxy.yml").exists():
        return  # an installed artifact, or (for development) a link to the source tree
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(build), str(ROOT)],
                   check=True, capture_output=True)
    artifact = sorted(build.glob("oceanbase-ops-*.tar.gz"))[-1]
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--force", "--offline", "-p", str(INSTALLED),
                    str(artifact)], check=True, capture_output=True)


class PlaybookRun:
    """The outcome of one ansible-playbook run: rc, stdout, stderr and the task results."""

    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    def task(self, name):
        """The last result of the task with this name (assert it exists)."""
        found = [record for record in self.results if record["task"] == name]
        assert found, "no result for task %r; tasks seen: %s\n%s" % (name, [r["task"] for r in self.results], self.stdout)
        return found[-1]

    def __repr__(self):
        return "PlaybookRun(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.stdout, self.stderr)


class Ansible:
    """Runs playbooks with the installed collection and the venv's Python on localhost."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.count = 0

    def env(self, extra=None):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("OCEANBASE_", "ANSIBLE_"))}
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(INSTALLED),
            ANSIBLE_CALLBACK_PLUGINS=str(TESTS / "integration" / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="result_log",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCAL_TEMP=str(self.workdir / "tmp"),
            ANSIBLE_HOME=str(self.workdir / "ansible-home"),
            PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        )
        env.update(extra or {})
        return env

    def run(self, tasks=None, playbook=None, extra_vars=None, env=None, verbosity=0, timeout=300, check=False):
        """Run ``tasks`` (YAML text of a task list, played on localhost) or a whole ``playbook`` text."""
        self.count += 1
        path = self.workdir / ("playbook%d.yml" % self.count)
        if playbook is None:
            playbook = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        path.write_text(playbook)
        inventory = self.workdir / "inventory.ini"
        inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        log = self.workdir / ("results%d.jsonl" % self.count)
        command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(path)]
        if verbosity:
            command.append("-" + "v" * verbosity)
        if check:
            command.append("--check")
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        run_env = self.env(env)
        run_env["RESULT_LOG"] = str(log)
        proc = subprocess.run(command, cwd=str(self.workdir), env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        results = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return PlaybookRun(proc, results)


@pytest.fixture(scope="session", autouse=True)
def installed_collection():
    _ensure_installed()
    return INSTALLED


@pytest.fixture
def ansible(tmp_path):
    return Ansible(tmp_path)


def _scenario(source):
    if isinstance(source, dict):
        return source
    path = Path(source)
    if not path.is_absolute():
        path = SCENARIOS / path
    return load_scenario(str(path))


@pytest.fixture
def ocp_sim():
    """Factory: ``ocp_sim(scenario_dict_or_file, tls=None)`` starts an OCP simulator for the test."""
    started = []

    def start(scenario="ocp-demo.yml", **kwargs):
        sim = OcpSimulator(_scenario(scenario), **kwargs).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def obshell_sim():
    """Factory: ``obshell_sim(scenario_dict_or_file, tls=None)`` starts an obshell simulator for the test."""
    started = []

    def start(scenario="obshell-demo.yml", **kwargs):
        sim = ObshellSimulator(_scenario(scenario), **kwargs).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()

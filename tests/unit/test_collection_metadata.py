# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""The collection's metadata against its content: action groups, galaxy.yml, the execution
environment requirements, the changelog, and ansible-doc for every module and role."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
ROLES = sorted(path.name for path in (ROOT / "roles").iterdir() if (path / "tasks").is_dir())

# The action groups: a module whose name starts with the prefix belongs to the group, so that
# module_defaults for group/oceanbase.ops.<group> reaches it.
GROUP_PREFIXES = {"ocp": "ocp_", "obshell": "obshell_"}
# Modules deliberately in no group, with the reason. restore_wait is the wait_for_restore role's
# engine: an action plugin (with a documentation stub in plugins/modules) that takes either API's
# options and itself applies the group defaults of the module it runs; in a group, the OCP and the
# obshell defaults would both be merged into its arguments.
NO_GROUP = {"restore_wait": "the wait_for_restore role's engine; applies the ocp or obshell group defaults itself"}


def _yaml(relative):
    with open(ROOT / relative, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _documentation(module):
    """The DOCUMENTATION of a module, parsed, without importing the module."""
    tree = ast.parse((ROOT / "plugins" / "modules" / ("%s.py" % module)).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "DOCUMENTATION" for target in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % module)


def _expected_group(module):
    groups = [group for group, prefix in GROUP_PREFIXES.items() if module.startswith(prefix)]
    assert len(groups) <= 1, module
    return groups[0] if groups else None


def test_there_are_modules_and_roles():
    assert "ocp_restore_task_info" in MODULES and "obshell_restore_overview_info" in MODULES
    assert "wait_for_restore" in ROLES


def test_every_module_has_a_group_or_a_reason_for_none():
    undecided = [module for module in MODULES if _expected_group(module) is None and module not in NO_GROUP]
    assert not undecided, (
        "modules %s match no action group prefix (%s): rename them, or add them to NO_GROUP with the reason"
        % (undecided, ", ".join(GROUP_PREFIXES.values())))
    stale = sorted(set(NO_GROUP) - set(MODULES))
    assert not stale, "NO_GROUP names modules that do not exist: %s" % stale


def test_action_groups_cover_every_module():
    runtime = _yaml("meta/runtime.yml")
    groups = runtime.get("action_groups") or {}
    assert sorted(groups) == sorted(GROUP_PREFIXES), "action groups %s, expected %s" % (sorted(groups), sorted(GROUP_PREFIXES))
    for group, members in groups.items():
        names = [member for member in members if isinstance(member, str)]
        assert len(names) == len(set(names)), "group %s lists a module twice: %s" % (group, names)
        expected = sorted(module for module in MODULES if _expected_group(module) == group)
        assert sorted(names) == expected, "group %s lists %s; plugins/modules has %s" % (group, sorted(names), expected)
    grouped = set(name for members in groups.values() for name in members if isinstance(name, str))
    for module in NO_GROUP:
        assert module not in grouped, "%s must stay out of every action group: %s" % (module, NO_GROUP[module])


def test_requires_ansible():
    assert _yaml("meta/runtime.yml").get("requires_ansible") == ">=2.17.0"


@pytest.mark.parametrize("module", MODULES)
def test_module_documentation_names_its_action_group(module):
    """The attributes.action_group of the docs (a doc fragment) must say what meta/runtime.yml does."""
    fragments = _documentation(module).get("extends_documentation_fragment") or []
    declared = sorted(fragment.rsplit(".", 1)[1][:-len("_action_group")] for fragment in fragments
                      if fragment.startswith("oceanbase.ops.attributes.") and fragment.endswith("_action_group"))
    group = _expected_group(module)
    assert declared == ([group] if group else []), "%s documents action groups %s" % (module, declared)


def test_galaxy_metadata():
    galaxy = _yaml("galaxy.yml")
    assert (galaxy["namespace"], galaxy["name"], galaxy["license"]) == ("oceanbase", "ops", ["Apache-2.0"])
    for key in ("version", "readme", "authors", "description", "repository", "documentation", "homepage", "issues", "tags"):
        assert galaxy.get(key), "galaxy.yml has no %s" % key
    for key in ("repository", "documentation", "homepage", "issues"):
        assert galaxy[key].startswith("https://"), key
    assert all(tag.isalnum() and tag == tag.lower() for tag in galaxy["tags"]), galaxy["tags"]
    assert len(galaxy["tags"]) <= 20
    # Galaxy's categories: at least one must be among the tags.
    assert set(galaxy["tags"]) & {"application", "cloud", "database", "infrastructure", "linux", "monitoring",
                                  "networking", "security", "storage", "tools", "windows"}
    ignored = set(galaxy.get("build_ignore") or [])
    for path in ("tests/simulator", "tests/unit", "tests/integration", "tests/benchmark", "tests/output", "tools", "Makefile",
                 ".venv", "build", ".ansible-lint", ".ci", "tests/requirements.txt", "tests/constraints.txt"):
        assert path in ignored, "galaxy.yml build_ignore must keep %s out of the artifact" % path
    assert (ROOT / galaxy["readme"]).is_file()


def _requirements(relative):
    lines = (ROOT / relative).read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def test_execution_environment_requirements_equal_requirements_txt():
    assert _requirements("meta/ee-requirements.txt") == _requirements("requirements.txt")
    names = [line.split("=")[0].split(">")[0].split("<")[0].strip().lower() for line in _requirements("requirements.txt")]
    assert sorted(names) == ["cryptography", "requests"]
    definition = _yaml("meta/execution-environment.yml")
    assert definition["version"] == 3
    assert definition["dependencies"]["python"] == "meta/ee-requirements.txt"


def test_changelog_announces_every_module_and_role():
    announced = {"module": set(), "role": set()}
    for fragment in (ROOT / "changelogs" / "fragments").glob("*.y*ml"):
        content = _yaml(fragment.relative_to(ROOT)) or {}
        announced["module"] |= set(entry["name"] for entry in content.get("add plugin.module", []))
        announced["role"] |= set(entry["name"] for entry in content.get("add object.role", []))
    for release in (_yaml("changelogs/changelog.yaml").get("releases") or {}).values():
        announced["module"] |= set(entry["name"] for entry in release.get("modules", []))
        announced["role"] |= set(entry["name"] for entry in (release.get("objects") or {}).get("role", []))
    assert sorted(set(MODULES) - announced["module"]) == [], "modules without a changelog entry"
    assert sorted(set(ROLES) - announced["role"]) == [], "roles without a changelog entry"


def test_ansible_doc_renders_every_module_and_role():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "check_ansible_doc.py")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr

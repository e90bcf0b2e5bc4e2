# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Check the collection's execution environment metadata with ansible-builder (no container engine needed).

    python tools/check_ee.py [--artifact build/oceanbase-ops-X.Y.Z.tar.gz] [--keep DIR]

1. meta/execution-environment.yml is an ansible-builder schema version 3 definition whose
   ``dependencies.python`` is meta/ee-requirements.txt (relative to the collection root, as
   ansible-builder requires of collections), and meta/ee-requirements.txt lists the same
   requirements as requirements.txt.
2. ``ansible-builder introspect`` on a collections tree that holds the collection (the installed
   ARTIFACT when given, else a copy of the repository's metadata files) reports every Python
   dependency of requirements.txt, attributed to oceanbase.ops: what an image build installs.
3. ``ansible-builder create`` of meta/execution-environment.yml, read from the collection root,
   writes a build context whose _build/requirements.txt names every dependency, whose
   _build/requirements.yml names the collection, and whose Containerfile uses both.

Exits 0 when everything holds, 1 with one line per problem otherwise.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EE_FILE = Path("meta") / "execution-environment.yml"
EE_REQUIREMENTS = Path("meta") / "ee-requirements.txt"
REQUIREMENTS = Path("requirements.txt")
NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_lines(path):
    """The requirement lines of a pip requirements file: no comments, no blank lines."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def requirement_name(line):
    """The normalised project name of a requirement line (PEP 503: lower case, runs of -_. become -)."""
    match = NAME_RE.match(line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def builder_command():
    candidate = Path(sys.executable).parent / "ansible-builder"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ansible-builder")
    if not found:
        raise SystemExit("check_ee: ansible-builder is not installed (pip install ansible-builder)")
    return found


def last_line(text):
    """The last non-empty line of a tool's output (where ansible-builder puts its error)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def run(command, cwd=None):
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def check_definition(problems):
    """Step 1: the definition and the requirements files. Returns the definition, or None."""
    path = ROOT / EE_FILE
    if not path.is_file():
        problems.append("%s is missing" % EE_FILE)
        return None
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(definition, dict) or definition.get("version") != 3:
        problems.append("%s: version must be 3 (ansible-builder 3.x schema)" % EE_FILE)
        return None
    try:
        from ansible_builder.ee_schema import validate_schema  # pylint: disable=import-outside-toplevel
        validate_schema(definition)
    except ImportError:
        pass  # the create step below validates it too
    except Exception as exc:  # pylint: disable=broad-exception-caught
        problems.append("%s does not follow the ansible-builder schema: %s" % (EE_FILE, exc))
    python = (definition.get("dependencies") or {}).get("python")
    if python != str(EE_REQUIREMENTS):
        problems.append("%s: dependencies.python must be %s (relative to the collection root), not %r"
                        % (EE_FILE, EE_REQUIREMENTS, python))
    for name in ("system",):
        value = (definition.get("dependencies") or {}).get(name)
        if value is not None and not (ROOT / str(value)).is_file():
            problems.append("%s: dependencies.%s names %s, which does not exist" % (EE_FILE, name, value))
    if not (ROOT / EE_REQUIREMENTS).is_file():
        problems.append("%s is missing" % EE_REQUIREMENTS)
    elif requirement_lines(ROOT / EE_REQUIREMENTS) != requirement_lines(ROOT / REQUIREMENTS):
        problems.append("%s must list the same requirements as %s: %s != %s"
                        % (EE_REQUIREMENTS, REQUIREMENTS, requirement_lines(ROOT / EE_REQUIREMENTS),
                           requirement_lines(ROOT / REQUIREMENTS)))
    return definition


def stage_collection(workdir, artifact):
    """A collections tree with oceanbase.ops in it: the installed artifact, or the repository's metadata."""
    collections = workdir / "collections"
    target = collections / "ansible_collections" / "oceanbase" / "ops"
    if artifact:
        galaxy = Path(sys.executable).parent / "ansible-galaxy"
        code, out, err = run([str(galaxy if galaxy.exists() else "ansible-galaxy"), "collection", "install", "--force", "--offline",
                              "-p", str(collections), str(artifact)])
        if code != 0 or not target.is_dir():
            raise SystemExit("check_ee: could not install %s: %s%s" % (artifact, out, err))
    else:
        for relative in (EE_FILE, EE_REQUIREMENTS, REQUIREMENTS, Path("galaxy.yml"), Path("bindep.txt")):
            if (ROOT / relative).is_file():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(str(ROOT / relative), str(target / relative))
    return collections, target


def check_introspect(problems, builder, collections, wanted):
    """Step 2: what ansible-builder's introspection finds in the installed collection."""
    code, out, err = run([builder, "introspect", "--sanitize", str(collections)])
    if code != 0:
        problems.append("ansible-builder introspect failed (rc %d): %s" % (code, last_line(err or out)))
        return
    data = yaml.safe_load(out) or {}
    found = {}
    for line in data.get("python") or []:
        found[requirement_name(line)] = line
    for name in sorted(wanted):
        line = found.get(name)
        if line is None:
            problems.append("ansible-builder introspect does not report %s for oceanbase.ops (it reports %s): "
                            "is meta/execution-environment.yml in the artifact?" % (name, sorted(found) or "nothing"))
        elif "oceanbase.ops" not in line:
            problems.append("ansible-builder introspect reports %r, not attributed to oceanbase.ops" % line)


def check_create(problems, builder, workdir, collection_root, wanted):
    """Step 3: the build context ``ansible-builder create`` writes for the definition."""
    stage = workdir / "definition"
    # The definition's paths are relative to the collection root (ansible-builder's rule for
    # collections): read it from there.
    for relative in (EE_REQUIREMENTS, Path("bindep.txt")):
        if (collection_root / relative).is_file():
            (stage / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(collection_root / relative), str(stage / relative))
    stage.mkdir(parents=True, exist_ok=True)
    shutil.copy2(str(collection_root / EE_FILE), str(stage / "execution-environment.yml"))
    context = workdir / "context"
    code, out, err = run([builder, "create", "--file", str(stage / "execution-environment.yml"), "--context",
                          str(context), "--output-filename", "Containerfile"], cwd=str(stage))
    if code != 0:
        problems.append("ansible-builder create failed (rc %d): %s" % (code, last_line(err or out)))
        return
    python = context / "_build" / "requirements.txt"
    galaxy = context / "_build" / "requirements.yml"
    containerfile = context / "Containerfile"
    if not python.is_file():
        problems.append("the build context has no _build/requirements.txt: the collection's Python "
                        "dependencies would not be installed")
    else:
        names = set(requirement_name(line) for line in requirement_lines(python))
        for name in sorted(wanted - names):
            problems.append("the build context's _build/requirements.txt does not name %s (it names %s)"
                            % (name, sorted(names)))
    if not galaxy.is_file():
        problems.append("the build context has no _build/requirements.yml: the collection would not be installed")
    else:
        collections = (yaml.safe_load(galaxy.read_text(encoding="utf-8")) or {}).get("collections") or []
        names = [entry.get("name") if isinstance(entry, dict) else entry for entry in collections]
        if "oceanbase.ops" not in names:
            problems.append("the build context's _build/requirements.yml does not name oceanbase.ops: %s" % names)
    text = containerfile.read_text(encoding="utf-8") if containerfile.is_file() else ""
    if "_build/requirements.txt" not in text:
        problems.append("the generated Containerfile does not install _build/requirements.txt")
    if not re.search(r"ansible-galaxy collection install .*-r requirements\.yml", text):
        problems.append("the generated Containerfile does not install the collections of _build/requirements.yml")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--artifact", help="a built collection artifact to introspect (default: the repository's files)")
    parser.add_argument("--keep", help="write the generated files to this directory instead of a temporary one")
    args = parser.parse_args()

    problems = []
    wanted = set(requirement_name(line) for line in requirement_lines(ROOT / REQUIREMENTS))
    if not wanted:
        problems.append("%s lists no requirement" % REQUIREMENTS)
    check_definition(problems)
    builder = builder_command()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="check_ee-"))
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        collections, collection_root = stage_collection(workdir, args.artifact)
        check_introspect(problems, builder, collections, wanted)
        if (collection_root / EE_FILE).is_file():
            check_create(problems, builder, workdir, collection_root, wanted)
        else:
            problems.append("%s is not in the %s" % (EE_FILE, "artifact" if args.artifact else "repository"))
    finally:
        if not args.keep:
            shutil.rmtree(str(workdir), ignore_errors=True)

    if problems:
        for problem in problems:
            print("check_ee: %s" % problem, file=sys.stderr)
        return 1
    print("check_ee: meta/execution-environment.yml is version 3; ansible-builder introspect and create both "
          "bring in %s for oceanbase.ops" % ", ".join(sorted(wanted)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

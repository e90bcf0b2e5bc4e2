# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Check that ansible-doc renders every module and role of the collection cleanly.

    python tools/check_ansible_doc.py [--collections-path DIR]

For every plugins/modules/*.py and every roles/*/meta/argument_specs.yml of the repository:
- ``ansible-doc oceanbase.ops.NAME`` (``-t role`` for roles) exits 0, prints the ``> MODULE`` /
  ``> ROLE`` header, and writes nothing to stderr (no warning, no deprecation, no traceback);
- ``ansible-doc --json`` gives the documentation, with examples and return values for modules;
- ``ansible-doc --list oceanbase.ops`` lists exactly the repository's modules.

The collection is read from DIR/ansible_collections/oceanbase/ops when --collections-path is given
(an installed artifact), else from the repository itself (through a temporary symlink when the
repository is not already at .../ansible_collections/oceanbase/ops).

Exits 0 when everything renders, 1 with one line per problem otherwise.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = "oceanbase.ops"
ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def ansible_doc():
    candidate = Path(sys.executable).parent / "ansible-doc"
    return str(candidate) if candidate.exists() else "ansible-doc"


def modules():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def roles():
    return sorted(path.parents[1].name for path in (ROOT / "roles").glob("*/meta/argument_specs.yml"))


def run_doc(args, env):
    proc = subprocess.run([ansible_doc()] + args, env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def check(collections_path, problems):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_DEPRECATION_WARNINGS="1", ANSIBLE_LOCAL_TEMP=str(Path(tempfile.gettempdir()) / "ansible-doc-check"))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")

    for kind, names in (("module", modules()), ("role", roles())):
        for name in names:
            fqcn = "%s.%s" % (COLLECTION, name)
            type_args = ["-t", "role"] if kind == "role" else []
            code, out, err = run_doc(type_args + [fqcn], env)
            # "> MODULE oceanbase.ops.x (path)", "> ROLE: *oceanbase.ops.x* (path)": bold is * without colours.
            header = re.compile(r"^> %s:? \*?%s\b" % (kind.upper(), re.escape(fqcn)), re.MULTILINE)
            if code != 0:
                problems.append("ansible-doc %s failed (rc %d): %s" % (fqcn, code, (err or out).strip()))
                continue
            if not header.search(ESCAPES.sub("", out)):
                problems.append("ansible-doc %s: no '> %s %s' header in its output" % (fqcn, kind.upper(), fqcn))
            if err.strip():
                problems.append("ansible-doc %s wrote to stderr: %s" % (fqcn, err.strip()))
            code, out, err = run_doc(type_args + ["--json", fqcn], env)
            try:
                data = json.loads(out)[fqcn]
            except (ValueError, KeyError) as exc:
                problems.append("ansible-doc --json %s: no documentation (%s): %s" % (fqcn, exc, err.strip()))
                continue
            if kind == "module":
                for key in ("doc", "examples", "return"):
                    if not data.get(key):
                        problems.append("ansible-doc --json %s: no %s" % (fqcn, key))
                if (data.get("doc") or {}).get("module") != name:
                    problems.append("ansible-doc --json %s: DOCUMENTATION names module %r"
                                    % (fqcn, (data.get("doc") or {}).get("module")))
            elif not (data.get("entry_points") or {}).get("main"):
                problems.append("ansible-doc --json -t role %s: no main entry point" % fqcn)

    code, out, err = run_doc(["--list", "--json", COLLECTION], env)
    try:
        listed = sorted(name.split(".")[-1] for name in json.loads(out))
    except ValueError:
        listed = None
    if code != 0 or listed is None:
        problems.append("ansible-doc --list %s failed (rc %d): %s" % (COLLECTION, code, (err or out).strip()))
    elif listed != modules():
        problems.append("ansible-doc --list %s lists %s; plugins/modules has %s" % (COLLECTION, listed, modules()))
    if err.strip():
        problems.append("ansible-doc --list %s wrote to stderr: %s" % (COLLECTION, err.strip()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--collections-path", help="a directory with ansible_collections/oceanbase/ops in it")
    args = parser.parse_args()

    problems = []
    if args.collections_path:
        check(Path(args.collections_path).resolve(), problems)
    elif ROOT.parent.name == "oceanbase" and ROOT.parents[1].name == "ansible_collections":
        check(ROOT.parents[2], problems)
    else:
        with tempfile.TemporaryDirectory(prefix="check_ansible_doc-") as tmp:
            link = Path(tmp) / "ansible_collections" / "oceanbase" / "ops"
            link.parent.mkdir(parents=True)
            link.symlink_to(ROOT, target_is_directory=True)
            check(Path(tmp), problems)

    if problems:
        for problem in problems:
            print("check_ansible_doc: %s" % problem, file=sys.stderr)
        return 1
    print("check_ansible_doc: ansible-doc renders %d modules and %d roles of %s cleanly"
          % (len(modules()), len(roles()), COLLECTION))
    return 0


if __name__ == "__main__":
    sys.exit(main())

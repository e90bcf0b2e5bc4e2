# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Run galaxy-importer on a built collection artifact, as Galaxy does on upload, without containers.

    python tools/run_galaxy_importer.py build/oceanbase-ops-X.Y.Z.tar.gz

galaxy-importer is configured through a config file of its own (GALAXY_IMPORTER_CONFIG):
ansible-test off (it needs a container engine), ansible-lint on (offline, the importer's own
production-profile invocation), ansible-doc on, changelog and Galaxy category tag checks on.
ansible-doc and ansible-lint come from this Python's virtual environment.

The artifact passes when the importer succeeds and
- no ERROR is logged, and no WARNING except the expected one below;
- every module has its documentation, examples and return values loaded by ansible-doc.

Expected warning: "Ignore files skip ansible-test sanity tests" is tolerated only while every entry
of the artifact's tests/sanity/ignore-*.txt is ``validate-modules:missing-gplv3-license`` (the
collection is Apache-2.0, so its files carry no GPLv3 header); any other ignore entry fails.

Exits 0 when the artifact passes, 1 otherwise (the importer's own output is shown either way).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CONFIG = """[galaxy-importer]
run_ansible_test = False
ansible_test_local_image = False
local_image_docker = False
infra_osd = False
run_ansible_lint = True
offline_ansible_lint = True
run_ansible_doc = True
run_flake8 = False
check_changelog = True
check_required_tags = True
require_v1_or_greater = False
log_level_main = INFO
tmp_root_dir = {tmp}
ansible_local_tmp = {tmp}/ansible-local-tmp
"""
ARTIFACT_RE = re.compile(r"^(?P<namespace>\w+)-(?P<name>\w+)-(?P<version>[0-9a-zA-Z.+-]+)\.tar\.gz$")
IGNORE_WARNING_RE = re.compile(r"^WARNING: Ignore files skip ansible-test sanity tests, found (?P<file>ignore-[0-9.]+\.txt)")
ALLOWED_IGNORES = ("validate-modules:missing-gplv3-license",)


def sanity_ignore_entries(artifact):
    """{file name: [(path, check), ...]} of the artifact's tests/sanity/ignore-*.txt."""
    entries = {}
    with tarfile.open(artifact) as tar:
        for member in tar.getmembers():
            match = re.match(r"^(?:\./)?tests/sanity/(ignore-[0-9.]+\.txt)$", member.name)
            if not match or not member.isfile():
                continue
            text = tar.extractfile(member).read().decode("utf-8")
            lines = []
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    parts = line.split()
                    lines.append((parts[0], parts[1] if len(parts) > 1 else ""))
            entries[match.group(1)] = lines
    return entries


def check_warnings(output, artifact, problems):
    ignores = None
    for line in output.splitlines():
        line = line.rstrip()
        if line.startswith("ERROR"):
            problems.append("importer error: %s" % line)
        elif line.startswith("WARNING"):
            match = IGNORE_WARNING_RE.match(line)
            if match:
                if ignores is None:
                    ignores = sanity_ignore_entries(artifact)
                unexpected = [entry for entry in ignores.get(match.group("file"), []) if entry[1] not in ALLOWED_IGNORES]
                for path, check in unexpected:
                    problems.append("tests/sanity/%s skips %s for %s: fix the finding instead (only %s is accepted)"
                                    % (match.group("file"), check, path, ", ".join(ALLOWED_IGNORES)))
                continue
            problems.append("importer warning: %s" % line)


def check_module_docs(result_file, problems):
    try:
        with open(result_file, encoding="utf-8") as handle:
            result = json.load(handle)
    except (OSError, ValueError) as exc:
        problems.append("no importer result to check the module documentation: %s" % exc)
        return
    modules = [entry for entry in result.get("docs_blob", {}).get("contents", []) if entry.get("content_type") == "module"]
    if not modules:
        problems.append("the importer found no module documentation at all")
    for entry in modules:
        docs = entry.get("doc_strings") or {}
        missing = [key for key in ("doc", "examples", "return") if not docs.get(key)]
        if missing:
            problems.append("module %s: ansible-doc gave no %s" % (entry.get("content_name"), ", ".join(missing)))
    if not result.get("requires_ansible"):
        problems.append("meta/runtime.yml gives no requires_ansible")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("artifact", help="the collection artifact, NAMESPACE-NAME-VERSION.tar.gz")
    args = parser.parse_args()

    artifact = Path(args.artifact).resolve()
    if not artifact.is_file() or not ARTIFACT_RE.match(artifact.name):
        print("run_galaxy_importer: %s is not a collection artifact named NAMESPACE-NAME-VERSION.tar.gz"
              % args.artifact, file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="galaxy-importer-") as tmp:
        config = Path(tmp) / "galaxy-importer.cfg"
        config.write_text(CONFIG.format(tmp=tmp), encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if not key.startswith("GALAXY_IMPORTER_")}
        env["GALAXY_IMPORTER_CONFIG"] = str(config)
        # The importer looks ansible-doc and ansible-lint up on PATH: use this environment's.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        proc = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(artifact)], cwd=tmp, env=env,
                              capture_output=True, text=True, check=False)
        output = proc.stdout + proc.stderr
        print(output, end="" if output.endswith("\n") else "\n")

        problems = []
        if proc.returncode != 0 or "Importer processing completed successfully" not in output:
            problems.append("galaxy-importer did not complete the import (rc %d)" % proc.returncode)
        check_warnings(output, artifact, problems)
        if proc.returncode == 0:
            check_module_docs(Path(tmp) / "importer_result.json", problems)

    if problems:
        for problem in problems:
            print("run_galaxy_importer: %s" % problem, file=sys.stderr)
        return 1
    print("run_galaxy_importer: %s passes galaxy-importer" % artifact.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The AWX credential types in docs/awx/credential-types/ and the job template example in docs/awx/.

* Each credential type injects exactly the environment variables the modules read as fallbacks
  (``env_fallback`` in OCP_CONNECTION_SPEC / OBSHELL_CONNECTION_SPEC), and its secret inputs are
  exactly the ones that feed ``no_log`` options.
* The job template's ``timeout`` is larger than the role's ``wait_for_restore_timeout``.
* The role runs through ``ansible_runner.run`` (what AWX runs inside the execution environment)
  with the environment AWX would build from a credential of each type: the injector templates
  rendered with the credential's inputs the way AWX renders them (a sandboxed Jinja environment,
  empty inputs left undefined, unchecked booleans false), and nothing else but
  ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import ansible_runner
import jinja2
import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "simulator" / "scenarios"
AWX = ROOT / "docs" / "awx"
CREDENTIAL_TYPES = AWX / "credential-types"
JOB_TEMPLATE = AWX / "job-template.yml"
PLAYBOOK = AWX / "playbooks" / "wait_for_restore.yml"
BIN = Path(sys.executable).parent

OCP_PASSWORD = "admin-password"
OCP_SECRET_KEY = "secret-key"
OBSHELL_PASSWORD = "root-password"


def _load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def credential_type(name):
    return _load_yaml(CREDENTIAL_TYPES / ("%s.yml" % name))


def connection_spec(api, installed):
    """The module's connection argspec, imported from the collection under test (``installed``: the
    harness's collections path, conftest.INSTALLED, from its ``installed_collection`` fixture)."""
    if str(installed) not in sys.path:
        sys.path.insert(0, str(installed))
    from ansible_collections.oceanbase.ops.plugins.module_utils import _module  # pylint: disable=import-outside-toplevel

    return {"ocp": _module.OCP_CONNECTION_SPEC, "obshell": _module.OBSHELL_CONNECTION_SPEC}[api]


def fallback_names(spec):
    """{option: env var name} for every option of ``spec`` that has an env fallback."""
    names = {}
    for option, settings in spec.items():
        fallback = settings.get("fallback")
        if not fallback:
            continue
        env_names = list(fallback[1])
        assert len(env_names) == 1, "option %s falls back to several variables: %s" % (option, env_names)
        names[option] = env_names[0]
    return names


def template_fields(template):
    """The credential input fields a Jinja template refers to."""
    return meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(template))


def awx_injected_env(cred_type, inputs):
    """The environment AWX gives a job for a credential of ``cred_type`` with these ``inputs``.

    As awx/main/models/credential CredentialType.inject_credential does it: string inputs that are
    empty are left out of the template namespace (so they render as ""), missing boolean inputs are
    false, and every ``injectors.env`` template is rendered in an immutable sandboxed environment.
    """
    fields = cred_type["inputs"]["fields"]
    known = {field["id"]: field for field in fields}
    unknown = set(inputs) - set(known)
    assert not unknown, "inputs %s are not fields of %s" % (sorted(unknown), cred_type["name"])
    missing = [name for name in cred_type["inputs"].get("required", []) if not inputs.get(name)]
    assert not missing, "AWX would refuse the credential: required inputs %s are empty" % missing
    namespace = {}
    for field_id, field in known.items():
        if field_id in inputs:
            value = inputs[field_id]
            if isinstance(value, bool) or len(value):
                namespace[field_id] = value
        elif field.get("type") == "boolean":
            namespace[field_id] = False
    sandbox = ImmutableSandboxedEnvironment()
    env = {}
    for name, template in cred_type["injectors"]["env"].items():
        env[name] = sandbox.from_string(template).render(**namespace)
    return env


# --- the credential types against the modules ---------------------------------------------------

@pytest.mark.parametrize("api", ["ocp", "obshell"])
def test_credential_type_injects_exactly_the_module_env_fallbacks(api, installed_collection):
    cred_type = credential_type(api)
    spec = connection_spec(api, installed_collection)
    names = fallback_names(spec)
    injected = cred_type["injectors"]["env"]
    assert set(injected) == set(names.values()), (
        "%s credential type injects %s; the modules read %s" % (api, sorted(injected), sorted(names.values())))
    assert set(cred_type["injectors"]) == {"env"}, "only env injectors: the modules read nothing else"
    assert all(name.startswith("OCEANBASE_") for name in injected)

    fields = {field["id"]: field for field in cred_type["inputs"]["fields"]}
    used = set()
    for option, env_name in names.items():
        referenced = template_fields(injected[env_name])
        assert referenced, "%s renders no input field" % env_name
        assert referenced <= set(fields), "%s refers to unknown fields %s" % (env_name, sorted(referenced - set(fields)))
        used |= referenced
        secret = bool(spec[option].get("no_log"))
        for field_id in referenced:
            assert bool(fields[field_id].get("secret")) == secret, (
                "input %s feeds option %s (no_log=%s): it must%s be `secret: true`"
                % (field_id, option, secret, "" if secret else " not"))
    assert used == set(fields), "inputs that no injector uses: %s" % sorted(set(fields) - used)
    # The URL is the one option every module requires.
    assert "url" in cred_type["inputs"]["required"]
    assert spec["url"].get("required") is True
    assert cred_type["kind"] == "cloud"


@pytest.mark.parametrize("api", ["ocp", "obshell"])
@pytest.mark.parametrize("skip, expected", [(None, "true"), (False, "true"), (True, "false")])
def test_tls_verification_is_on_unless_skipped(api, skip, expected):
    """An unchecked (or never saved) AWX boolean is false, so the input is phrased as "skip"; the
    injected value is always a boolean the module accepts, never an empty string."""
    inputs = {"url": "https://example.invalid:8080"}
    if skip is not None:
        inputs["skip_tls_verify"] = skip
    env = awx_injected_env(credential_type(api), inputs)
    assert env["OCEANBASE_%s_VALIDATE_CERTS" % api.upper()] == expected


def test_job_template_timeout_exceeds_the_role_timeout():
    template = _load_yaml(JOB_TEMPLATE)
    role_timeout = template["extra_vars"]["wait_for_restore_timeout"]
    assert isinstance(template["timeout"], int) and isinstance(role_timeout, int)
    assert template["timeout"] > role_timeout, (
        "job timeout %s s must exceed wait_for_restore_timeout %s s" % (template["timeout"], role_timeout))
    assert Path(template["playbook"]).name == PLAYBOOK.name and PLAYBOOK.is_file()
    plays = _load_yaml(PLAYBOOK)
    assert [play["hosts"] for play in plays] == ["localhost"]
    assert any(entry.get("role") == "oceanbase.ops.wait_for_restore" for entry in plays[0].get("roles", []))


# --- the role through ansible-runner with the injected environment ------------------------------

def _ocp_scenario(auth):
    scenario = copy.deepcopy(_load_yaml(SCENARIOS / "ocp-awx-quick.yml"))
    # Accept only the method under test, so a wrong injection cannot pass with the other one.
    scenario["auth"] = {"basic": {"users": scenario["auth"]["users"]},
                        "aksk": {"access_keys": scenario["auth"]["access_keys"]}}[auth]
    return scenario


CASES = {
    "ocp-basic": dict(api="ocp", inputs=lambda url: {"url": url, "username": "admin", "password": OCP_PASSWORD},
                      secrets=[OCP_PASSWORD]),
    "ocp-aksk": dict(api="ocp", inputs=lambda url: {"url": url, "access_key_id": "AKIDEXAMPLE",
                                                    "access_key_secret": OCP_SECRET_KEY},
                     secrets=[OCP_SECRET_KEY]),
    "obshell": dict(api="obshell", inputs=lambda url: {"url": url, "password": OBSHELL_PASSWORD},
                    secrets=[OBSHELL_PASSWORD]),
}
EXTRA_VARS = {
    "ocp": {"wait_for_restore_api": "ocp", "wait_for_restore_cluster_id": 1, "wait_for_restore_tenant_name": "awx_tenant"},
    "obshell": {"wait_for_restore_api": "obshell", "wait_for_restore_tenant_name": "awx_tenant"},
}


def _events(run, event, task):
    return [item["event_data"] for item in run.events
            if item.get("event") == event and item.get("event_data", {}).get("task") == task]


def _run_job(tmp_path, monkeypatch, installed, injected, extravars, timeout):
    """Run the job template's playbook as AWX would: envvars = the injected env + the collections path."""
    # A job's environment: nothing from the test runner's OCEANBASE_* / ANSIBLE_* settings leaks in.
    for name in list(os.environ):
        if name.startswith(("OCEANBASE_", "ANSIBLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", str(BIN) + os.pathsep + os.environ.get("PATH", ""))
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    run = ansible_runner.run(
        private_data_dir=str(private),
        playbook=str(PLAYBOOK),
        inventory={"all": {"hosts": {"localhost": {"ansible_connection": "local",
                                                   "ansible_python_interpreter": sys.executable}}}},
        envvars=dict(injected, ANSIBLE_COLLECTIONS_PATH=str(installed)),
        extravars=extravars,
        quiet=True,
        timeout=timeout,
    )
    return run, run.stdout.read()


@pytest.mark.parametrize("case", sorted(CASES))
def test_role_runs_with_the_injected_credential(case, tmp_path, monkeypatch, installed_collection, ocp_sim, obshell_sim):
    spec = CASES[case]
    api = spec["api"]
    if api == "ocp":
        sim = ocp_sim(_ocp_scenario(case.split("-")[1]))
    else:
        sim = obshell_sim("obshell-awx-quick.yml")
    injected = awx_injected_env(credential_type(api), spec["inputs"](sim.url))
    extravars = dict(EXTRA_VARS[api], wait_for_restore_timeout=60, wait_for_restore_poll_interval=1,
                     wait_for_restore_report_interval=2)

    run, stdout = _run_job(tmp_path, monkeypatch, installed_collection, injected, extravars, timeout=240)

    assert run.status == "successful" and run.rc == 0, "status %s rc %s\n%s" % (run.status, run.rc, stdout)
    recorded = _events(run, "runner_on_ok", "Record the outcome in wait_for_restore_result")
    assert len(recorded) == 1, stdout
    result = recorded[0]["res"]["ansible_facts"]["wait_for_restore_result"]
    assert result["outcome"] == "completed" and result["phase"] == "COMPLETED", result
    assert "Restore progress: phase" in stdout
    statuses = {entry["status"] for entry in sim.log}
    assert statuses == {200}, "the simulator answered %s" % sorted(statuses)
    for secret in spec["secrets"]:
        assert secret not in stdout, "a credential secret appears in the job output"


def test_both_ocp_pairs_in_one_credential_fail_clearly(tmp_path, monkeypatch, installed_collection, ocp_sim):
    """The one case the OCP type cannot rule out by itself: both pairs filled in. The module refuses
    before sending any request, with a message that names the variables to check."""
    sim = ocp_sim("ocp-awx-quick.yml")
    injected = awx_injected_env(credential_type("ocp"), {
        "url": sim.url, "username": "admin", "password": OCP_PASSWORD,
        "access_key_id": "AKIDEXAMPLE", "access_key_secret": OCP_SECRET_KEY})
    extravars = dict(EXTRA_VARS["ocp"], wait_for_restore_timeout=10, wait_for_restore_poll_interval=1,
                     wait_for_restore_report_interval=2)

    run, stdout = _run_job(tmp_path, monkeypatch, installed_collection, injected, extravars, timeout=120)

    assert run.status == "failed", stdout
    assert "both username/password and access_key_id/access_key_secret are set" in stdout
    assert not sim.log, "no request may be sent with ambiguous credentials"


def test_jinja_is_the_template_language():
    """AWX renders injectors with Jinja; a template that does not parse would break every job."""
    for path in sorted(CREDENTIAL_TYPES.glob("*.yml")):
        for name, template in _load_yaml(path)["injectors"]["env"].items():
            try:
                ImmutableSandboxedEnvironment().parse(template)
            except jinja2.TemplateSyntaxError as exc:  # pragma: no cover - the failure message
                pytest.fail("%s: %s: %s" % (path.name, name, exc))

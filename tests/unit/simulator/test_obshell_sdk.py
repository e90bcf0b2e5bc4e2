"""Cross-check: the official obshell Python SDK (PyPI ``obshell``, PyCryptodome + requests) against
the simulator. The SDK shares no code with the simulator or the collection, so a header it builds
and an envelope it parses exercise the protocol from an independent side.

Request counts follow section 12 of the protocol note: the SDK resends once on any error, and
sends twice more after a legacy ``code 1`` (header decrypt failure).
"""

import os

import pytest
from obshell import ClientV1, OBShellHandleError
from obshell.auth.password import PasswordAuth

from simulator.common import load_scenario
from simulator.obshell import ObshellSimulator

SCENARIOS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "simulator", "scenarios")
ROOT = "root-password"
AGENT = "agent-password"
OVERVIEW = r"/restore/overview$"


@pytest.fixture
def start():
    """start(name_or_scenario) -> started simulator; stopped at teardown."""
    sims = []

    def _start(scenario):
        if isinstance(scenario, str):
            scenario = load_scenario(os.path.join(SCENARIOS, scenario))
        sim = ObshellSimulator(scenario).start()
        sims.append(sim)
        return sim

    yield _start
    for sim in sims:
        sim.stop()


def client(sim, password=ROOT, agent_password=None):
    return ClientV1("127.0.0.1", sim.port, PasswordAuth(password, agent_password))


def expected(scenario_file, tenant, at):
    """What the scenario file says the overview holds at scenario second ``at``: the tenant's
    fields, then every restore entry whose time has come, in order."""
    spec = next(item for item in load_scenario(os.path.join(SCENARIOS, scenario_file))["tenants"] if item["name"] == tenant)
    values = dict(spec.get("fields", {}))
    for entry in spec["restore"]:
        if entry["at"] <= at:
            values.update(entry)
    values.pop("at")
    return values


def overview_requests(sim):
    return len(sim.requests_to(OVERVIEW))


def test_sdk_reads_a_running_restore(start):
    sim = start("obshell-demo.yml")
    sim.clock.offset = 9
    overview = client(sim).get_tenant_restore_overview("restored_tenant")
    want = expected("obshell-demo.yml", "restored_tenant", 9)
    assert want["status"] == "WAIT_TENANT_RESTORE_FINISH"
    for key, value in want.items():
        assert getattr(overview, key) == value, key
    assert isinstance(overview.restore_scn, int) and overview.restore_scn > 2**53
    assert overview.restore_tenant_name == "restored_tenant"
    assert overview.comment == "" and overview.finish_timestamp == "" and overview.ls_count == 0  # history-only
    assert overview.backup_dest is None  # the SDK model reads a key the agent never sends
    assert overview_requests(sim) == 1


def test_sdk_reads_the_final_history_row(start):
    sim = start("obshell-demo.yml")
    sim.clock.offset = 30
    overview = client(sim).get_tenant_restore_overview("restored_tenant")
    assert overview.status == "SUCCESS" and overview.job_id == expected("obshell-demo.yml", "restored_tenant", 30)["job_id"]
    assert overview.finish_timestamp.endswith("+08:00") and overview.restore_progress == "" and overview.recover_scn == 0


def test_sdk_with_512_bit_key_sees_the_failure(start):
    sim = start("obshell-demo-fail.yml")
    assert sim.key_bits == 512
    sim.clock.offset = 13
    overview = client(sim).get_tenant_restore_overview("restored_tenant")
    want = expected("obshell-demo-fail.yml", "restored_tenant", 13)
    assert overview.status == "FAIL" and overview.comment == want["comment"]
    assert overview.restore_scn == want["restore_scn"]


def test_sdk_agent_password(start):
    # No OceanBase password known yet: only X-OCS-Agent-Header with the agent password passes, so
    # success proves the SDK switched headers after reading security: true from /api/v1/info.
    scenario = {
        "agent": {"root_password": "", "agent_password": AGENT},
        "tenants": [{"name": "t", "restore": [{"at": 0, "status": "CREATE_TENANT"}]}],
    }
    sim = start(scenario)
    assert client(sim, "", AGENT).get_tenant_restore_overview("t").status == "CREATE_TENANT"
    with pytest.raises(OBShellHandleError) as caught:
        client(sim, ROOT).get_tenant_restore_overview("t")
    assert caught.value.err_code == "Security.Authentication.WithAgentPassword" and caught.value.code == 10008


def test_sdk_both_passwords_on_a_secure_agent(start):
    sim = start("obshell-never.yml")
    with pytest.raises(OBShellHandleError) as caught:
        client(sim, ROOT, AGENT).get_tenant_restore_overview("plain_tenant")
    assert caught.value.err_code == "Common.NotFound"


def test_sdk_never_restored_costs_two_requests(start):
    sim = start("obshell-never.yml")
    with pytest.raises(OBShellHandleError) as caught:
        client(sim).get_tenant_restore_overview("plain_tenant")
    assert caught.value.err_code == "Common.NotFound" and caught.value.code == 0
    assert caught.value.message == "Element not found: restore task"
    assert overview_requests(sim) == 2  # quirk: any error is sent once more


def test_sdk_sys_and_unknown_tenants(start):
    sim = start("obshell-never.yml")
    with pytest.raises(OBShellHandleError) as caught:
        client(sim).get_tenant_restore_overview("sys")
    assert caught.value.err_code == "OB.Tenant.SysOperationNotAllowed"
    with pytest.raises(OBShellHandleError) as caught:
        client(sim).get_tenant_restore_overview("nobody")
    assert caught.value.err_code == "OB.Tenant.NotExist"
    assert overview_requests(sim) == 4


def test_sdk_invisible_tenant_400_then_visible(start):
    sim = start("obshell-demo.yml")
    sdk = client(sim)
    with pytest.raises(OBShellHandleError) as caught:
        sdk.get_tenant_restore_overview("restored_tenant")
    assert caught.value.err_code == "OB.Tenant.NotExist"
    sim.clock.offset = 2
    assert sdk.get_tenant_restore_overview("restored_tenant").status == "CREATE_TENANT"


def test_sdk_wrong_password(start):
    sim = start("obshell-demo.yml")
    sim.clock.offset = 5
    with pytest.raises(OBShellHandleError) as caught:
        client(sim, "not-the-password").get_tenant_restore_overview("restored_tenant")
    assert caught.value.err_code == "Security.Authentication.IncorrectOceanbasePassword" and caught.value.code == 10008
    # On 10008 the SDK re-reads /info and the key before its one resend.
    assert overview_requests(sim) == 2
    assert len(sim.requests_to(r"/api/v1/secret$")) == 2


def test_sdk_expired_against_a_fast_agent_clock(start):
    sim = start("obshell-demo.yml")
    sim.clock.offset = 5
    sim.clock.skew = 120  # the SDK's headers live 60 s
    with pytest.raises(OBShellHandleError) as caught:
        client(sim).get_tenant_restore_overview("restored_tenant")
    assert caught.value.err_code == "Security.Authentication.Expired"


def test_sdk_refetches_the_key_after_rotation(start):
    sim = start("obshell-demo-fail.yml")
    sim.clock.offset = 5
    sdk = client(sim)
    assert sdk.get_tenant_restore_overview("restored_tenant").status == "WAIT_TENANT_RESTORE_FINISH"
    sim.rotate_key(1024)  # an upgrade to 4.4.2.0 regenerates the 512-bit key
    sim.reset_stats()
    assert sdk.get_tenant_restore_overview("restored_tenant").status == "WAIT_TENANT_RESTORE_FINISH"
    # 401 code 1, then the SDK drops its key and sends twice more (the first answer is discarded).
    assert [entry["status"] for entry in sim.requests_to(OVERVIEW)] == [401, 200, 200]
    assert len(sim.requests_to(r"/api/v1/secret$")) == 1


def test_sdk_legacy_errors(start):
    scenario = {"agent": {"version": "4.2.4.0"}, "tenants": [{"name": "plain_tenant"}]}
    sim = start(scenario)
    assert sim.error_style == "legacy"
    # /api/v1/info has no supportedAuth before 4.2.5.0: the SDK picks auth v2 from the version.
    with pytest.raises(OBShellHandleError) as caught:
        client(sim).get_tenant_restore_overview("plain_tenant")
    assert caught.value.code == 2300 and caught.value.err_code == ""
    assert overview_requests(sim) == 2

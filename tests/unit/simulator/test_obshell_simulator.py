"""The obshell simulator over real HTTP, driven by a small auth-v2 client written in this file from
the protocol note (it shares no code with the simulator)."""

import base64
import http.client
import json
import os
import re
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding

from simulator.common import load_scenario
from simulator.obshell import ObshellSimulator

SCENARIOS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "simulator", "scenarios")

# Section 8.1 of the protocol note, in wire order.
OVERVIEW_KEYS = [
    "tenant_id", "job_id", "restore_tenant_name", "restore_tenant_id", "backup_tenant_name", "backup_tenant_id",
    "backup_cluster_name", "restore_option", "restore_scn", "restore_scn_display", "status", "start_timestamp",
    "backup_set_list", "backup_piece_list", "backup_data_uri", "backup_log_uri", "tablet_count", "finish_tablet_count",
    "total_bytes", "finish_bytes", "total_bytes_display", "finish_bytes_display", "description",
    "recover_scn", "recover_scn_display", "recover_progress", "restore_progress",
    "backup_cluster_version", "ls_count", "finish_ls_count", "comment", "finish_timestamp",
]
RUNNING_ONLY = {"recover_scn": 0, "recover_scn_display": "", "recover_progress": "", "restore_progress": ""}
HISTORY_ONLY = {"backup_cluster_version": 0, "ls_count": 0, "finish_ls_count": 0, "comment": "", "finish_timestamp": ""}
ENVELOPE_KEYS = ["successful", "timestamp", "duration", "status", "traceId"]
GO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")

SCN = 1728890608464651273  # above 2**53: a float would round it
ROOT = "root-password"
AGENT = "agent-password"
OVERVIEW = "/api/v1/tenant/%s/restore/overview"
TENANTS = [
    {
        "name": "restored_tenant",
        "fields": {"job_id": 7, "restore_scn": SCN, "backup_tenant_name": "prod_tenant", "backup_cluster_name": "obcluster"},
        "restore": [
            {"at": 0, "status": "CREATE_TENANT", "restore_progress": "0.00", "recover_progress": "0.00"},
            {"at": 5, "status": "WAIT_TENANT_RESTORE_FINISH", "restore_progress": "45.50", "finish_bytes": 8000000},
            {"at": 20, "status": "RESTORE_SUCCESS", "restore_progress": "100.00"},
            {"at": 21, "status": "SUCCESS", "finish_ls_count": 2},
        ],
    },
    {"name": "plain_tenant"},
    {"name": "late_tenant", "visible_at": 3, "restore": [{"at": 0, "status": "CREATE_TENANT"}]},
]


class Client:
    """Auth v2 as the note describes it: fresh AES key+iv, header JSON {auth, ts (string), uri, keys},
    RSA PKCS#1 v1.5 in chunks of at most k-11 bytes, standard base64."""

    def __init__(self, sim):
        self.sim = sim

    def get(self, target, headers=None):
        conn = http.client.HTTPConnection(self.sim.host, self.sim.port, timeout=10)
        try:
            conn.request("GET", target, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            assert response.getheader("Content-Type") == "application/json"
            body = json.loads(raw)
            assert body["status"] == response.status
            return response.status, body, raw
        finally:
            conn.close()

    def public_key(self):
        status, body, _headers = self.get("/api/v1/secret")
        assert status == 200
        return serialization.load_der_public_key(base64.b64decode(body["data"]["public_key"]))

    @staticmethod
    def encrypt(key, obj, chunk=None):
        plain = json.dumps(obj).encode()
        chunk = chunk or key.key_size // 8 - 11
        blocks = [key.encrypt(plain[i:i + chunk], padding.PKCS1v15()) for i in range(0, len(plain), chunk)]
        return base64.b64encode(b"".join(blocks)).decode()

    @classmethod
    def header(cls, key, auth, uri, ts=None, chunk=None, **extra):
        return cls.encrypt(key, dict({
            "auth": auth,
            "ts": str(int(time.time()) + 60) if ts is None else ts,
            "uri": uri,
            "keys": base64.b64encode(os.urandom(16) + os.urandom(16)).decode(),
        }, **extra), chunk)

    def overview(self, tenant, auth=ROOT, header_name="X-OCS-Header", key=None, **header_args):
        target = OVERVIEW % tenant
        value = self.header(key or self.public_key(), auth, header_args.pop("uri", target), **header_args)
        return self.get(target, {header_name: value})


@pytest.fixture
def start():
    """start(agent={...}, tenants=[...], faults=[...]) or start(scenario=...) -> (sim, client)."""
    sims = []

    def _start(agent=None, tenants=None, faults=None, scenario=None):
        if scenario is None:
            scenario = {
                "agent": dict({"identity": "CLUSTER AGENT", "version": "4.4.2.0", "root_password": ROOT}, **(agent or {})),
                "tenants": TENANTS if tenants is None else tenants,
                "faults": faults or [],
            }
        sim = ObshellSimulator(scenario).start()
        sims.append(sim)
        return sim, Client(sim)

    yield _start
    for sim in sims:
        sim.stop()


def error_of(body, status):
    assert body["successful"] is False and body["status"] == status
    assert list(body) == ENVELOPE_KEYS + ["error"]
    return body["error"]


def assert_error(response, status, err_code, code, message=None):
    """Check an error answer; ``code`` is the legacy int code, 0 when the envelope must omit it."""
    got_status, body, _headers = response
    assert got_status == status, body
    error = error_of(body, status)
    assert error["errCode"] == err_code
    assert error.get("code", 0) == code and error.get("code") != 0
    if message is not None:
        assert error["message"] == message
    return error


# --- unauthenticated endpoints ---------------------------------------------------------------
def test_info_shape(start):
    sim, client = start()
    status, body, _headers = client.get("/api/v1/info")
    assert status == 200 and body["successful"] is True
    assert list(body) == ENVELOPE_KEYS + ["data"]
    assert GO_TIME.match(body["timestamp"]) and re.fullmatch(r"[0-9a-f]{16}", body["traceId"])
    data = body["data"]
    assert set(data) == {"pid", "state", "startAt", "homePath", "obVersion", "architecture", "ip", "port", "zone",
                         "identity", "version", "isObproxyAgent", "security", "supportedAuth"}
    assert data["identity"] == "CLUSTER AGENT" and data["version"] == "4.4.2.0" and data["port"] == sim.port
    assert data["security"] is False and data["supportedAuth"] == ["v2"]


def test_info_security_and_old_versions(start):
    _sim, client = start(agent={"agent_password": AGENT, "version": "4.2.4.0"})
    data = client.get("/api/v1/info")[1]["data"]
    assert data["security"] is True
    assert "supportedAuth" not in data  # added in 4.2.5.0


def test_secret_is_pkcs1_der(start):
    sim, client = start()
    data = client.get("/api/v1/secret")[1]["data"]
    assert set(data) == {"ip", "port", "public_key"} and data["port"] == sim.port
    der = base64.b64decode(data["public_key"], validate=True)
    key = serialization.load_der_public_key(der)
    assert key.key_size == 1024
    # RSAPublicKey (PKCS#1), not SubjectPublicKeyInfo
    assert der == key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def test_bad_header_on_unauthenticated_route_is_rejected(start):
    _sim, client = start()
    assert_error(client.get("/api/v1/info", {"X-OCS-Header": "bm90IGEgaGVhZGVy"}), 401, "Security.Authentication.Header.DecryptFailed", 1)


# --- chunking and keys -----------------------------------------------------------------------
@pytest.mark.parametrize("chunk", [53, 117])
def test_1024_bit_key_any_chunk_size(start, chunk):
    _sim, client = start()
    key = client.public_key()
    value = Client.header(key, ROOT, OVERVIEW % "restored_tenant", chunk=chunk)
    assert len(base64.b64decode(value)) > 128  # the header spans more than one RSA block
    status, body, _headers = client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": value})
    assert status == 200, body


def test_512_bit_fixture_key(start):
    sim, client = start(agent={"key_bits": 512})
    key = client.public_key()
    assert key.key_size == 512 and sim.key_bits == 512
    value = Client.header(key, ROOT, OVERVIEW % "restored_tenant", chunk=53)
    assert len(base64.b64decode(value)) % 64 == 0
    assert client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": value})[0] == 200


def test_long_header_many_blocks(start):
    _sim, client = start(agent={"root_password": "p" * 300})
    status, body, _headers = client.overview("restored_tenant", auth="p" * 300, chunk=53)
    assert status == 200, body


# --- the overview --------------------------------------------------------------------------
def test_overview_running_has_every_key(start):
    sim, client = start()
    sim.clock.offset = 6
    status, body, raw = client.overview("restored_tenant")
    assert status == 200 and list(body) == ENVELOPE_KEYS + ["data"]
    data = body["data"]
    assert list(data) == OVERVIEW_KEYS
    assert data["status"] == "WAIT_TENANT_RESTORE_FINISH" and data["job_id"] == 7
    assert data["restore_tenant_name"] == "restored_tenant" and data["backup_tenant_name"] == "prod_tenant"
    assert isinstance(data["restore_scn"], int) and data["restore_scn"] == SCN > 2**53
    assert b'"restore_scn":%d,' % SCN in raw
    assert data["restore_progress"] == "45.50" and data["recover_progress"] == "0.00"  # carried over from 0 s
    assert data["finish_bytes"] == 8000000 and data["finish_bytes_display"] == "7.63MB"
    assert {key: data[key] for key in HISTORY_ONLY} == HISTORY_ONLY
    for key in ("start_timestamp", "restore_scn_display"):
        assert GO_TIME.match(data[key]) and "." in data[key]
    assert b"\\u0026locality=" in raw  # Go's encoder escapes '&'


def test_overview_timeline_through_history(start):
    sim, client = start()
    seen = []
    for offset in (0, 5, 20, 21, 500):
        sim.clock.offset = offset
        data = client.overview("restored_tenant")[1]["data"]
        seen.append(data["status"])
        assert list(data) == OVERVIEW_KEYS
    assert seen == ["CREATE_TENANT", "WAIT_TENANT_RESTORE_FINISH", "RESTORE_SUCCESS", "SUCCESS", "SUCCESS"]
    assert {key: data[key] for key in RUNNING_ONLY} == RUNNING_ONLY
    assert data["finish_ls_count"] == 2 and data["ls_count"] == 2 and data["comment"] == ""
    assert GO_TIME.match(data["finish_timestamp"]) and data["finish_timestamp"] > data["start_timestamp"]


def test_set_overview_pins_the_job(start):
    sim, client = start()
    sim.set_overview("restored_tenant", "FAIL", comment="restore failed: OB_BACKUP_FILE_NOT_EXIST(-9011)", job_id=9)
    data = client.overview("restored_tenant")[1]["data"]
    assert data["status"] == "FAIL" and data["job_id"] == 9 and data["comment"].endswith("(-9011)")
    sim.set_overview("new_tenant", "RESTORING", source="progress", restore_progress="3.00")
    assert client.overview("new_tenant")[1]["data"]["restore_progress"] == "3.00"
    sim.set_overview("restored_tenant", None)
    assert_error(client.overview("restored_tenant"), 404, "Common.NotFound", 0)


def test_never_restored_404(start):
    _sim, client = start()
    assert_error(client.overview("plain_tenant"), 404, "Common.NotFound", 0, message="Element not found: restore task")


def test_invisible_tenant_then_visible(start):
    sim, client = start()
    assert_error(client.overview("late_tenant"), 400, "OB.Tenant.NotExist", 0, message="Tenant 'late_tenant' does not exist.")
    assert_error(client.overview("no_such_tenant"), 400, "OB.Tenant.NotExist", 0)
    sim.clock.offset = 3
    assert client.overview("late_tenant")[1]["data"]["status"] == "CREATE_TENANT"


def test_dropped_tenant_disappears(start):
    _sim, client = start(tenants=[{"name": "gone", "dropped_at": 0, "restore": [{"at": 0, "status": "FAIL"}]}])
    assert_error(client.overview("gone"), 400, "OB.Tenant.NotExist", 0)


def test_sys_tenant_400(start):
    _sim, client = start(tenants=[{"name": "sys"}])
    assert_error(client.overview("sys"), 400, "OB.Tenant.SysOperationNotAllowed", 0,
                 message="System tenant is not allowed to perform this operation")


def test_non_cluster_identity_400(start):
    sim, client = start(agent={"identity": "MASTER"})
    error = assert_error(client.overview("restored_tenant"), 400, "Agent.Identify.NotSupportOperation", 0)
    assert error["message"] == "'127.0.0.1:%d' is 'MASTER', instead of 'CLUSTER AGENT', does not support this operation" % sim.port
    # checked after authentication
    assert_error(client.overview("restored_tenant", auth="wrong"), 401, "Security.Authentication.IncorrectOceanbasePassword", 10008)


def test_single_agent_without_agent_password_skips_the_password(start):
    _sim, client = start(agent={"identity": "SINGLE"})
    assert_error(client.overview("restored_tenant", auth="anything"), 400, "Agent.Identify.NotSupportOperation", 0)


def test_single_agent_with_agent_password(start):
    _sim, client = start(agent={"identity": "SINGLE", "agent_password": AGENT})
    assert_error(client.overview("restored_tenant"), 401, "Security.Authentication.WithAgentPassword", 10008,
                 "Unauthorized: Should use agent_password to verify: agent password has been set")
    assert_error(client.overview("restored_tenant", auth=AGENT, header_name="X-OCS-Agent-Header"), 400, "Agent.Identify.NotSupportOperation", 0)


# --- Verify() ------------------------------------------------------------------------------
def test_no_header_400(start):
    _sim, client = start()
    assert_error(client.get(OVERVIEW % "restored_tenant"), 400, "Request.Header.NotFound", 0)
    assert_error(client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": ""}), 400, "Request.Header.NotFound", 0)


@pytest.mark.parametrize("value", ["***", "QUJD", base64.b64encode(b"\x01" * 128).decode(), base64.b64encode(b"\x01" * 100).decode()])
def test_garbage_header_401_code_1(start, value):
    _sim, client = start()
    error = assert_error(client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": value}), 401,
                         "Security.Authentication.Header.DecryptFailed", 1)
    assert error["message"].startswith("Decrypt http header failed: ")


@pytest.mark.parametrize("extra", [{"ts": 1767225660}, {"auth": 5}, {"keys": "not base64!"}, {"uri": ["/"]}])
def test_wrongly_typed_header_fields_fail_decryption(start, extra):
    _sim, client = start()
    value = Client.header(client.public_key(), **dict({"auth": ROOT, "uri": OVERVIEW % "restored_tenant"}, **extra))
    assert_error(client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": value}), 401, "Security.Authentication.Header.DecryptFailed", 1)


def test_header_field_names_are_case_insensitive(start):
    _sim, client = start()
    target = OVERVIEW % "plain_tenant"
    value = Client.encrypt(client.public_key(), {"Auth": ROOT, "TS": str(int(time.time()) + 60), "Uri": target, "Keys": None})
    assert client.get(target, {"X-OCS-Header": value})[0] == 404  # authenticated, then "never restored"


def test_uri_must_match_the_raw_target(start):
    _sim, client = start()
    assert_error(client.overview("restored_tenant", uri="/api/v1/tenant/other/restore/overview"), 401,
                 "Security.Authentication.Header.UriMismatch", 10008, "URI mismatch")
    # The route decodes the path, the uri check does not.
    encoded = OVERVIEW % "restored%5Ftenant"
    key = client.public_key()
    decoded_uri = Client.header(key, ROOT, OVERVIEW % "restored_tenant")
    assert_error(client.get(encoded, {"X-OCS-Header": decoded_uri}), 401, "Security.Authentication.Header.UriMismatch", 10008)
    assert client.get(encoded, {"X-OCS-Header": Client.header(key, ROOT, encoded)})[0] == 200
    with_query = OVERVIEW % "restored_tenant" + "?x=1"
    assert_error(client.get(with_query, {"X-OCS-Header": decoded_uri}), 401, "Security.Authentication.Header.UriMismatch", 10008)
    assert client.get(with_query, {"X-OCS-Header": Client.header(key, ROOT, with_query)})[0] == 200


def test_expired_through_server_clock_skew(start):
    sim, client = start()
    sim.clock.skew = 120  # the agent's clock runs two minutes ahead of ours
    assert_error(client.overview("restored_tenant"), 401, "Security.Authentication.Expired", 10008,
                 "Unauthorized: Authentication expired")
    sim.clock.skew = -3600  # a lagging agent clock is never a problem
    assert client.overview("restored_tenant")[0] == 200


def test_timestamp_rules(start):
    _sim, client = start()
    error = assert_error(client.overview("restored_tenant", ts="soon"), 401, "Security.Authentication.Timestamp.Invalid", 10008)
    assert error["message"].startswith("Unauthorized: Invalid timestamp: soon, err: ")
    # ts is only examined when auth is non-empty
    assert_error(client.overview("restored_tenant", auth="", ts="soon"), 401, "Security.Authentication.IncorrectOceanbasePassword", 10008)
    assert_error(client.overview("restored_tenant", ts=str(int(time.time()) - 1)), 401, "Security.Authentication.Expired", 10008)
    assert client.overview("restored_tenant", ts="+%d" % (time.time() + 5))[0] == 200  # Go's ParseInt takes a sign


def test_wrong_password_401(start):
    _sim, client = start()
    assert_error(client.overview("restored_tenant", auth="nope"), 401, "Security.Authentication.IncorrectOceanbasePassword", 10008,
                 "Unauthorized: OceanBase password is incorrect")


def test_agent_password(start):
    _sim, client = start(agent={"agent_password": AGENT})
    assert client.overview("restored_tenant")[0] == 200  # OB password still accepted on X-OCS-Header
    assert client.overview("restored_tenant", auth=AGENT, header_name="X-OCS-Agent-Header")[0] == 200
    assert_error(client.overview("restored_tenant", auth=ROOT, header_name="X-OCS-Agent-Header"), 401,
                 "Security.Authentication.IncorrectAgentPassword", 10008, "Unauthorized: Agent password is incorrect")
    # both headers: the agent header is the one checked
    key = client.public_key()
    target = OVERVIEW % "restored_tenant"
    both = {"X-OCS-Header": Client.header(key, ROOT, target), "X-OCS-Agent-Header": Client.header(key, "wrong", target)}
    assert_error(client.get(target, both), 401, "Security.Authentication.IncorrectAgentPassword", 10008)


def test_agent_password_required_when_ob_password_unknown(start):
    _sim, client = start(agent={"root_password": "", "agent_password": AGENT})
    assert_error(client.overview("restored_tenant"), 401, "Security.Authentication.WithAgentPassword", 10008,
                 "Unauthorized: Should use agent_password to verify: oceanbase password is not initialized")
    assert client.overview("restored_tenant", auth=AGENT, header_name="X-OCS-Agent-Header")[0] == 200


def test_agent_header_without_agent_password(start):
    _sim, client = start()
    assert_error(client.overview("restored_tenant", auth=AGENT, header_name="X-OCS-Agent-Header"), 401,
                 "Security.Authentication.WithOceanBasePassword", 10008)
    _sim, bare = start(agent={"root_password": ""})  # no password at all: nothing to check
    assert bare.overview("restored_tenant", auth="", header_name="X-OCS-Agent-Header")[0] == 200


def test_key_rotation_then_decrypt_failed(start):
    sim, client = start(agent={"key_bits": 512})
    old_key = client.public_key()
    assert client.overview("restored_tenant", key=old_key)[0] == 200
    sim.rotate_key(1024)
    assert_error(client.overview("restored_tenant", key=old_key), 401, "Security.Authentication.Header.DecryptFailed", 1,
                 "Decrypt http header failed: crypto/rsa: decryption error")
    new_key = client.public_key()  # refetch
    assert new_key.key_size == 1024 and client.overview("restored_tenant", key=new_key)[0] == 200
    with pytest.raises(ValueError):
        start(agent={"key_bits": 512})[0].rotate_key(512)


# --- envelope, routes, faults, legacy errors -----------------------------------------------------
def test_trace_id_echo(start):
    _sim, client = start()
    body = client.get("/api/v1/info", {"X-OBSHELL-Trace-ID": "my-trace-1"})[1]
    assert body["traceId"] == "my-trace-1"
    key = client.public_key()
    target = OVERVIEW % "plain_tenant"
    body = client.get(target, {"X-OCS-Header": Client.header(key, ROOT, target), "X-OBSHELL-Trace-ID": "t-404"})[1]
    assert body["traceId"] == "t-404" and GO_TIME.match(body["timestamp"]) and isinstance(body["duration"], int)


def test_unknown_route_404(start):
    _sim, client = start()
    assert_error(client.get("/api/v1/nothing"), 404, "Common.NotFound", 0, message="Element not found: 404 not found")


def test_injected_503(start):
    sim, client = start(faults=[{"match": "/restore/overview", "status": 503, "count": 1}])
    error = assert_error(client.overview("restored_tenant"), 503, "Common.Unexpected", 0)
    assert error["message"] == "Unexpected error: injected fault"
    assert client.overview("restored_tenant")[0] == 200
    assert [entry["status"] for entry in sim.requests_to("/restore/overview")] == [503, 200]


def test_legacy_error_style(start):
    sim, client = start(agent={"error_style": "legacy", "version": "4.2.4.0"})

    def legacy(response, status, code):
        got, body, _headers = response
        assert got == status, body
        assert list(error_of(body, status)) == ["code", "message"] and body["error"]["code"] == code

    legacy(client.overview("restored_tenant", auth="nope"), 401, 10008)
    legacy(client.overview("restored_tenant", uri="/elsewhere"), 401, 10008)
    legacy(client.get(OVERVIEW % "restored_tenant", {"X-OCS-Header": "QUJD"}), 401, 1)
    legacy(client.overview("no_such_tenant"), 400, 1001)
    legacy(client.overview("plain_tenant"), 404, 2300)
    sim.identity = "MASTER"
    legacy(client.overview("restored_tenant"), 500, 1010)


def test_legacy_is_the_default_before_4_3_1(start):
    sim, _client = start(agent={"version": "4.3.0.0"})
    assert sim.error_style == "legacy"


def test_scenario_validation():
    with pytest.raises(ValueError, match="unknown keys"):
        ObshellSimulator({"agent": {"idenity": "MASTER"}})
    with pytest.raises(ValueError, match="must be a string"):
        ObshellSimulator({"tenants": [{"name": "t", "restore": [{"at": 0, "status": "RESTORING", "restore_progress": 45.5}]}]})
    with pytest.raises(ValueError, match="unknown keys"):
        ObshellSimulator({"tenants": [{"name": "t", "fields": {"backup_dest": "oss://x"}}]})


# --- shipped scenarios ---------------------------------------------------------------------------
def test_demo_scenario(start):
    sim, client = start(scenario=load_scenario(os.path.join(SCENARIOS, "obshell-demo.yml")))
    assert_error(client.overview("restored_tenant"), 400, "OB.Tenant.NotExist", 0)
    statuses, progress = [], []
    for offset in (2, 4, 8, 12, 16, 20, 21):
        sim.clock.offset = offset
        data = client.overview("restored_tenant")[1]["data"]
        statuses.append(data["status"])
        progress.append(data["restore_progress"])
    assert statuses == ["CREATE_TENANT"] + ["WAIT_TENANT_RESTORE_FINISH"] * 4 + ["RESTORE_SUCCESS", "SUCCESS"]
    assert [float(value) for value in progress[:5]] == sorted(float(value) for value in progress[:5])
    assert progress[-1] == "" and data["restore_scn"] == SCN and data["start_timestamp"].endswith("+08:00")


def test_demo_fail_scenario(start):
    sim, client = start(scenario=load_scenario(os.path.join(SCENARIOS, "obshell-demo-fail.yml")))
    assert client.public_key().key_size == 512
    sim.clock.offset = 12
    assert client.overview("restored_tenant")[1]["data"]["status"] == "RESTORE_FAIL"
    sim.clock.offset = 13
    data = client.overview("restored_tenant")[1]["data"]
    assert data["status"] == "FAIL" and data["comment"] == "restore failed: OB_BACKUP_FILE_NOT_EXIST(-9011)"


def test_never_scenario(start):
    _sim, client = start(scenario=load_scenario(os.path.join(SCENARIOS, "obshell-never.yml")))
    assert client.get("/api/v1/info")[1]["data"]["security"] is True
    assert_error(client.overview("plain_tenant"), 404, "Common.NotFound", 0)
    assert_error(client.overview("plain_tenant", auth=AGENT, header_name="X-OCS-Agent-Header"), 404, "Common.NotFound", 0)
    assert_error(client.overview("sys"), 400, "OB.Tenant.SysOperationNotAllowed", 0)

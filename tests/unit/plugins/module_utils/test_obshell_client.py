# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""obshell auth v2 (decrypted here with the private key), key loading, the credential choice,
OverviewQuery validation, the client against a scripted server and against the obshell simulator."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from simulator.obshell import ObshellSimulator

from ansible_collections.oceanbase.ops.plugins.module_utils import _obshell, _obshell_restore
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError, HttpClient, RetryPolicy
from ansible_collections.oceanbase.ops.plugins.module_utils._module import ModuleFailure
from ansible_collections.oceanbase.ops.plugins.module_utils._obshell import (
    AGENT_HEADER,
    HEADER,
    ObshellClient,
    auth_header_value,
    load_public_key,
    rsa_encrypt_chunked,
)
from ansible_collections.oceanbase.ops.plugins.module_utils._obshell_restore import OverviewQuery

# Made once with `openssl genrsa -traditional 512` (cryptography refuses to generate keys this small,
# but loads and uses them): the key size of agents before 4.4.2.0.
LEGACY_512_PEM = b"""-----BEGIN RSA PRIVATE KEY-----
MIIBOgIBAAJBAKXMnV5Erb0EKbETVLDEmiAjOUh7vRzZUl9T38lpc4olKd71scvH
tyzGnHuelJko0vAoLOUhCvNVAKG4mnHV0CsCAwEAAQJBAJAZxqyoBFjDxXih1HnO
ZiaIdsEIytTIDU/NFjN383Occm4Q2drhJUlU8xFpwMdw66UytON24U2C7QTwwUm7
TAECIQDbliNEGmIn71OS44g5fozmBJZ3882K+/Kf+k7c3OU7ZQIhAMFLG72/g3kw
PmpbRAJKIk/E45Es9WuGLcORIYPKdMxPAiBF4gU9MkxUu0TUtZbv/UdoGMOuTyf1
+HLh2O5qOd62RQIgcbIRRkJhPiaPgBXg4gvjNNKWHO26Ch4pyxASC6hJnWcCIA50
LqEhZMebkSmMJfa306o3J9dXEHsdnXXLn9QH3312
-----END RSA PRIVATE KEY-----
"""

URI = "/api/v1/tenant/restored_tenant/restore/overview"


@pytest.fixture(scope="module")
def key_1024():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.fixture(scope="module")
def key_512():
    key = serialization.load_pem_private_key(LEGACY_512_PEM, password=None)
    assert key.key_size == 512
    return key


@pytest.fixture(params=["key_1024", "key_512"])
def private_key(request):
    return request.getfixturevalue(request.param)


def pkcs1_b64(private_key):
    """What /api/v1/secret carries: standard base64 of the PKCS#1 RSAPublicKey DER."""
    der = private_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return base64.b64encode(der).decode("ascii")


def decrypt_blocks(private_key, value):
    """The agent's side: base64, k-byte blocks, PKCS#1 v1.5 each, joined."""
    raw = base64.b64decode(value, validate=True)
    size = private_key.key_size // 8
    assert raw and len(raw) % size == 0
    blocks = [raw[offset:offset + size] for offset in range(0, len(raw), size)]
    return b"".join(private_key.decrypt(block, padding.PKCS1v15()) for block in blocks), len(blocks)


def decrypt_header(private_key, value):
    plain, _count = decrypt_blocks(private_key, value)
    return json.loads(plain.decode("utf-8"))


# --- auth_header_value ----------------------------------------------------------------------------

def test_header_decrypts_to_the_four_fields(private_key):
    value = auth_header_value(private_key.public_key(), "root-password", URI, 1767225660)
    header = decrypt_header(private_key, value)
    assert set(header) == {"auth", "ts", "uri", "keys"}
    assert header["auth"] == "root-password"
    assert header["ts"] == "1767225660"
    assert isinstance(header["ts"], str)  # a JSON number makes the agent fail to decode
    assert header["uri"] == URI
    assert len(header["keys"]) == 44
    assert len(base64.b64decode(header["keys"], validate=True)) == 32


def test_ts_is_whole_seconds(key_1024):
    header = decrypt_header(key_1024, auth_header_value(key_1024.public_key(), "pw", URI, 1767225660.987))
    assert header["ts"] == "1767225660"


def test_keys_are_aes_key_then_iv(key_1024):
    chunks = iter([b"K" * 16, b"I" * 16])
    value = auth_header_value(key_1024.public_key(), "pw", URI, 1, random_bytes=lambda n: next(chunks))
    assert base64.b64decode(decrypt_header(key_1024, value)["keys"]) == b"K" * 16 + b"I" * 16


def test_keys_are_fresh_for_every_request(key_1024):
    first = decrypt_header(key_1024, auth_header_value(key_1024.public_key(), "pw", URI, 1))
    second = decrypt_header(key_1024, auth_header_value(key_1024.public_key(), "pw", URI, 1))
    assert first["keys"] != second["keys"]


@pytest.mark.parametrize("password", ["p" * 300, "密码-" * 40 + "é\"\\/"])
def test_header_longer_than_one_chunk(private_key, password):
    value = auth_header_value(private_key.public_key(), password, URI + "?x=%20y", 1767225660)
    plain, blocks = decrypt_blocks(private_key, value)
    chunk = private_key.key_size // 8 - 11
    assert len(plain) > chunk
    assert blocks == -(-len(plain) // chunk)
    header = json.loads(plain)
    assert header["auth"] == password
    assert header["uri"] == URI + "?x=%20y"


def test_empty_secret(key_512):
    assert decrypt_header(key_512, auth_header_value(key_512.public_key(), "", URI, 5))["auth"] == ""


@pytest.mark.parametrize("extra, blocks", [(-1, 1), (0, 1), (1, 2)])
def test_chunk_boundaries(private_key, extra, blocks):
    chunk = private_key.key_size // 8 - 11
    data = bytes(range(256))[:1] * (chunk + extra)
    value = rsa_encrypt_chunked(private_key.public_key(), data)
    plain, count = decrypt_blocks(private_key, value)
    assert plain == data
    assert count == blocks
    assert len(base64.b64decode(value)) == blocks * (private_key.key_size // 8)


# --- load_public_key ------------------------------------------------------------------------------

def test_load_public_key_pkcs1_der(private_key):
    loaded = load_public_key(pkcs1_b64(private_key))
    assert loaded.public_numbers() == private_key.public_key().public_numbers()
    assert loaded.key_size == private_key.key_size


def test_loaded_key_round_trips(private_key):
    loaded = load_public_key(pkcs1_b64(private_key))
    assert decrypt_header(private_key, auth_header_value(loaded, "pw", URI, 9))["auth"] == "pw"


@pytest.mark.parametrize("text", ["", "not base64!", "AAAA", "c2hvcnQ="])
def test_load_public_key_rejects_garbage(text):
    with pytest.raises(ValueError):
        load_public_key(text)


# --- ObshellClient.credentials ----------------------------------------------------------------------

@pytest.mark.parametrize("info, password, agent_password, expected", [
    # default: the root@sys password in X-OCS-Header
    ({"identity": "CLUSTER AGENT", "security": False}, "root", None, (HEADER, "root")),
    ({"identity": "CLUSTER AGENT", "security": False}, "root", "agent", (HEADER, "root")),
    # the agent has its own password and the caller gave it
    ({"identity": "CLUSTER AGENT", "security": True}, "root", "agent", (AGENT_HEADER, "agent")),
    ({"identity": "CLUSTER AGENT", "security": True}, None, "agent", (AGENT_HEADER, "agent")),
    # security on, but no agent password given: the root password is all there is
    ({"identity": "CLUSTER AGENT", "security": True}, "root", None, (HEADER, "root")),
    # only an agent password given
    ({"identity": "CLUSTER AGENT", "security": False}, None, "agent", (AGENT_HEADER, "agent")),
    # SINGLE (no cluster yet) without an agent password takes an empty password
    ({"identity": "SINGLE", "security": False}, "root", None, (HEADER, "")),
    ({"identity": "SINGLE", "security": False}, "root", "agent", (HEADER, "")),
    # SINGLE with an agent password needs X-OCS-Agent-Header
    ({"identity": "SINGLE", "security": True}, "root", "agent", (AGENT_HEADER, "agent")),
    # nothing known about the agent yet
    (None, "root", None, (HEADER, "root")),
    (None, None, None, (HEADER, "")),
])
def test_credentials(info, password, agent_password, expected):
    client = ObshellClient(http=None, password=password, agent_password=agent_password)
    client.info = info
    assert client.credentials() == expected


# --- OverviewQuery -------------------------------------------------------------------------------

def params(**overrides):
    result = dict(url="http://10.10.10.1:2886", password="root-password", agent_password=None, validate_certs=True,
                  ca_path=None, client_cert=None, client_key=None, timeout=30.0, tenant_name="restored_tenant",
                  started_after=None, wait=False, wait_timeout=3600, wait_sleep=10)
    result.update(overrides)
    return result


def query_failure(**overrides):
    with pytest.raises(ModuleFailure) as info:
        OverviewQuery(params(**overrides))
    return info.value.msg


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_tenant_name(name):
    assert "tenant_name" in query_failure(tenant_name=name)


@pytest.mark.parametrize("name", ["sys", "SYS", " sys "])
def test_sys_tenant(name):
    message = query_failure(tenant_name=name)
    assert "tenant_name" in message and "sys" in message


def test_no_password():
    message = query_failure(password=None, agent_password=None)
    assert "password" in message and "agent_password" in message
    assert "password" in query_failure(password="", agent_password="")


@pytest.mark.parametrize("overrides", [dict(password=None, agent_password="agent"), dict(password="root")])
def test_either_password_is_enough(overrides):
    OverviewQuery(params(**overrides))


def test_client_key_without_client_cert(tmp_path):
    message = query_failure(client_key="/etc/ssl/client.key")
    assert "client_key" in message and "client_cert" in message
    for name in ("k.pem", "c.pem", "both.pem"):
        (tmp_path / name).write_text("pem")
    OverviewQuery(params(client_key=str(tmp_path / "k.pem"), client_cert=str(tmp_path / "c.pem")))
    OverviewQuery(params(client_cert=str(tmp_path / "both.pem")))


@pytest.mark.parametrize("name", ["ca_path", "client_cert", "client_key"])
def test_missing_tls_file_is_named(tmp_path, name):
    given = dict(client_cert=str(tmp_path / "present.pem")) if name == "client_key" else {}
    (tmp_path / "present.pem").write_text("pem")
    given[name] = str(tmp_path / "absent.pem")
    message = query_failure(**given)
    assert message.startswith(name + ":") and "does not exist" in message


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z"])
def test_bad_started_after(value):
    message = query_failure(started_after=value)
    assert message.startswith("started_after")
    assert value in message


@pytest.mark.parametrize("overrides, option", [
    (dict(url="10.10.10.1:2886"), "url"),
    (dict(wait_timeout=-1), "wait_timeout"),
    (dict(wait_sleep=0), "wait_sleep"),
    (dict(timeout=-3.0), "timeout"),
])
def test_other_options(overrides, option):
    assert option in query_failure(**overrides)


def test_query_path_and_started_after():
    query = OverviewQuery(params(tenant_name="my tenant/x", started_after="2024-10-14T15:25:18+08:00"))
    assert query.path == "/api/v1/tenant/my%20tenant%2Fx/restore/overview"
    assert query.started_after == datetime(2024, 10, 14, 7, 25, 18, tzinfo=timezone.utc)
    assert OverviewQuery(params()).started_after is None


# --- the client against a scripted agent -------------------------------------------------------------

def scripted_agent(server, private_key, agent_ahead=0.0, overview=None):
    """/info, /secret and the overview; the overview answers with the header it received."""

    def respond(seen):
        now = time.time() + agent_ahead
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".123456789Z"
        if seen.path == "/api/v1/info":
            info = {"identity": "CLUSTER AGENT", "version": "4.4.2.0", "security": False, "supportedAuth": ["v2"]}
            return server.Reply(200, dict(server.envelope(info), timestamp=stamp))
        if seen.path == "/api/v1/secret":
            return server.Reply(200, server.envelope({"ip": "127.0.0.1", "port": 2886,
                                                      "public_key": pkcs1_b64(private_key)}))
        return server.Reply(200, server.envelope(overview or {"status": "SUCCESS"}))

    server.respond = respond


def obshell_client(url, **kwargs):
    return ObshellClient(HttpClient(url, "obshell", retry_policy=RetryPolicy(retries=0)), **kwargs)


def test_get_sends_the_header_for_the_exact_target(server, key_1024):
    scripted_agent(server, key_1024)
    client = obshell_client(server.url, password="root-password")
    before = time.time()
    envelope = client.get("/api/v1/tenant/my%20tenant/restore/overview")
    assert envelope["data"] == {"status": "SUCCESS"}
    info, secret, overview = server.requests
    assert (info.path, secret.path) == ("/api/v1/info", "/api/v1/secret")
    for plain in (info, secret):  # never send credentials to the unauthenticated endpoints
        assert HEADER not in plain.headers and AGENT_HEADER not in plain.headers
    assert AGENT_HEADER not in overview.headers
    header = decrypt_header(key_1024, overview.headers[HEADER])
    assert header["uri"] == overview.target == "/api/v1/tenant/my%20tenant/restore/overview"
    assert header["auth"] == "root-password"
    assert before + 59 <= int(header["ts"]) <= time.time() + 61


def test_get_reads_info_and_key_once(server, key_1024):
    scripted_agent(server, key_1024)
    client = obshell_client(server.url, password="pw")
    client.get(URI)
    client.get(URI + "?a=1")
    assert [seen.path for seen in server.requests] == ["/api/v1/info", "/api/v1/secret", URI, URI]
    assert decrypt_header(key_1024, server.requests[-1].headers[HEADER])["uri"] == URI + "?a=1"
    assert client.key_fetches == 1


def test_header_expiry_follows_an_agent_clock_that_runs_ahead(server, key_512):
    scripted_agent(server, key_512, agent_ahead=600)
    client = obshell_client(server.url, password="pw")
    client.get(URI)
    assert 595 <= client.clock_offset <= 605
    header = decrypt_header(key_512, server.requests[-1].headers[HEADER])
    assert int(header["ts"]) >= time.time() + 600 + 55


def test_agent_clock_behind_is_ignored(server, key_512):
    scripted_agent(server, key_512, agent_ahead=-600)
    client = obshell_client(server.url, password="pw")
    client.get(URI)
    assert client.clock_offset == 0.0


def test_secret_that_is_not_a_key(server):
    def respond(seen):
        if seen.path == "/api/v1/info":
            return server.Reply(200, server.envelope({"identity": "CLUSTER AGENT", "security": False}))
        return server.Reply(200, server.envelope({"public_key": "bm90IGEga2V5"}))

    server.respond = respond
    with pytest.raises(ApiError) as info:
        obshell_client(server.url, password="pw").get(URI)
    assert info.value.kind == "protocol"
    assert "/api/v1/secret" in info.value.message


# --- the client against the obshell simulator -----------------------------------------------------------

def simulator(key_bits=1024, **agent):
    agent = dict(agent, key_bits=key_bits)
    tenants = [
        {"name": "done_tenant", "restore": [{"at": 0, "status": "SUCCESS", "comment": ""}]},
        {"name": "failed_tenant", "restore": [{"at": 0, "status": "FAIL", "comment": "restore failed: disk full"}]},
        {"name": "running_tenant", "restore": [{"at": 0, "status": "WAIT_TENANT_RESTORE_FINISH",
                                                "restore_progress": "42.50"}]},
        {"name": "never_restored"},
        {"name": "later_tenant", "visible_at": 3600},
        {"name": "my tenant", "restore": [{"at": 0, "status": "SUCCESS"}]},
    ]
    return ObshellSimulator({"agent": agent, "tenants": tenants})


def overview(url, tenant, **overrides):
    query = OverviewQuery(params(url=url, tenant_name=tenant, **overrides))
    client = obshell_client(url, password=overrides.get("password", "root-password"),
                            agent_password=overrides.get("agent_password"))
    return client, _obshell_restore.fetch(client, query)


@pytest.mark.parametrize("key_bits", [1024, 512])
def test_simulator_accepts_the_header(key_bits):
    with simulator(key_bits) as sim:
        client, result = overview(sim.url, "done_tenant")
        assert result.record["status"] == "SUCCESS"
        assert result.record["phase"] == "COMPLETED"
        assert result.done
        assert client._public_key.key_size == key_bits


def test_simulator_tenant_name_with_a_space():
    with simulator() as sim:
        _client, result = overview(sim.url, "my tenant")
        assert result.record["restore_tenant_name"] == "my tenant"
        assert sim.log[-1]["target"] == "/api/v1/tenant/my%20tenant/restore/overview"


def test_simulator_phases_and_reasons():
    with simulator(512) as sim:
        assert overview(sim.url, "failed_tenant")[1].record["phase"] == "FAILED"
        running = overview(sim.url, "running_tenant")[1]
        assert running.record["phase"] == "RUNNING" and not running.done
        never = overview(sim.url, "never_restored")[1]
        assert never.record is None and never.reason == "never_restored"
        invisible = overview(sim.url, "later_tenant")[1]
        assert invisible.record is None and invisible.reason == "tenant_not_visible"
        earlier = overview(sim.url, "done_tenant", started_after="2999-01-01T00:00:00Z")[1]
        assert earlier.record is None and earlier.reason == "started_before"
        assert overview(sim.url, "done_tenant", started_after="2000-01-01T00:00:00Z")[1].record is not None


def test_simulator_key_rotation_refetches_once():
    with simulator(512) as sim:
        client, _result = overview(sim.url, "done_tenant")
        sim.rotate_key(1024)
        envelope = client.get("/api/v1/tenant/done_tenant/restore/overview")
        assert envelope["data"]["status"] == "SUCCESS"
        assert client.key_fetches == 2
        assert client._public_key.key_size == 1024


def test_simulator_wrong_password():
    with simulator() as sim:
        with pytest.raises(ApiError) as info:
            overview(sim.url, "done_tenant", password="S3cr3t-Wr0ng-Value")
        error = info.value
        assert error.status == 401
        assert error.code == "Security.Authentication.IncorrectOceanbasePassword"
        assert "wrong password" in error.message
        assert "S3cr3t-Wr0ng-Value" not in error.message
        assert "S3cr3t-Wr0ng-Value" not in repr(error.to_dict())


def test_simulator_agent_password():
    with simulator(agent_password="agent-secret") as sim:
        client, result = overview(sim.url, "done_tenant", agent_password="agent-secret")
        assert result.record["phase"] == "COMPLETED"
        assert client.credentials() == (AGENT_HEADER, "agent-secret")
        with pytest.raises(ApiError) as info:
            overview(sim.url, "done_tenant", password=None, agent_password="not-it")
        assert info.value.code == "Security.Authentication.IncorrectAgentPassword"


def test_simulator_legacy_error_codes():
    with simulator(512, version="4.2.4.0") as sim:
        never = overview(sim.url, "never_restored")[1]
        assert never.reason == "never_restored"
        invisible = overview(sim.url, "later_tenant")[1]
        assert invisible.reason == "tenant_not_visible"


def test_restore_overview_info_reports_failure_text():
    with simulator() as sim:
        result = _obshell_restore.restore_overview_info(params(url=sim.url, tenant_name="failed_tenant"),
                                                        client=obshell_client(sim.url, password="root-password"))
        assert result["restore_overview"]["phase"] == "FAILED"
        assert result["restore_overview"]["comment"] == "restore failed: disk full"


def test_restore_overview_info_tenant_not_found_outside_a_wait():
    with simulator() as sim:
        with pytest.raises(ModuleFailure) as info:
            _obshell_restore.restore_overview_info(params(url=sim.url, tenant_name="later_tenant"),
                                                   client=obshell_client(sim.url, password="root-password"))
        assert "later_tenant" in info.value.msg and "not found" in info.value.msg


def test_restore_overview_info_never_restored_is_null():
    with simulator() as sim:
        result = _obshell_restore.restore_overview_info(params(url=sim.url, tenant_name="never_restored"),
                                                        client=obshell_client(sim.url, password="root-password"))
        assert result["restore_overview"] is None


def test_new_client_passes_the_tls_options():
    client = _obshell.new_client(params(url="https://h:2886", validate_certs=True, ca_path="/ca.pem",
                                        client_cert="/c.pem", client_key="/k.pem", password="p"))
    assert client.http.session.verify == "/ca.pem"
    assert client.http.session.cert == ("/c.pem", "/k.pem")

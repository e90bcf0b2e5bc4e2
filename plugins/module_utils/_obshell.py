# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""obshell client: ``/api/v1/info``, ``/api/v1/secret`` and auth v2 (RSA PKCS#1 v1.5 + AES-128-CBC).

Each protected request carries a header JSON ``{auth, ts, uri, keys}`` encrypted with the agent's RSA
public key in chunks of at most k-11 bytes (k = modulus bytes, 64 or 128), base64 encoded, sent as
``X-OCS-Header`` (root@sys password) or ``X-OCS-Agent-Header`` (agent password). ``keys`` is a fresh
AES-128 key and IV per request; ``uri`` is the exact request target the agent will see.
"""

from __future__ import annotations

import base64
import json
import os
import time

from ansible_collections.oceanbase.ops.plugins.module_utils import _time
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError, HttpClient

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:  # pragma: no cover - the module reports missing_required_lib
    serialization = padding = None

HEADER = "X-OCS-Header"
AGENT_HEADER = "X-OCS-Agent-Header"
HEADER_LIFETIME = 60  # seconds the encrypted header stays valid (the agent rejects it afterwards)
DECRYPT_FAILED = "Security.Authentication.Header.DecryptFailed"
# Before 4.3.1.0 the agent answered a known, deterministic error with HTTP 500 and code 1010 (for
# instance "agent identity is MASTER."): asking again cannot help.
LEGACY_KNOWN_ERROR = 1010

# What each known obshell error means for the user (errCode from 4.3.1.0, legacy int codes before).
FRIENDLY_ERRORS = {
    "Request.Header.NotFound": "the agent received no authentication header",
    DECRYPT_FAILED: "the agent could not decrypt the authentication header, even with a freshly read public key",
    "Security.Authentication.Header.UriMismatch":
        "the path the agent received differs from the one that was signed: is a proxy rewriting URLs? "
        "Point url at the agent itself",
    "Security.Authentication.Expired":
        "the authentication header had expired when it arrived: the agent's clock is ahead of the controller's; "
        "synchronise the clocks (NTP)",
    "Security.Authentication.Timestamp.Invalid": "the agent rejected the header's timestamp",
    "Security.Authentication.IncorrectOceanbasePassword": "wrong password: give the cluster's root@sys password",
    "Security.Authentication.IncorrectAgentPassword": "wrong agent_password",
    "Security.Authentication.WithAgentPassword": "this agent has its own password: set agent_password",
    "Security.Authentication.WithOceanBasePassword":
        "this agent has no agent password: use password (the cluster's root@sys password) instead of agent_password",
    "Agent.Identify.NotSupportOperation":
        "this agent is not a cluster agent: point url at an obshell agent of a running cluster",
    "OB.Tenant.SysOperationNotAllowed": "the sys tenant has no restore overview: give a user tenant",
    "OB.Tenant.NotExist": "no such tenant (yet) in the cluster",
    "Common.NotFound": "no restore was found for the tenant",
    "MySQL.Error": "the agent could not query OceanBase",
    10008: "authentication failed: check password / agent_password and the clocks",
    LEGACY_KNOWN_ERROR: "the agent refused the request; if it names an identity, point url at an obshell agent of a "
                        "running cluster (a cluster agent)",
}


def load_public_key(text):
    """The agent's key: standard base64 of a PKCS#1 RSAPublicKey in DER (not PEM, not SPKI)."""
    return serialization.load_der_public_key(base64.b64decode(text, validate=True))


def rsa_encrypt_chunked(public_key, data):
    """RSA PKCS#1 v1.5 over chunks of at most k-11 bytes, blocks concatenated, base64 encoded."""
    size = public_key.key_size // 8
    chunk = size - 11
    blocks = [public_key.encrypt(data[offset:offset + chunk], padding.PKCS1v15()) for offset in range(0, len(data), chunk)]
    return base64.b64encode(b"".join(blocks)).decode("ascii")


def auth_header_value(public_key, secret, uri, expires_at, random_bytes=os.urandom):
    """The encrypted auth-v2 header for one request (``expires_at`` in Unix seconds)."""
    keys = random_bytes(16) + random_bytes(16)  # AES-128 key, CBC IV: fresh for every request
    plain = json.dumps({
        "auth": secret,
        "ts": str(int(expires_at)),  # a JSON string: the agent rejects a number
        "uri": uri,
        "keys": base64.b64encode(keys).decode("ascii"),
    }, separators=(",", ":")).encode("utf-8")
    return rsa_encrypt_chunked(public_key, plain)


def error_key(error):
    """The identifier of an obshell error: ``errCode`` when present, else the legacy int code."""
    envelope_error = (error.envelope or {}).get("error") or {}
    return envelope_error.get("errCode") or envelope_error.get("code")


class ObshellClient:
    """Authenticated reads from one obshell agent."""

    api_name = "obshell"

    def __init__(self, http, password=None, agent_password=None, wall_clock=time.time):
        self.http = http
        self._password = password
        self._agent_password = agent_password
        self.wall_clock = wall_clock
        self.info = None
        self._public_key = None
        self.clock_offset = 0.0  # seconds the agent's clock runs ahead of ours (never negative)
        self.key_fetches = 0

    # --- unauthenticated endpoints ---------------------------------------------------------
    def _get_plain(self, path, deadline=None):
        _status, _headers, envelope = self.http.call(lambda: self.http.prepare("GET", path), deadline=deadline)
        data = envelope.get("data")
        if not isinstance(data, dict):
            raise ApiError("obshell answered GET %s without a data object" % path, kind="protocol", status=200,
                           method="GET", path=path, envelope=envelope)
        return envelope, data

    def load_info(self, deadline=None):
        envelope, self.info = self._get_plain("/api/v1/info", deadline)
        server_time = _time.parse_api_time(envelope.get("timestamp"))
        if server_time is not None:
            # An agent clock ahead of ours would expire our headers on arrival: sign with its time.
            self.clock_offset = max(0.0, server_time.timestamp() - self.wall_clock())
        return self.info

    def public_key(self, deadline=None, refresh=False):
        if self._public_key is None or refresh:
            _envelope, data = self._get_plain("/api/v1/secret", deadline)
            self.key_fetches += 1
            try:
                self._public_key = load_public_key(data.get("public_key") or "")
            except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
                raise ApiError("obshell answered GET /api/v1/secret with a public key that cannot be read: %s" % exc,
                               kind="protocol", status=200, method="GET", path="/api/v1/secret")
        return self._public_key

    # --- authentication ---------------------------------------------------------------------
    def credentials(self):
        """(header name, secret) for this agent, from its /info."""
        info = self.info or {}
        if info.get("identity") == "SINGLE" and not info.get("security"):
            return HEADER, ""  # an agent without a cluster yet takes no password
        if info.get("security") and self._agent_password:
            return AGENT_HEADER, self._agent_password
        if self._password:
            return HEADER, self._password
        if self._agent_password:
            return AGENT_HEADER, self._agent_password
        return HEADER, ""

    def get(self, path, deadline=None):
        """An authenticated GET; returns the envelope of a 2xx answer, raises ApiError otherwise."""
        if self.info is None:
            self.load_info(deadline)
        header, secret = self.credentials()
        self.public_key(deadline)
        refreshed = []

        def build():
            prepared = self.http.prepare("GET", path, headers={"Accept": "application/json"})
            expires = self.wall_clock() + self.clock_offset + HEADER_LIFETIME
            prepared.headers[header] = auth_header_value(self._public_key, secret, prepared.path_url, expires)
            return prepared

        def on_error(error, _attempt):
            if error_key(error) == LEGACY_KNOWN_ERROR:
                error.permanent = True
                return False
            # The agent's key may have been rotated (for instance 512 -> 1024 bits on upgrade): read it
            # again once, then retry with the new one.
            if error.status == 401 and error_key(error) in (DECRYPT_FAILED, 1) and not refreshed:
                refreshed.append(True)
                self.public_key(deadline, refresh=True)
                return True
            return False

        try:
            _status, _headers, envelope = self.http.call(build, deadline=deadline, on_error=on_error)
        except ApiError as error:
            raise explain(error)
        return envelope


def explain(error):
    """Add what a known obshell error means to its message."""
    hint = FRIENDLY_ERRORS.get(error_key(error)) if error.envelope else None
    if hint:
        error.message = "%s (%s)" % (error.message, hint)
        error.args = (error.message,)
    return error


def new_client(params):
    """An ObshellClient from validated module parameters (see _module.OBSHELL_CONNECTION_SPEC)."""
    http = HttpClient(params["url"], "obshell", validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                      client_cert=params.get("client_cert"), client_key=params.get("client_key"),
                      timeout=params["timeout"])
    return ObshellClient(http, password=params.get("password"), agent_password=params.get("agent_password"))

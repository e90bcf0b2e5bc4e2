"""A simulated obshell agent: ``GET /api/v1/info``, ``GET /api/v1/secret`` and
``GET /api/v1/tenant/{name}/restore/overview`` with the agent's auth-v2 header check.

The behaviour follows the obshell server (``ob/agent/api/common/middleware.go``,
``ob/agent/secure/``, ``ob/agent/api/restore_route.go``): the header-decrypt middleware runs on
every route, ``Verify()`` guards the tenant routes, and the handler checks identity, tenant and
restore job in that order. The scenario format is described in ``tests/simulator/README.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import platform
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .common import Response, SimulatorBase

LEGACY_KEY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys", "legacy-512.pem")

CLUSTER_AGENT = "CLUSTER AGENT"
SINGLE = "SINGLE"
AGENT_HEADER = "X-OCS-Agent-Header"
OB_HEADER = "X-OCS-Header"
TRACE_HEADER = "X-OBSHELL-Trace-ID"

OVERVIEW_ROUTE = re.compile(r"/api/v1/tenant/([^/]*)/restore/overview")

# Which restore view a job row comes from: CDB_OB_RESTORE_PROGRESS (running) or CDB_OB_RESTORE_HISTORY.
PROGRESS, HISTORY, BOTH = "progress", "history", "both"
HISTORY_STATUSES = ("SUCCESS", "FAIL")

# The overview object, key by key in wire order: (key, zero value, view that fills it). The other
# view's keys are still sent, with their zero value.
OVERVIEW_FIELDS = (
    ("tenant_id", 0, BOTH),
    ("job_id", 0, BOTH),
    ("restore_tenant_name", "", BOTH),
    ("restore_tenant_id", 0, BOTH),
    ("backup_tenant_name", "", BOTH),
    ("backup_tenant_id", 0, BOTH),
    ("backup_cluster_name", "", BOTH),
    ("restore_option", "", BOTH),
    ("restore_scn", 0, BOTH),
    ("restore_scn_display", "", BOTH),
    ("status", "", BOTH),
    ("start_timestamp", "", BOTH),
    ("backup_set_list", "", BOTH),
    ("backup_piece_list", "", BOTH),
    ("backup_data_uri", "", BOTH),
    ("backup_log_uri", "", BOTH),
    ("tablet_count", 0, BOTH),
    ("finish_tablet_count", 0, BOTH),
    ("total_bytes", 0, BOTH),
    ("finish_bytes", 0, BOTH),
    ("total_bytes_display", "", BOTH),
    ("finish_bytes_display", "", BOTH),
    ("description", "", BOTH),
    ("recover_scn", 0, PROGRESS),
    ("recover_scn_display", "", PROGRESS),
    ("recover_progress", "", PROGRESS),
    ("restore_progress", "", PROGRESS),
    ("backup_cluster_version", 0, HISTORY),
    ("ls_count", 0, HISTORY),
    ("finish_ls_count", 0, HISTORY),
    ("comment", "", HISTORY),
    ("finish_timestamp", "", HISTORY),
)
_FIELD_TYPES = {key: type(zero) for key, zero, _when in OVERVIEW_FIELDS}

# Error answers: kind -> ((HTTP status, errCode, legacy code, message) as obshell >= 4.3.1.0 sends
# them, (HTTP status, code, message) as older agents send them). A legacy code of 0 is left out of
# the envelope. Messages are str.format templates filled with the AgentError's arguments.
ERRORS = {
    "header_not_found": (
        (400, "Request.Header.NotFound", 0, "X-OCS-Agent-Header or X-OCS-Header not found in http request header"),
        (401, 10008, "Verification failed: header not found")),
    "decrypt_failed": (
        (401, "Security.Authentication.Header.DecryptFailed", 1, "Decrypt http header failed: {0}"),
        (401, 1, "Decrypt http header failed: {0}")),
    "uri_mismatch": (
        (401, "Security.Authentication.Header.UriMismatch", 10008, "URI mismatch"),
        (401, 10008, "Verification failed: uri mismatch")),
    "expired": (
        (401, "Security.Authentication.Expired", 10008, "Unauthorized: Authentication expired"),
        (401, 10008, "Verification failed: auth expired")),
    "timestamp_invalid": (
        (401, "Security.Authentication.Timestamp.Invalid", 10008, "Unauthorized: Invalid timestamp: {0}, err: {1}"),
        (401, 10008, "Verification failed: {1}")),
    "wrong_ob_password": (
        (401, "Security.Authentication.IncorrectOceanbasePassword", 10008, "Unauthorized: OceanBase password is incorrect"),
        (401, 10008, "Verification failed: access denied")),
    "wrong_agent_password": (
        (401, "Security.Authentication.IncorrectAgentPassword", 10008, "Unauthorized: Agent password is incorrect"),
        (401, 10008, "Verification failed: agent password is incorrect")),
    "use_agent_password": (
        (401, "Security.Authentication.WithAgentPassword", 10008, "Unauthorized: Should use agent_password to verify: {0}"),
        (401, 10008, "Verification failed: {0}")),
    "use_ob_password": (
        (401, "Security.Authentication.WithOceanBasePassword", 10008, "Unauthorized: Should use oceanbase_password to verify: {0}"),
        (401, 10008, "Verification failed: {0}")),
    "not_cluster_agent": (
        (400, "Agent.Identify.NotSupportOperation", 0, "'{0}' is '{1}', instead of 'CLUSTER AGENT', does not support this operation"),
        (500, 1010, "agent identity is {1}.")),
    "tenant_name_empty": (
        (400, "OB.Tenant.Name.Empty", 0, "Tenant name is empty"),
        (400, 1000, "tenant name is empty")),
    "sys_tenant": (
        (400, "OB.Tenant.SysOperationNotAllowed", 0, "System tenant is not allowed to perform this operation"),
        (400, 1001, "tenant sys is system tenant")),
    "tenant_not_exist": (
        (400, "OB.Tenant.NotExist", 0, "Tenant '{0}' does not exist."),
        (400, 1001, "tenant {0} not found")),
    "restore_not_found": (
        (404, "Common.NotFound", 0, "Element not found: restore task"),
        (404, 2300, "Task not found: restore task not found")),
    "route_not_found": (
        (404, "Common.NotFound", 0, "Element not found: 404 not found"),
        (404, 1000, "404 not found")),
}

# Injected status faults (common.Fault) by HTTP status: (errCode, message template, legacy code).
_FAULT_ERRORS = {
    400: ("Common.BadRequest", "Bad request: {0}", 1000),
    401: ("Common.Unauthorized", "Unauthorized: {0}", 10008),
    404: ("Common.NotFound", "Element not found: {0}", 1000),
}
_FAULT_5XX = ("Common.Unexpected", "Unexpected error: {0}", 1002)

_AGENT_KEYS = {"identity", "version", "key_bits", "root_password", "agent_password", "error_style", "zone", "ob_version", "utc_offset"}
_TENANT_KEYS = {"name", "visible_at", "dropped_at", "restore", "fields"}
_ENTRY_KEYS = {"at", "source"}
_INT64 = (-(1 << 63), (1 << 63) - 1)


class AgentError(Exception):
    """An error answer of the agent; ``kind`` is a key of ``ERRORS``, ``args`` fill its message."""

    def __init__(self, kind, *args):
        super().__init__(kind, *args)
        self.kind = kind
        self.params = args


class _JsonObject(list):
    """The (name, value) pairs of a JSON object in document order, as Go's decoder applies them."""


def _version_tuple(version):
    return tuple(int(part) for part in re.findall(r"\d+", str(version)))


def _parse_offset(text):
    """'+08:00' / '-05:30' / 'Z' -> seconds east of UTC."""
    if text in ("Z", "+00:00", "-00:00"):
        return 0
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", str(text))
    if not match:
        raise ValueError("agent.utc_offset must look like +08:00, got %r" % (text,))
    seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
    return seconds if match.group(1) == "+" else -seconds


def go_time(epoch_ns, offset, digits=9):
    """Go's RFC 3339 text for a time.Time: trailing zero fraction digits dropped, 'Z' for UTC.

    ``digits`` is the precision the value carries (9 for time.Now(), 6 for a database DATETIME(6)).
    """
    seconds, fraction = divmod(epoch_ns, 10**9)
    text = datetime.fromtimestamp(seconds, timezone(timedelta(seconds=offset))).strftime("%Y-%m-%dT%H:%M:%S")
    fraction_text = ("%09d" % fraction)[:digits].rstrip("0")
    if fraction_text:
        text += "." + fraction_text
    if offset == 0:
        return text + "Z"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return "%s%s%02d:%02d" % (text, "+" if offset > 0 else "-", hours, minutes)


def bytes_display(count):
    """OceanBase's byte display: two decimals and a unit, never below MB (0 -> '0.00MB')."""
    for unit, size in (("TB", 1 << 40), ("GB", 1 << 30)):
        if count >= size:
            return "%.2f%s" % (count / size, unit)
    return "%.2fMB" % (count / (1 << 20))


def go_json(obj):
    """JSON as Go's encoding/json writes it: compact, UTF-8, with <, >, & and U+2028/9 escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text.encode("utf-8")


def _std_b64decode(text):
    """Go's base64.StdEncoding.DecodeString: padded standard alphabet, anything else is an error."""
    bad = re.search(r"[^A-Za-z0-9+/=]", text)
    if bad is None:
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error:  # misplaced or missing padding
            pass
    raise ValueError("illegal base64 data at input byte %d" % (bad.start() if bad else len(text)))


def _go_json_type(value):
    """The JSON type name Go's decoder reports for a mismatching value."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "object" if isinstance(value, _JsonObject) else "array"


def _reject_constant(name):
    raise ValueError("invalid character %r looking for beginning of value" % name[0])


class _RsaKey:
    """The agent's RSA key pair, with Go's PKCS#1 v1.5 decryption.

    Decryption is done on the raw numbers rather than through ``cryptography`` because OpenSSL may
    apply "implicit rejection" (a pseudo-random plaintext instead of an error for bad padding);
    Go's ``rsa.DecryptPKCS1v15`` fails with ``crypto/rsa: decryption error``, and so does this.
    """

    def __init__(self, private_key):
        numbers = private_key.private_numbers()
        self.n = numbers.public_numbers.n
        self.d = numbers.d
        self.size = (self.n.bit_length() + 7) // 8  # k: bytes per ciphertext block
        der = private_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        self.public_b64 = base64.b64encode(der).decode("ascii")  # PKCS#1 RSAPublicKey, not SubjectPublicKeyInfo

    @classmethod
    def load(cls, bits):
        if bits == 512:
            # cryptography refuses to generate keys under 1024 bits but loads the fixture.
            with open(LEGACY_KEY_FILE, "rb") as handle:
                return cls(serialization.load_pem_private_key(handle.read(), password=None))
        if bits < 1024:
            raise ValueError("key_bits must be 512 (the fixture key) or at least 1024, got %r" % (bits,))
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    def decrypt(self, ciphertext):
        """Decrypt k-byte blocks one by one and join the plaintexts (obshell's RSADecrypt)."""
        plain = []
        for start in range(0, len(ciphertext), self.size):
            block = ciphertext[start:start + self.size]
            value = int.from_bytes(block, "big")
            if len(block) != self.size or value >= self.n:
                raise ValueError("crypto/rsa: decryption error")
            message = pow(value, self.d, self.n).to_bytes(self.size, "big")
            separator = message.find(b"\x00", 2)
            # 0x00 0x02, at least 8 non-zero padding bytes, 0x00, message
            if message[:2] != b"\x00\x02" or separator < 10:
                raise ValueError("crypto/rsa: decryption error")
            plain.append(message[separator + 1:])
        return b"".join(plain)


def _check_fields(owner, fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError("%s: unknown keys %s" % (owner, sorted(unknown)))
    for key, value in fields.items():
        expected = _FIELD_TYPES.get(key)
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("%s: %s must be an integer, got %r" % (owner, key, value))
        if expected is str and not isinstance(value, str):
            raise ValueError("%s: %s must be a string (quote it in YAML), got %r" % (owner, key, value))
    if fields.get("source", PROGRESS) not in (PROGRESS, HISTORY):
        raise ValueError("%s: source must be %r or %r" % (owner, PROGRESS, HISTORY))


class _Tenant:
    """One tenant row of DBA_OB_TENANTS and its restore job timeline."""

    def __init__(self, spec):
        unknown = set(spec) - _TENANT_KEYS
        if unknown or not spec.get("name"):
            raise ValueError("tenant %r: needs a name; unknown keys %s" % (spec.get("name"), sorted(unknown)))
        self.name = spec["name"]
        self.visible_at = float(spec.get("visible_at", 0))
        self.dropped_at = None if spec.get("dropped_at") is None else float(spec["dropped_at"])
        self.fields = dict(spec.get("fields") or {})
        _check_fields("tenant %r fields" % self.name, self.fields, set(_FIELD_TYPES) - {"status"})
        self.timeline = []
        for entry in spec.get("restore") or []:
            entry = dict(entry)
            if "at" not in entry or "status" not in entry:
                raise ValueError("tenant %r: every restore entry needs 'at' and 'status'" % self.name)
            _check_fields("tenant %r restore entry" % self.name, entry, set(_FIELD_TYPES) | _ENTRY_KEYS)
            entry["at"] = float(entry["at"])
            self.timeline.append(entry)
        self.timeline.sort(key=lambda item: item["at"])  # stable: entries sharing an 'at' keep file order
        self.pinned = None  # set_overview(): an entry that replaces the timeline

    def visible(self, now):
        return self.visible_at <= now and (self.dropped_at is None or now < self.dropped_at)

    def active_entries(self, now):
        """The entries in force at scenario time ``now``, oldest first; the last one decides."""
        if self.pinned is not None:
            return [self.pinned]
        return [entry for entry in self.timeline if entry["at"] <= now]


class ObshellSimulator(SimulatorBase):
    """An obshell agent serving the restore overview of the scenario's tenants.

    Mutable at run time (tests may assign them): ``identity``, ``version``, ``root_password``,
    ``agent_password``, ``error_style``. See also ``set_overview``, ``rotate_key`` and
    ``clock.skew`` / ``clock.offset``.
    """

    name = "obshell-simulator"

    def __init__(self, scenario, host="127.0.0.1", port=0, tls=None, verbose=False):
        super().__init__(host=host, port=port, tls=tls, verbose=verbose)
        scenario = scenario or {}
        unknown = set(scenario) - {"agent", "tenants", "faults"}
        if unknown:
            raise ValueError("scenario: unknown keys %s" % sorted(unknown))
        agent = scenario.get("agent") or {}
        unknown = set(agent) - _AGENT_KEYS
        if unknown:
            raise ValueError("scenario agent: unknown keys %s" % sorted(unknown))
        self.identity = agent.get("identity", CLUSTER_AGENT)
        self.version = str(agent.get("version", "4.4.2.0"))
        self.root_password = agent.get("root_password", "root-password") or ""  # "" = not initialised
        self.agent_password = agent.get("agent_password") or ""  # "" = none set
        # Agents before 4.3.1.0 answer errors with an int code only.
        default_style = "legacy" if _version_tuple(self.version) < (4, 3, 1, 0) else "modern"
        self.error_style = agent.get("error_style", default_style)
        if self.error_style not in ("modern", "legacy"):
            raise ValueError("agent.error_style must be 'modern' or 'legacy'")
        self.zone = agent.get("zone", "zone1")
        self.ob_version = str(agent.get("ob_version", "4.3.5.1"))
        self.utc_offset = _parse_offset(agent["utc_offset"]) if "utc_offset" in agent else time.localtime().tm_gmtoff
        self._key = _RsaKey.load(int(agent.get("key_bits", 1024)))
        self._epoch_ns = time.time_ns()  # wall time of scenario second 0
        self.tenants = {}
        for spec in scenario.get("tenants") or []:
            tenant = _Tenant(spec)
            self.tenants[tenant.name] = tenant
        for spec in scenario.get("faults") or []:
            self.add_fault(spec)

    # --- test controls ---------------------------------------------------------------------
    @property
    def key_bits(self):
        return self._key.size * 8

    def rotate_key(self, bits=1024):
        """Replace the RSA key (as an upgrade to 4.4.2.0 does): headers made for the old key now
        fail with 401 DecryptFailed until the client fetches /api/v1/secret again."""
        if bits == 512 and self.key_bits == 512:
            raise ValueError("the 512-bit fixture key is already in use; rotating to it changes nothing")
        key = _RsaKey.load(bits)
        with self.lock:
            self._key = key

    def set_overview(self, tenant, status, **fields):
        """Pin the tenant's restore job from now on: ``status`` plus overview ``fields`` (and
        optionally ``source``) replace its timeline. ``status=None`` removes the job (404).
        An unknown tenant is added, visible."""
        entry = dict(fields, status=status)
        if status is not None:
            _check_fields("set_overview(%r)" % tenant, entry, set(_FIELD_TYPES) | {"source"})
        entry["at"] = self.clock.elapsed()
        with self.lock:
            if tenant not in self.tenants:
                self.tenants[tenant] = _Tenant({"name": tenant})
            self.tenants[tenant].pinned = entry

    # --- HTTP ------------------------------------------------------------------------------
    def app(self, request):
        started = time.monotonic()
        receive_ts = int(self.clock.wall())  # the agent records the receive time in whole seconds
        trace_id = request.header(TRACE_HEADER) or secrets.token_hex(8)
        with self.lock:
            key = self._key
        try:
            header, header_name = self._decrypt_header(request, key)
            data = self._route(request, header, header_name, receive_ts, key)
        except AgentError as err:
            return self._reply(trace_id, started, error=err)
        return self._reply(trace_id, started, data=data)

    def _route(self, request, header, header_name, receive_ts, key):
        # Routes match the decoded path (gin's default); Verify() compares the raw target.
        path = unquote(request.path)
        if request.method == "GET":
            if path == "/api/v1/info":
                return self._info()
            if path == "/api/v1/secret":
                return {"ip": self.host, "port": self.port, "public_key": key.public_b64}
            match = OVERVIEW_ROUTE.fullmatch(path)
            if match:
                self._verify(request, header, header_name, receive_ts)
                return self._restore_overview(match.group(1))
        raise AgentError("route_not_found")

    def _info(self):
        info = {
            "pid": os.getpid(),
            "state": 2,  # RUNNING
            "startAt": self._epoch_ns,
            "homePath": "/home/admin/obshell",
            "obVersion": self.ob_version,
            "architecture": platform.machine(),
            "ip": self.host,
            "port": self.port,
            "zone": self.zone,
            "identity": self.identity,
            "version": self.version,
            "isObproxyAgent": False,
            "security": bool(self.agent_password),
        }
        if _version_tuple(self.version) >= (4, 2, 5, 0):
            info["supportedAuth"] = ["v2"]
        return info

    # --- authentication --------------------------------------------------------------------
    @staticmethod
    def _decrypt_header(request, key):
        """The global header-decrypt middleware: (header fields, header name) or (None, None).

        An empty header value counts as absent (Go's Header.Get returns "" for both).
        """
        for name in (AGENT_HEADER, OB_HEADER):  # the agent header wins when both are sent
            value = request.header(name)
            if value:
                break
        else:
            return None, None
        try:
            plain = key.decrypt(_std_b64decode(value))
            # Go's decoder replaces invalid UTF-8 rather than failing.
            document = json.loads(plain.decode("utf-8", errors="replace"), object_pairs_hook=_JsonObject, parse_constant=_reject_constant)
        except ValueError as exc:
            raise AgentError("decrypt_failed", exc) from None
        header = {"auth": "", "ts": "", "uri": "", "keys": None}
        if document is None:  # JSON null decodes into a zero struct without error
            return header, name
        if not isinstance(document, _JsonObject):
            raise AgentError("decrypt_failed", "json: cannot unmarshal %s into Go value of type secure.HttpHeader" % _go_json_type(document))
        # encoding/json matches field names case-insensitively and applies pairs in order; a JSON
        # null is skipped. auth/ts/uri are Go strings and keys is []byte (standard base64).
        for field, field_value in document:
            field = field.lower()
            if field not in header or field_value is None:
                continue
            if not isinstance(field_value, str):
                raise AgentError("decrypt_failed", "json: cannot unmarshal %s into Go struct field HttpHeader.%s of type %s"
                                 % (_go_json_type(field_value), field, "[]uint8" if field == "keys" else "string"))
            if field == "keys":
                try:
                    field_value = _std_b64decode(field_value)
                except ValueError as exc:
                    raise AgentError("decrypt_failed", exc) from None
            header[field] = field_value
        return header, name

    def _verify(self, request, header, header_name, receive_ts):
        """Verify() for the tenant routes: header present, uri, identity rules, password."""
        if header is None:
            raise AgentError("header_not_found")
        if header["uri"] != request.target:  # byte for byte, percent-encoding and query included
            raise AgentError("uri_mismatch")
        with self.lock:
            identity, ob_password, agent_password = self.identity, self.root_password, self.agent_password
        if identity == SINGLE:
            if not agent_password:
                return  # a SINGLE agent without an agent password lets everything through
            if header_name != AGENT_HEADER:
                raise AgentError("use_agent_password", "agent password has been set")
            self._check_password(header, agent_password, "wrong_agent_password", receive_ts)
            return
        # MASTER, CLUSTER AGENT and the rest. A real FOLLOWER forwards the request to its master,
        # which runs these same checks, so FOLLOWER is treated the same way here.
        if header_name == OB_HEADER:
            if not ob_password and agent_password:
                raise AgentError("use_agent_password", "oceanbase password is not initialized")
            self._check_password(header, ob_password, "wrong_ob_password", receive_ts)
        elif agent_password:
            self._check_password(header, agent_password, "wrong_agent_password", receive_ts)
        elif ob_password:
            raise AgentError("use_ob_password", "agent password is not initialized")
        # no agent password and no OceanBase password either: nothing to check

    @staticmethod
    def _check_password(header, expected, wrong_kind, receive_ts):
        """VerifyAuth: ts is only looked at when auth is non-empty; it is an absolute deadline."""
        auth, ts = header["auth"], header["ts"]
        if auth != "":
            if not re.fullmatch(r"[+-]?[0-9]+", ts):
                raise AgentError("timestamp_invalid", ts, 'strconv.ParseInt: parsing "%s": invalid syntax' % ts)
            deadline = int(ts)
            if not _INT64[0] <= deadline <= _INT64[1]:
                raise AgentError("timestamp_invalid", ts, 'strconv.ParseInt: parsing "%s": value out of range' % ts)
            if receive_ts > deadline:
                raise AgentError("expired")
        # A real agent retries a mismatching OceanBase password with a live login; the cached one
        # is the only correct password here.
        if auth != expected:
            raise AgentError(wrong_kind)

    # --- the restore overview --------------------------------------------------------------
    def _restore_overview(self, name):
        with self.lock:
            identity = self.identity
            if identity != CLUSTER_AGENT:
                raise AgentError("not_cluster_agent", "%s:%d" % (self.host, self.port), identity)
            if name == "":
                raise AgentError("tenant_name_empty")
            if name == "sys":
                raise AgentError("sys_tenant")
            now = self.clock.elapsed()
            tenant = self.tenants.get(name)
            if tenant is None or not tenant.visible(now):
                raise AgentError("tenant_not_exist", name)
            entries = tenant.active_entries(now)
            if not entries or entries[-1]["status"] is None:
                raise AgentError("restore_not_found")
            return self._overview(tenant, entries)

    def _scenario_time(self, seconds):
        """Timestamp text (microseconds, agent offset) of a scenario second."""
        return go_time(self._epoch_ns + int(seconds * 10**9), self.utc_offset, digits=6)

    def _overview(self, tenant, entries):
        """The overview object: defaults < derived values < tenant fields < timeline entries."""
        explicit = dict(tenant.fields)
        for entry in entries:  # values carry over from earlier entries unless overridden
            explicit.update(entry)
        last = entries[-1]
        source = last.get("source") or (HISTORY if last["status"] in HISTORY_STATUSES else PROGRESS)
        values = {
            "tenant_id": 1,
            "job_id": 1,
            "restore_tenant_name": tenant.name,
            "restore_tenant_id": 1004,
            "backup_tenant_name": "tenant1",
            "backup_tenant_id": 1002,
            "backup_cluster_name": "obcluster",
            "restore_option": "pool_list=%s_pool&locality=FULL@zone1&primary_zone=RANDOM" % tenant.name,
            "restore_scn": 1728890608464651273,
            "backup_set_list": "file:///data/backup/obcluster/tenant1/data/backup_set_1_full",
            "backup_piece_list": "file:///data/backup/obcluster/tenant1/clog/piece_d1001r1p1",
            "tablet_count": 590,
            "total_bytes": 18622071,
            "backup_cluster_version": 17180000519,
            "ls_count": 2,
        }
        values.update(explicit)
        # SCNs are nanoseconds since the epoch, shown with the microseconds the view keeps.
        derived = {
            "restore_scn_display": go_time(values["restore_scn"], self.utc_offset, digits=6),
            "recover_scn_display": go_time(values["recover_scn"], self.utc_offset, digits=6) if values.get("recover_scn") else "",
            "total_bytes_display": bytes_display(values["total_bytes"]),
            "finish_bytes_display": bytes_display(values.get("finish_bytes", 0)),
            "start_timestamp": self._scenario_time(entries[0]["at"]),
            "finish_timestamp": self._scenario_time(last["at"]),
        }
        for key, value in derived.items():
            values.setdefault(key, value)
        return {key: values.get(key, zero) if view in (BOTH, source) else zero for key, zero, view in OVERVIEW_FIELDS}

    # --- envelope ----------------------------------------------------------------------------
    def _error_object(self, err):
        modern, legacy = ERRORS[err.kind]
        if self.error_style == "legacy":
            status, code, template = legacy
            return status, {"code": code, "message": template.format(*err.params)}
        status, err_code, code, template = modern
        error = {"code": code} if code else {}
        error.update(errCode=err_code, message=template.format(*err.params))
        return status, error

    def _reply(self, trace_id, started, data=None, error=None, status=200):
        """The response envelope (keys in the agent's order); ``error`` is an AgentError or a dict."""
        if isinstance(error, AgentError):
            status, error = self._error_object(error)
        body = {
            "successful": error is None,
            "timestamp": go_time(int(self.clock.wall() * 1e9), self.utc_offset),
            "duration": int((time.monotonic() - started) * 1000),
            "status": status,
            "traceId": trace_id,
        }
        if error is None:
            body["data"] = data
        else:
            body["error"] = error
        return Response(status, go_json(body))

    def error_response(self, status, message, headers=None):
        """The envelope of an injected status fault (5xx answer as Common.Unexpected)."""
        err_code, template, code = _FAULT_5XX if status >= 500 else _FAULT_ERRORS.get(status, _FAULT_ERRORS[400])
        if self.error_style == "legacy":
            error = {"code": code, "message": template.format(message)}
        else:
            error = {"errCode": err_code, "message": template.format(message)}
        response = self._reply(secrets.token_hex(8), time.monotonic(), error=error, status=status)
        response.headers.update(headers or {})
        return response

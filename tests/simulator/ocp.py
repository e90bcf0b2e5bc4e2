"""OCP (OceanBase Cloud Platform) simulator: the two restore-task list endpoints.

    GET /api/v2/ob/clusters/{id}/tenants/{tenantId}/backup/task/restoreTasks   (tenant scope)
    GET /api/v2/ob/clusters/{id}/backup/task/restoreTasks                      (cluster scope)

It checks HTTP Basic and AK/SK (``OCP-ACCESS-KEY-HMACSHA1``) authentication, answers in OCP's
envelopes (keys sorted, null fields omitted), pages and filters like OCP, and plays scripted
task timelines on the scenario clock, so a polling client sees a restore advance. The scenario
format is described in tests/simulator/README.md ("OCP scenarios").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote

from .common import Response, SimulatorBase

TENANT_ROUTE = re.compile(r"^/api/v2/ob/clusters/([^/]+)/tenants/([^/]+)/backup/task/restoreTasks$")
CLUSTER_ROUTE = re.compile(r"^/api/v2/ob/clusters/([^/]+)/backup/task/restoreTasks$")

MAX_PAGE_SIZE = 2000
TENANT_DEFAULT_PAGE_SIZE = 10
AKSK_PREFIX = "OCP-ACCESS-KEY-"  # any algorithm; only HMACSHA1 (upper case) is supported
AKSK_HEADER = re.compile(r"^OCP-ACCESS-KEY-HMACSHA1 ([^\s:]+):(\S+)$")
DATE_TOLERANCE = 15 * 60  # seconds a signed request's date may differ from the server clock
TENANT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
CLUSTER_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\S+$")
INTEGER = re.compile(r"^[+-]?\d+$")

SUCCESS = "RESTORE_SUCCESS"
FAIL = "RESTORE_FAIL"
# A task without a timeline that ends in a terminal status finished this long after it was created.
DEFAULT_RUN_SECONDS = 60
# Default restore point: this long before the task was created.
DEFAULT_RESTORE_POINT_AGE = 300

# statusDesc per Accept-Language. English follows the product's descriptions in sentence case
# (the vendor sample shows "Completed"/"Failed"); Chinese follows the product's labels.
STATUS_LABELS = {
    "en": {
        "RESTORE_CREATE_TENANT": "The tenant is being created",
        "RESTORE_SYS_REPLICA": "Recovering system replicas",
        "RESTORE_UPGRADE_PRE": "Pre-upgrade check",
        "RESTORE_UPGRADE_POST": "Post-upgrade check",
        "RESTORE_MODIFY_SCHEMA": "Modifying schemas",
        "RESTORE_CREATE_USER_PARTITIONS": "The user partitions are being created",
        "RESTORE_USER_REPLICA": "Recovering user replicas",
        "RESTORE_REBUILD_INDEX": "The index is being created",
        "RESTORE_POST_CHECK": "In progress",
        "RESTORE_SUCCESS": "Completed",
        "RESTORE_FAIL": "Failed",
        "RESTORE_PRE": "Set parameters",
        "RESTORE_CREATE_INIT_LS": "Create baseline log stream",
        "RESTORE_WAIT_LS": "Restoring the baseline log stream",
        "POST_CHECK": "Set standby tenant",
        "UPGRADE": "Upgrading the tenant",
        "WAIT_TENANT_RESTORE_FINISH": "Waiting for the tenant recovery to complete",
        "RESTORING": "Recovering",
    },
    "zh": {
        "RESTORE_CREATE_TENANT": "租户创建中",
        "RESTORE_SYS_REPLICA": "系统副本恢复中",
        "RESTORE_UPGRADE_PRE": "升级前检查",
        "RESTORE_UPGRADE_POST": "升级后检查",
        "RESTORE_MODIFY_SCHEMA": "schema 修改中",
        "RESTORE_CREATE_USER_PARTITIONS": "用户分区创建中",
        "RESTORE_USER_REPLICA": "用户副本恢复中",
        "RESTORE_REBUILD_INDEX": "索引创建中",
        "RESTORE_POST_CHECK": "索引检查中",
        "RESTORE_SUCCESS": "已完成",
        "RESTORE_FAIL": "失败",
        "RESTORE_PRE": "设置配置项",
        "RESTORE_CREATE_INIT_LS": "创建基线日志流",
        "RESTORE_WAIT_LS": "基线日志流恢复中",
        "POST_CHECK": "设置备租户",
        "UPGRADE": "租户升级中",
        "WAIT_TENANT_RESTORE_FINISH": "等待租户恢复结束",
        "RESTORING": "恢复中",
    },
}

# Record fields that only one scope returns; every other field appears in both.
TENANT_ONLY_FIELDS = frozenset(("triggerType", "progress", "restoreObjectType"))
CLUSTER_ONLY_FIELDS = frozenset(("ocpJobId", "backupClusterId", "backupObClusterId", "backupTenantId"))
TIME_FIELDS = ("createTime", "finishTime", "restoreEndTime")

# Error codes: (int style as in OCP <= 4.2.1, string style as in OCP >= 4.2.2).
CODE_UNSET = (0, 0)
CODE_FORBIDDEN = (3100, "IAM11000")
CODE_NO_CLUSTER = (11001, "OBE11001")
CODE_NO_TENANT = (15023, "OBE21003")

OPTION_DEFAULTS = {
    "error_code_style": "int",  # int | string
    "unknown_id_status": 400,  # 400 | 404
    "rate_limit": None,  # {limit: N, window: seconds}
    "forbidden": False,  # every authenticated request gets 403
    "page_size": "items",  # page.size reports: items (count on this page) | requested
    "utc_offset": "+08:00",  # server time zone: envelope timestamps and cluster-scope times
    "cluster_time_format": "compact",  # compact (+0800) | iso (+08:00)
    "server": "a24d13ce67",  # envelope "server"
}
TASK_KEYS = frozenset(("id", "cluster_id", "tenant_id", "appear_at", "created_ago", "createTime", "fields", "timeline"))
GENERATE_KEYS = frozenset(("count", "cluster_id", "tenant_id", "first_id", "status", "restoreTenantName_prefix", "interval", "fields"))


def is_terminal(status):
    return status in (SUCCESS, FAIL) or "CANCEL" in status


def canonical_query(pairs):
    """The canonical query of the AK/SK string to sign, from decoded (key, value) pairs.

    Values are grouped by key as received (a value is never split on commas), empty values are
    dropped (a key left with none is left out), the rest sorted and joined with ','; key and
    joined value are percent-encoded per RFC 3986, so the joining comma becomes %2C.
    """
    grouped = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    parts = []
    for key in sorted(grouped):
        values = sorted(value for value in grouped[key] if value != "")
        if values:
            parts.append("%s=%s" % (quote(key, safe=""), quote(",".join(values), safe="")))
    return "&".join(parts)


def string_to_sign(request, date):
    """Rebuild the seven-line AK/SK message from what the server received."""
    ocp_headers = {}
    for name in request.headers.keys():
        lowered = name.lower()
        if lowered.startswith("x-ocp") and lowered not in ocp_headers:
            ocp_headers[lowered] = ",".join(request.headers.get_all(name))
    query = canonical_query(request.query_pairs)
    return "\n".join((
        request.method.upper(),
        hashlib.md5(request.body).hexdigest().upper() if request.body else "",
        request.header("Content-Type", ""),
        date,
        request.header("Host", ""),
        "\n".join("%s:%s" % (name, ocp_headers[name]) for name in sorted(ocp_headers)),
        request.path + ("?" + query if query else ""),
    ))


def parse_offset(text):
    match = re.match(r"^([+-])(\d{2}):?(\d{2})$", text)
    if not match:
        raise ValueError("utc_offset must look like +08:00, not %r" % text)
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))


def parse_time(value):
    """Epoch seconds of a scenario time: an ISO 8601 string (naive means UTC), or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):  # YAML turns unquoted timestamps into datetimes
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


class ApiError(Exception):
    """A request the simulator answers with an error envelope."""

    def __init__(self, status, message, code=CODE_UNSET, debug=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.debug = debug


def type_mismatch(name, value, type_name):
    # The product's handler for Spring's MethodArgumentTypeMismatchException: no error code.
    return ApiError(
        400,
        "The parameter '%s' of value '%s' could not be converted to type '%s'" % (name, value, type_name),
        debug="Failed to convert value of type 'java.lang.String' to required type '%s'" % type_name,
    )


class _Task:
    """One restore task.

    fields:   the task's own record fields (time fields as epoch seconds)
    shared:   fields shared by every task of a ``generate`` block
    fixed:    the state of a task without a timeline: (status, overrides, finish epoch or None)
    timeline: [(at, status, overrides)] sorted by ``at``, or None
    pinned:   a state set through OcpSimulator.set_status, overriding the rest
    records:  the records listed while the state cannot change, by (scope, language, time format)
    """

    __slots__ = ("id", "cluster", "tenant", "appear_at", "created", "fields", "shared", "fixed", "timeline", "pinned",
                 "records")

    def lookup(self, overrides, key, default):
        for source in (overrides, self.fields, self.shared):
            if key in source:
                return source[key]
        return default


class OcpSimulator(SimulatorBase):
    """OCP restore-task APIs driven by a scenario dict (see tests/simulator/README.md)."""

    name = "ocp"

    def __init__(self, scenario, host="127.0.0.1", port=0, tls=None, verbose=False):
        super().__init__(host=host, port=port, tls=tls, verbose=verbose)
        scenario = scenario or {}
        unknown = set(scenario) - {"auth", "options", "clusters", "tasks", "generate", "faults"}
        if unknown:
            raise ValueError("unknown scenario keys: %s" % sorted(unknown))
        auth = scenario.get("auth") or {}
        self.users = {str(k): str(v) for k, v in (auth.get("users") or {}).items()}
        self.access_keys = {str(k): str(v) for k, v in (auth.get("access_keys") or {}).items()}
        self.options = dict(OPTION_DEFAULTS)
        options = scenario.get("options") or {}
        unknown = set(options) - set(OPTION_DEFAULTS)
        if unknown:
            raise ValueError("unknown options: %s" % sorted(unknown))
        self.options.update(options)
        self.options["unknown_id_status"] = int(self.options["unknown_id_status"])
        if self.options["rate_limit"] and set(self.options["rate_limit"]) != {"limit", "window"}:
            raise ValueError("options.rate_limit needs exactly the keys limit and window")
        self.zone = parse_offset(self.options["utc_offset"])
        # Scenario second 0 on the wall clock: record times are anchored here.
        self.anchor = self.clock.wall() - self.clock.elapsed()

        self.clusters = {}
        for cluster in scenario.get("clusters") or []:
            tenants = {int(t["id"]): {"id": int(t["id"]), "name": t["name"]} for t in cluster.get("tenants") or []}
            self.clusters[int(cluster["id"])] = {
                "id": int(cluster["id"]),
                "name": cluster["name"],
                "obClusterId": int(cluster.get("obClusterId", cluster["id"])),
                "tenants": tenants,
            }

        self.tasks = {}
        self._by_cluster = {}  # cluster id -> tasks, newest id first
        self._cache = {}  # filter key -> (computed at, valid until, tasks)
        self._rate_window = None  # (window start in scenario seconds, requests counted)
        for spec in scenario.get("tasks") or []:
            self._insert(self._build_task(spec))
        for spec in scenario.get("generate") or []:
            self._generate(spec)
        self._reindex()
        for fault in scenario.get("faults") or []:
            self.add_fault(fault)

    # --- scenario ---------------------------------------------------------------------------
    def _place(self, cluster_id, tenant_id):
        cluster = self.clusters.get(int(cluster_id))
        if cluster is None:
            raise ValueError("task refers to unknown cluster %r" % cluster_id)
        tenant = cluster["tenants"].get(int(tenant_id))
        if tenant is None:
            raise ValueError("task refers to unknown tenant %r of cluster %r" % (tenant_id, cluster_id))
        return cluster, tenant

    @staticmethod
    def _time_fields(fields):
        """A copy of record fields with their time values turned into epoch seconds."""
        fields = dict(fields or {})
        for key in TIME_FIELDS:
            if fields.get(key) is not None:
                fields[key] = parse_time(fields[key])
        return fields

    def _fixed_state(self, status, created, fields):
        finish = None
        if is_terminal(status):
            finish = fields.get("finishTime", created + DEFAULT_RUN_SECONDS)
        return (status, {}, finish)

    def _build_task(self, spec):
        unknown = set(spec) - TASK_KEYS
        if unknown:
            raise ValueError("unknown task keys: %s" % sorted(unknown))
        task = _Task()
        task.id = int(spec["id"])
        task.cluster, task.tenant = self._place(spec["cluster_id"], spec["tenant_id"])
        task.appear_at = float(spec.get("appear_at", 0))
        fields = self._time_fields(spec.get("fields"))
        created = fields.pop("createTime", None)  # the record's createTime is kept in task.created
        if spec.get("createTime") is not None:
            created = parse_time(spec["createTime"])
        if created is None:
            created = self.anchor + task.appear_at - float(spec.get("created_ago", 0))
        task.created = created
        status = fields.pop("status", None)
        task.shared = {}
        task.pinned = None
        if spec.get("timeline"):
            if status is not None:
                raise ValueError("task %d: give the status in its timeline or in fields, not both" % task.id)
            entries = []
            for entry in spec["timeline"]:
                overrides = self._time_fields(entry)
                entries.append((float(overrides.pop("at")), overrides.pop("status"), overrides))
            task.timeline = sorted(entries, key=lambda entry: entry[0])
            task.fixed = None
        else:
            task.timeline = None
            task.fixed = self._fixed_state(status or SUCCESS, task.created, fields)
        task.fields = fields
        return task

    def _generate(self, spec):
        """Bulk tasks without timelines, sharing one field dict, created ``interval`` s apart."""
        unknown = set(spec) - GENERATE_KEYS
        if unknown:
            raise ValueError("unknown generate keys: %s" % sorted(unknown))
        count = int(spec["count"])
        cluster, tenant = self._place(spec["cluster_id"], spec["tenant_id"])
        first_id = int(spec.get("first_id", max(self.tasks, default=0) + 1))
        prefix = spec.get("restoreTenantName_prefix", "bulk_")
        interval = float(spec.get("interval", 60))
        shared = self._time_fields(spec.get("fields"))
        if {"status", "createTime"} & set(shared):
            raise ValueError("generate: give status at the block's top level; createTime follows interval")
        status = spec.get("status", SUCCESS)
        for index in range(count):
            task = _Task()
            task.id = first_id + index
            task.cluster, task.tenant = cluster, tenant
            task.appear_at = 0.0
            task.created = self.anchor - (count - index) * interval
            task.fields = {"restoreTenantName": "%s%d" % (prefix, task.id)}
            task.shared = shared
            task.fixed = self._fixed_state(status, task.created, shared)
            task.timeline = None
            task.pinned = None
            self._insert(task)

    def _insert(self, task):
        if task.id in self.tasks:
            raise ValueError("duplicate task id %d" % task.id)
        task.records = {}
        self.tasks[task.id] = task

    def _reindex(self):
        by_cluster = {}
        for task in sorted(self.tasks.values(), key=lambda t: -t.id):
            by_cluster.setdefault(task.cluster["id"], []).append(task)
        with self.lock:
            self._by_cluster = by_cluster
            self._cache = {}

    # --- test API ---------------------------------------------------------------------------
    def add_task(self, spec):
        """Add a task (same format as a scenario task) while the simulator runs."""
        with self.lock:
            self._insert(self._build_task(spec))
            self._reindex()

    def set_status(self, task_id, status, **fields):
        """Pin a task's state from now on, overriding its timeline; ``fields`` override record fields."""
        with self.lock:
            task = self.tasks[task_id]
            overrides = self._time_fields(fields)
            finish = None
            if is_terminal(status):
                finish = overrides.pop("finishTime", self.anchor + self.clock.elapsed())
            task.pinned = (status, overrides, finish)
            task.records = {}
            self._cache = {}

    # --- task state -------------------------------------------------------------------------
    def _state(self, task, elapsed):
        """(status, overrides, finish epoch or None) of a task at scenario second ``elapsed``."""
        if task.pinned is not None:
            return task.pinned
        if task.timeline is None:
            return task.fixed
        current = task.timeline[0]  # before its first entry a task shows that entry
        for entry in task.timeline:
            if entry[0] > elapsed:
                break
            current = entry
        at, status, overrides = current
        finish = overrides.get("finishTime", self.anchor + at) if is_terminal(status) else None
        return (status, overrides, finish)

    @staticmethod
    def _next_change(task, elapsed):
        """The scenario second at which the task's listing may next change."""
        if task.appear_at > elapsed:
            return task.appear_at
        if task.pinned is None and task.timeline is not None:
            for entry in task.timeline:
                if entry[0] > elapsed:
                    return entry[0]
        return math.inf

    def _matching(self, cluster_id, tenant_id, statuses, names, start, end, elapsed):
        """The tasks a query lists, newest id first.

        The list only changes when a task appears or moves along its timeline, so it is cached
        until the next such moment; listing 100,000 tasks page by page filters them once.
        """
        key = (cluster_id, tenant_id, statuses, names, start, end)
        with self.lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] <= elapsed < hit[1]:
                return hit[2]
            valid_until = math.inf
            found = []
            for task in self._by_cluster.get(cluster_id, ()):
                if tenant_id is not None and task.tenant["id"] != tenant_id:
                    continue
                change = self._next_change(task, elapsed)
                if change < valid_until:
                    valid_until = change
                if task.appear_at > elapsed:
                    continue
                if (start is not None and task.created < start) or (end is not None and task.created > end):
                    continue
                if statuses or names:
                    status, overrides, _finish = self._state(task, elapsed)
                    if statuses and status not in statuses:
                        continue
                    if names and task.lookup(overrides, "restoreClusterName", task.cluster["name"]) not in names:
                        continue
                found.append(task)
            if len(self._cache) > 256:
                self._cache = {}
            self._cache[key] = (elapsed, valid_until, found)
            return found

    # --- records ----------------------------------------------------------------------------
    def _format_time(self, epoch, scope):
        # isoformat() rather than strftime(): several times faster, which counts at 2,000 per page.
        if scope == "tenant":  # 2024-08-08T08:25:39.150608Z
            return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="microseconds")[:-6] + "Z"
        text = datetime.fromtimestamp(epoch, self.zone).isoformat(timespec="milliseconds")
        if self.options["cluster_time_format"] == "compact":  # 2021-09-09T18:32:18.833+0800
            text = text[:-3] + text[-2:]
        return text

    def warm(self, scope="tenant", lang="en"):
        """Build the records of every task whose state cannot change, as listing them would: a
        benchmark calls this first so that it measures the client, not the simulator."""
        elapsed = self.clock.elapsed()
        with self.lock:
            tasks = list(self.tasks.values())
        for task in tasks:
            self._cached_record(task, elapsed, scope, lang)

    def _cached_record(self, task, elapsed, scope, lang):
        """A task's record; kept while its state cannot change (no timeline, or pinned), so that
        listing the same 100,000 tasks again costs the simulator little."""
        if task.timeline is not None and task.pinned is None:
            return self._record(task, elapsed, scope, lang)
        key = (scope, lang, self.options["cluster_time_format"])
        record = task.records.get(key)
        if record is None:
            record = task.records[key] = self._record(task, elapsed, scope, lang)
        return record

    def _record(self, task, elapsed, scope, lang):
        status, overrides, finish = self._state(task, elapsed)
        cluster = task.cluster
        tenant_name = task.lookup(overrides, "restoreTenantName", task.tenant["name"])
        backup_ob_tenant_id = task.lookup(overrides, "backupObTenantId", 1002)
        record = {
            "id": task.id,
            "ocpJobId": -1,
            "backupMode": "PHYSICAL_BACKUP",
            "triggerType": "NORMAL",
            "restoreObjectType": "TENANT",
            "createTime": task.created,
            "finishTime": finish,
            "restoreEndTime": task.created - DEFAULT_RESTORE_POINT_AGE,
            "backupClusterId": cluster["id"],
            "backupClusterName": cluster["name"],
            "backupObClusterId": cluster["obClusterId"],
            "backupTenantId": 1002,
            "backupTenantName": "source_tenant",
            "backupObTenantId": backup_ob_tenant_id,
            "restoreClusterId": cluster["id"],
            "restoreClusterName": cluster["name"],
            "restoreObClusterId": cluster["obClusterId"],
            "restoreTenantName": tenant_name,
            "restorePoolListStr": "pool_%s_zone1" % tenant_name,
            "restoreUri": ",".join(
                "file:///obbackup/%s/%d/tenant_incarnation_1/%d/%s" % (cluster["name"], cluster["obClusterId"], backup_ob_tenant_id, kind)
                for kind in ("clog", "data")
            ),
            "status": status,
            "statusDesc": STATUS_LABELS[lang].get(status, status),
            "finished": is_terminal(status),
            "successful": status == SUCCESS,
            "errorMsg": "",
        }
        record.update(task.shared)
        record.update(task.fields)
        record.update(overrides)
        # Filters use the task's createTime, and a finishTime override is folded into the state.
        record["createTime"] = task.created
        record["finishTime"] = finish
        for key in TIME_FIELDS:
            if isinstance(record[key], float):
                record[key] = self._format_time(record[key], scope)
        hidden = CLUSTER_ONLY_FIELDS if scope == "tenant" else TENANT_ONLY_FIELDS
        # The product's JSON mapper leaves out null fields.
        return {key: value for key, value in record.items() if value is not None and key not in hidden}

    # --- envelopes --------------------------------------------------------------------------
    def _envelope(self, status, started, trace_id=None, **content):
        body = {
            "duration": int((time.monotonic() - started) * 1000) if started is not None else 0,
            "server": self.options["server"],
            "status": status,
            "successful": 200 <= status < 300,
            "timestamp": datetime.fromtimestamp(self.clock.wall(), self.zone).isoformat(timespec="milliseconds"),
            "traceId": secrets.token_hex(8) if trace_id is None else trace_id,
        }
        body.update(content)
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def error_response(self, status, message, headers=None, code=CODE_UNSET, debug=None, started=None, trace_id=None):
        """An error envelope; ``code`` is an (int, string) pair picked by options.error_code_style."""
        error = {"code": code[1] if self.options["error_code_style"] == "string" else code[0], "message": message}
        if debug is not None:
            error["debugMessage"] = debug
        return Response(status, self._envelope(status, started, trace_id=trace_id, error=error), headers)

    # --- authentication ---------------------------------------------------------------------
    def _authenticate(self, request):
        """None when the request is authenticated, else the 401 message."""
        authorization = request.header("Authorization", "")
        if authorization.startswith(AKSK_PREFIX):
            return self._check_signature(request, authorization)
        scheme, _space, credentials = authorization.partition(" ")
        if scheme.lower() != "basic":
            return "Full authentication is required to access this resource"
        try:
            user, _colon, password = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").partition(":")
        except ValueError:  # bad base64 or bad UTF-8
            return "Bad credentials"
        expected = self.users.get(user)
        if expected is None or not hmac.compare_digest(expected.encode("utf-8"), password.encode("utf-8")):
            return "Bad credentials"
        return None

    def _check_signature(self, request, authorization):
        match = AKSK_HEADER.match(authorization)
        if not match:
            return "unsupported or malformed OCP-ACCESS-KEY authorization header"
        access_key, signature = match.groups()
        secret = self.access_keys.get(access_key)
        if secret is None:
            return "access key %s does not exist" % access_key
        # The request time comes from Date, or from x-ocp-date when Date is absent.
        date = request.header("Date") or request.header("x-ocp-date")
        if not date:
            return "request date missing"
        try:
            sent = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return "request date invalid: %s" % date
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=timezone.utc)
        if abs(self.clock.wall() - sent.timestamp()) > DATE_TOLERANCE:
            return "request date expired"
        message = string_to_sign(request, date).encode("utf-8")
        expected = base64.b64encode(hmac.new(secret.encode("utf-8"), message, hashlib.sha1).digest()).decode("ascii")
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8")):
            return "signature mismatch"
        return None

    def _rate_limit(self, elapsed):
        """(over the limit?, RateLimit-* headers) for a fixed window on the scenario clock."""
        limit = self.options["rate_limit"]
        if not limit:
            return False, {}
        with self.lock:
            window = float(limit["window"])
            if self._rate_window is None or elapsed >= self._rate_window[0] + window:
                self._rate_window = (elapsed, 0)
            start, used = self._rate_window
            used += 1
            self._rate_window = (start, used)
        headers = {
            "RateLimit-Limit": str(limit["limit"]),
            "RateLimit-Remaining": str(max(0, int(limit["limit"]) - used)),
            "RateLimit-Reset": str(max(1, math.ceil(start + window - elapsed))),
        }
        return used > int(limit["limit"]), headers

    # --- request handling -------------------------------------------------------------------
    def app(self, request):
        started = time.monotonic()
        elapsed = self.clock.elapsed()
        failure = self._authenticate(request)
        if failure is not None:
            return self.error_response(401, failure, started=started)
        limited, headers = self._rate_limit(elapsed)
        if limited:
            # The throttling filter answers before any handler: code 0 and an empty traceId.
            message = "Excessive number of requests. Please try again later."
            return self.error_response(429, message, headers, started=started, trace_id="")
        try:
            body = self._dispatch(request, elapsed, started)
        except ApiError as exc:
            return self.error_response(exc.status, exc.message, headers, code=exc.code, debug=exc.debug, started=started)
        return Response(200, body, headers)

    def _dispatch(self, request, elapsed, started):
        tenant_match = TENANT_ROUTE.match(request.path) if request.method == "GET" else None
        cluster_match = CLUSTER_ROUTE.match(request.path) if request.method == "GET" else None
        if not (tenant_match or cluster_match):
            # The product answers 400 when no handler serves a path (or method).
            url = "http://%s%s" % (request.header("Host", self.host), request.path)
            raise ApiError(400, "Could not find the %s method for URL %s" % (request.method, url))
        if self.options["forbidden"]:
            raise ApiError(403, "No permission to perform this operation.", CODE_FORBIDDEN)
        match = tenant_match or cluster_match
        scope = "tenant" if tenant_match else "cluster"
        cluster_id = self._path_id("id", match.group(1))
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise ApiError(self.options["unknown_id_status"],
                           "The specified cluster with the ID of %d does not exist." % cluster_id, CODE_NO_CLUSTER)
        tenant_id = None
        if scope == "tenant":
            tenant_id = self._path_id("tenantId", match.group(2))
            if tenant_id not in cluster["tenants"]:
                raise ApiError(self.options["unknown_id_status"],
                               "The tenant with the ID of %d does not exist." % tenant_id, CODE_NO_TENANT)

        page, size = self._paging(request, required=scope == "cluster")
        start = self._time_param(request, "startTime", scope)
        end = self._time_param(request, "endTime", scope)
        statuses = names = None
        if scope == "tenant":
            statuses = self._list_param(request, "status")
            names = self._list_param(request, "restoreClusterName")

        tasks = self._matching(cluster_id, tenant_id, statuses, names, start, end, elapsed)
        first = (page - 1) * size
        lang = "zh" if request.header("Accept-Language", "").lower().startswith("zh") else "en"
        contents = [self._cached_record(task, elapsed, scope, lang) for task in tasks[first:first + size]]
        page_info = {
            "number": page,
            "size": len(contents) if self.options["page_size"] == "items" else size,
            "totalElements": len(tasks),
            "totalPages": -(-len(tasks) // size),
        }
        return self._envelope(200, started, data={"contents": contents, "page": page_info})

    # --- query parameters -------------------------------------------------------------------
    @staticmethod
    def _path_id(name, raw):
        value = unquote(raw)
        if not INTEGER.match(value):
            raise type_mismatch(name, value, "Long")
        return int(value)

    @staticmethod
    def _first(request, name):
        """The first value of a parameter; empty counts as absent, like Spring's binding."""
        values = request.query_values(name)
        return values[0] if values and values[0] != "" else None

    def _paging(self, request, required):
        numbers = {}
        for name, default in (("page", 1), ("size", TENANT_DEFAULT_PAGE_SIZE)):
            raw = self._first(request, name)
            if raw is None:
                if required:
                    raise ApiError(400, "%s parameter is missing" % name,
                                   debug="Required request parameter '%s' for method parameter type Long is not present" % name)
                numbers[name] = default
            elif not INTEGER.match(raw):
                raise type_mismatch(name, raw, "Long")
            else:
                numbers[name] = int(raw)
        if numbers["size"] < 1:
            raise ApiError(400, "Page size must not be less than one")
        return max(1, numbers["page"]), min(numbers["size"], MAX_PAGE_SIZE)

    def _time_param(self, request, name, scope):
        """Epoch seconds of startTime/endTime, or None.

        Tenant scope takes only UTC ``YYYY-MM-DDThh:mm:ssZ``; cluster scope takes any ISO offset
        date-time. A literal '+' in the query arrives as a space, which no format accepts.
        """
        raw = self._first(request, name)
        if raw is None:
            return None
        try:
            if scope == "tenant":
                if not TENANT_TIME.match(raw):
                    raise ValueError(raw)
                return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
            if not CLUSTER_TIME.match(raw):
                raise ValueError(raw)
            parsed = datetime.fromisoformat(raw)
            if parsed.tzinfo is None:
                raise ValueError(raw)
            return parsed.timestamp()
        except ValueError:
            raise type_mismatch(name, raw, "OffsetDateTime") from None

    @staticmethod
    def _list_param(request, name):
        """An array parameter: repeated keys and comma-joined values both work."""
        items = frozenset(item for value in request.query_values(name) for item in value.split(",") if item)
        return items or None

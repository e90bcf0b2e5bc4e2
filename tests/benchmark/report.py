# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Turn the benchmark's measurements into tables: plain text for the console, markdown for
docs/performance.md. Every verdict (met / not met) is computed here from the measurements."""

from __future__ import annotations

MET, NOT_MET, INFO = "met", "**not met**", "info"
METHOD_ROLE = "(a) wait_for_restore role"


def fmt(value, digits=2):
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return "{:,}".format(value)
    if isinstance(value, float):
        return "%.*f" % (digits, value)
    return str(value)


def ratio(value, base):
    if value is None or base is None or base <= 0:
        return None
    return value / base


class Report:
    def __init__(self, results, context):
        self.r = results
        self.c = context
        self.s = context["settings"]
        self.idle = results["idle"]
        self.rows = [self._derive(row) for row in results["waits"]]

    # --- derived figures ----------------------------------------------------------------------
    def _derive(self, row):
        row = dict(row)
        minutes = row["seconds"] / 60.0
        if row["playbook"]:
            control = row.get("control_cpu")
            row["net"] = row["cpu"] - control if control is not None else None
        else:
            row["net"] = row["cpu"]  # no ansible-playbook to subtract
        row["tasks"] = row.get("tasks_cpu") if row["playbook"] else row["cpu"]
        row["tasks_min"] = row["tasks"] / minutes if row["tasks"] is not None else None
        row["cpu_min"] = row["cpu"] / minutes
        row["net_min"] = row["net"] / minutes if row["net"] is not None else None
        return row

    def _find(self, api, method, seconds=None, label=None):
        seconds = seconds or self.s.seconds
        for row in self.rows:
            if row["api"] == api and row["method"] == method and row["seconds"] == seconds and row.get("label") == label:
                return row
        return None

    def idle_rate(self, key):
        """Controller CPU seconds per minute of an idle playbook, its start excluded."""
        startup = self.idle.get("startup")
        run = self.idle.get(key)
        seconds = self.idle.get("env_seconds") if key.startswith("env") else self.idle.get("seconds")
        if not startup or not run or not seconds:
            return None
        return (run["cpu"] - startup["cpu"]) / (seconds / 60.0)

    def control_rate(self):
        """The same, from the idle controls that ran beside the waits of the main length (median)."""
        startup = self.idle.get("startup")
        controls = sorted(row["control_cpu"] for row in self.rows
                          if row.get("control_cpu") is not None and row["seconds"] == self.s.seconds and not row.get("label"))
        if not startup or not controls:
            return None, None, 0
        median = controls[len(controls) // 2]
        return median, (median - startup["cpu"]) / (self.s.seconds / 60.0), len(controls)

    def targets(self):
        """[(target, measured, verdict)]"""
        out = []
        s = self.s
        for api in ("ocp", "obshell"):
            role, info, base = self._find(api, "role"), self._find(api, "info"), self._find(api, "baseline")
            if not role:
                continue
            share = ratio(role["net"], base["net"] if base else None)
            if api == "ocp":
                verdict = MET if share is not None and share <= 0.1 else NOT_MET
                out.append(("OCP: role's net controller CPU <= 1/10 of (c) ansible.builtin.uri until loop",
                            "%s of (c) (%s s vs %s s net%s); tasks CPU alone: %s of (c)" % (
                                fmt(share, 3), fmt(role["net"]), fmt(base["net"] if base else None),
                                ", median of %d" % len(role["repeats"]) if role.get("repeats") else "",
                                fmt(ratio(role["tasks"], base["tasks"] if base else None), 3)),
                            INFO if s.quick else verdict))
            else:
                out.append(("obshell: role's net controller CPU vs (c), the SDK floor (no Ansible at all)",
                            "%s x the floor; %s of (b) the info module in until" % (
                                fmt(share, 2), fmt(ratio(role["net"], info["net"] if info else None), 3)), INFO))
            processes = self._find(api, "role-processes")
            if processes:
                out.append(("%s: before/after, the role with module processes (wait_for_restore_in_process: false)" % api,
                            "%s s net: %s of (c); in process (a): %s s net, %s of (c)" % (
                                fmt(processes["net"]), fmt(ratio(processes["net"], base["net"] if base else None), 3),
                                fmt(role["net"]), fmt(share, 3)), INFO))
            steady = self.steady(api)
            if steady:
                out.append(("%s: the role with module processes, net CPU per minute over a long wait, extrapolated (one "
                            "module process per report interval + polls)" % api,
                            "%s s/min: %s of %s" % (fmt(steady["role_min"]), fmt(steady["ratio"], 3), steady["against"]), INFO))
            marginal = self.marginal(api)
            if marginal:
                out.append(("%s: the role (in process), net CPU per minute of waiting: the %d s wait minus the %d s one"
                            % (api, s.seconds, s.short_seconds),
                            "%s s/min: %s of %s" % (fmt(marginal["role_min"]), fmt(marginal["ratio"], 3), marginal["against"]),
                            INFO))
            if api == "ocp":
                one = abs(role["requests_per_poll"] - 1.0) < 1e-9
                out.append(("OCP: exactly 1 HTTP request per poll (selection fits one page)",
                            "%s requests / %s polls" % (role["sim"]["requests"], role["polls"]), MET if one else NOT_MET))
            else:
                steady = (role["sim"]["requests"] - role["sim"]["info_requests"] - role["sim"]["secret_requests"]) / float(role["polls"] or 1)
                one = abs(steady - 1.0) < 1e-9 and role["key_fetches"] <= role["module_runs_sim"]
                out.append(("obshell: exactly 1 HTTP request per poll once the public key is cached",
                            "%s overview requests / %s polls; + %s info and %s key reads for %s module run(s)" % (
                                role["sim"]["list_requests"], role["polls"], role["sim"]["info_requests"],
                                role["sim"]["secret_requests"], role["module_runs_sim"]), MET if one else NOT_MET))
            slack = s.latency_slack
            limit = role["poll"] + slack
            out.append(("%s: detection latency <= poll interval + %s s (%s s)" % (api, fmt(slack, 0), fmt(limit, 0)),
                        "%s s" % fmt(role["latency"]), MET if role["latency"] <= limit else NOT_MET))
            allowed = int(role.get("elapsed") or role["wall"]) // role["report_interval"] + 1
            runs_ok = role["module_runs_sim"] <= allowed and role["module_processes"] <= allowed
            out.append(("%s: at most one module process per report interval (%d s)" % (api, role["report_interval"]),
                        "%s module process(es) started (counted as they start); %s module run(s) in process in %s s, "
                        "seen at the simulator" % (role["module_processes"], role["module_runs_sim"],
                                                   fmt(role.get("elapsed"), 1)),
                        MET if runs_ok else NOT_MET))
            if s.short_seconds:
                short = self._find(api, "role", s.short_seconds)
                if short:
                    grew = role["maxrss_mb"] - short["maxrss_mb"]
                    out.append(("%s: no memory growth with wait length (role, %d s vs %d s restore)" % (api, s.short_seconds, s.seconds),
                                "%s MB vs %s MB peak RSS" % (fmt(short["maxrss_mb"], 1), fmt(role["maxrss_mb"], 1)),
                                MET if grew <= max(2.0, 0.05 * short["maxrss_mb"]) else NOT_MET))
        listing = {row["count"]: row for row in self.r["listing"]}
        if 100000 in listing:
            big = listing[100000]
            out.append(("Listing 100,000 tasks: module process under 10 s wall", "%s s" % fmt(big["module_wall"], 1),
                        MET if big["module_wall"] < 10 else NOT_MET))
            out.append(("Listing 100,000 tasks: module process under 300 MB peak RSS", "%s MB" % fmt(big["module_maxrss_mb"], 0),
                        MET if big["module_maxrss_mb"] < 300 else NOT_MET))
        if 10000 in listing and 100000 in listing and 1 in listing:
            mid, big, one = listing[10000], listing[100000], listing[1]
            # Per task beyond what a module process costs whatever it lists (start-up, imports: the 1-task
            # listing). CPU rather than wall: the module waits for the simulator, which shares the machine.
            per_mid = (mid["module_cpu"] - one["module_cpu"]) / 9.999
            per_big = (big["module_cpu"] - one["module_cpu"]) / 99.999
            out.append(("Listing: time close to linear (module CPU s per 1,000 tasks beyond a 1-task listing: 100k within "
                        "1.5x of 10k)", "%s s vs %s s per 1,000" % (fmt(per_big, 3), fmt(per_mid, 3)),
                        MET if per_big <= 1.5 * per_mid else NOT_MET))
            growth_mid = (mid["module_maxrss_mb"] - one["module_maxrss_mb"]) / max(mid["returned_mb"], 1e-6)
            growth_big = (big["module_maxrss_mb"] - one["module_maxrss_mb"]) / max(big["returned_mb"], 1e-6)
            out.append(("Listing: memory bounded by what is returned (RSS growth beyond a 1-task listing per returned MB: "
                        "100k within 1.25x of 10k)",
                        "%s MB vs %s MB of RSS per MB of JSON returned" % (fmt(growth_big, 2), fmt(growth_mid, 2)),
                        MET if growth_big <= 1.25 * growth_mid else NOT_MET))
        return out

    def marginal(self, api):
        """The role's (in process) net CPU per minute of waiting: the difference between the main wait
        and the short one, per minute of difference (start-up costs cancel out)."""
        role, short = self._find(api, "role"), self._find(api, "role", self.s.short_seconds) if self.s.short_seconds else None
        if not role or not short or role.get("net") is None or short.get("net") is None:
            return None
        role_min = (role["net"] - short["net"]) / ((self.s.seconds - self.s.short_seconds) / 60.0)
        other = self._find(api, "baseline" if api == "ocp" else "info")
        other_min = other["net_min"] if other else None
        return {"role_min": role_min, "ratio": ratio(role_min, other_min), "against": "(c)" if api == "ocp" else "(b)"}

    def steady(self, api):
        """The role's net CPU per minute over a long wait, from measured parts: one module process per
        report interval at (b)'s cost per process, plus 60/poll polls at the measured CPU per poll."""
        info, base = self._find(api, "info"), self._find(api, "baseline")
        polls = (self.r.get("polls") or {}).get(api)
        if not info or not polls or info["net"] is None or not info["module_runs_sim"]:
            return None
        per_run = info["net"] / info["module_runs_sim"]
        polls_per_min = 60.0 / self.s.poll
        role_min = per_run * 60.0 / self.s.report_interval + polls_per_min * polls["per_poll_ms"] / 1000.0
        other = base if api == "ocp" else info
        other_min = other["net_min"]
        return {"per_run": per_run, "polls_per_min": polls_per_min, "per_poll_ms": polls["per_poll_ms"], "role_min": role_min,
                "other_min": other_min, "ratio": ratio(role_min, other_min), "against": "(c)" if api == "ocp" else "(b)"}

    # --- tables -------------------------------------------------------------------------------
    WAIT_HEADER = ("API", "method", "restore s", "wall s", "CPU s raw", "CPU s/min raw", "CPU s/min net", "net/min vs (c)",
                   "tasks CPU s", "tasks/min vs (c)", "polls", "HTTP req/poll", "info+key reads",
                   "module runs (sim/self); processes",
                   "latency s (read+tail)", "peak RSS MB")

    def wait_rows(self, extra=False):
        """Rows of the waits table: the main runs (and the boundary case), or with ``extra`` the
        internal_poll_interval ones."""
        rows = []
        for row in self.rows:
            label = row.get("label") or ""
            if label.startswith("poll") != extra:
                continue
            base = self._find(row["api"], "baseline", row["seconds"])
            if base is None:
                base = self._find(row["api"], "baseline")
            rel = ratio(row["net_min"], base["net_min"] if base else None)  # per minute: rows may differ in length
            fetches = None
            if row["api"] == "obshell":
                fetches = "%d+%d" % (row["sim"]["info_requests"], row["sim"]["secret_requests"])
            procs = "%s/%s; %s" % (row["module_runs_sim"], row["module_runs_self"], row.get("module_processes"))
            if not row["playbook"]:
                procs = "0 (1 Python process)"
            name = row["name"] + (" [%s]" % label if label else "")
            net = fmt(row["net_min"])
            if row.get("repeats"):
                minutes = row["seconds"] / 60.0
                net += " [%s-%s]" % (fmt(min(row["repeats"]) / minutes), fmt(max(row["repeats"]) / minutes))
            rows.append((row["api"], name, fmt(row["seconds"]), fmt(row["wall"], 1), fmt(row["cpu"]), fmt(row["cpu_min"]),
                         net, fmt(rel, 3) if base is not row else "1", fmt(row["tasks"]),
                         fmt(ratio(row["tasks_min"], base["tasks_min"] if base else None), 3) if base is not row else "1",
                         fmt(row["polls"]),
                         fmt(row["requests_per_poll"]), fetches or "-", procs, latency_cell(row), fmt(row["maxrss_mb"], 1)))
        return rows

    LIST_HEADER = ("tasks", "pages", "returned MB", "module wall s", "module CPU s", "module peak RSS MB",
                   "time vs 1k", "RSS vs 1k", "playbook wall s", "task s (in playbook)", "playbook tree peak RSS MB")

    def listing_rows(self):
        rows = []
        first = next((row for row in self.r["listing"] if row["count"] == 1000), None)
        for row in self.r["listing"]:
            rows.append((fmt(row["count"]), fmt(row["pages"]), fmt(row["returned_mb"], 1), fmt(row["module_wall"]),
                         fmt(row["module_cpu"]), fmt(row["module_maxrss_mb"], 0),
                         fmt(ratio(row["module_wall"], first["module_wall"] if first else None), 1),
                         fmt(ratio(row["module_maxrss_mb"], first["module_maxrss_mb"] if first else None), 1),
                         fmt(row.get("playbook_wall"), 1), fmt(row.get("task_seconds"), 1), fmt(row.get("playbook_maxrss_mb"), 0)))
        return rows

    BEFORE_AFTER_HEADER = ("tasks", "before: wall s", "after: wall s", "wall after/before", "before: CPU s", "after: CPU s",
                           "CPU after/before", "before: peak RSS MB", "after: peak RSS MB", "RSS after/before")

    def before_after_rows(self):
        rows = []
        for row in self.r["listing"]:
            before = row.get("baseline")
            if not before:
                continue
            rows.append((fmt(row["count"]), fmt(before["module_wall"]), fmt(row["module_wall"]),
                         fmt(ratio(row["module_wall"], before["module_wall"]), 2), fmt(before["module_cpu"]),
                         fmt(row["module_cpu"]), fmt(ratio(row["module_cpu"], before["module_cpu"]), 2),
                         fmt(before["module_maxrss_mb"], 0), fmt(row["module_maxrss_mb"], 0),
                         fmt(ratio(row["module_maxrss_mb"], before["module_maxrss_mb"]), 2)))
        return rows

    def idle_rows(self):
        rows = []
        startup = self.idle.get("startup")
        if startup:
            runs = self.idle.get("startup_runs", [])
            every = ", ".join(fmt(run["cpu"]) for run in runs)
            rows.append(("ansible-playbook start and end (idle playbook, pause 0 s; median of %d)" % len(runs),
                         "%s s CPU (%s), %s s wall" % (fmt(startup["cpu"]), every, fmt(startup["wall"], 1))))
        median, rate, count = self.control_rate()
        if count:
            rows.append(("idle controls beside the %d s waits (pause %d s; median of %d)" % (self.s.seconds, self.s.seconds, count),
                         "%s s CPU: %s s per minute of waiting, start excluded" % (fmt(median), fmt(rate))))
        if "setting" in self.idle:
            seconds = self.idle["seconds"]
            for key, what in (("default", "defaults (side by side with the next)"),
                              ("setting", "ansible.cfg `internal_poll_interval = %s`" % self.s.poll_setting)):
                run = self.idle[key]
                rows.append(("idle playbook, pause %d s, %s" % (seconds, what),
                             "%s s CPU (user %s, system %s): %s s/min, start excluded" % (
                                 fmt(run["cpu"]), fmt(run["user"]), fmt(run["sys"]), fmt(self.idle_rate(key)))))
        if "env" in self.idle:
            seconds = self.idle["env_seconds"]
            rows.append(("idle playbook, pause %d s, defaults (side by side with the next)" % seconds,
                         "%s s CPU: %s s/min, start excluded" % (fmt(self.idle["env_default"]["cpu"]), fmt(self.idle_rate("env_default")))))
            rows.append(("idle playbook, pause %d s, `ANSIBLE_INTERNAL_POLL_INTERVAL=%s` in the environment" % (seconds, self.s.poll_setting),
                         "%s s CPU: %s s/min, start excluded" % (fmt(self.idle["env"]["cpu"]), fmt(self.idle_rate("env")))))
        return rows

    def text_tables(self):
        out = []
        if self.rows:
            out.append("Waiting for one restore (poll %s s, report interval %s s); CPU = user+sys of the whole process tree"
                       % (self.s.poll, self.s.report_interval))
            out.append(text_table(self.WAIT_HEADER, self.wait_rows() + self.wait_rows(extra=True)))
        if self.idle:
            out.append("Idle control")
            out.append(text_table(("what", "measured"), self.idle_rows()))
        if self.r["listing"]:
            out.append("Listing with ocp_restore_task_info (tenant scope, pages of 2,000)")
            out.append(text_table(self.LIST_HEADER, self.listing_rows()))
            if self.before_after_rows():
                out.append("Listing before and after (baseline: %s)" % self.c.get("baseline"))
                out.append(text_table(self.BEFORE_AFTER_HEADER, self.before_after_rows()))
        targets = self.targets()
        if targets:
            out.append("Targets")
            out.append(text_table(("target", "measured", "verdict"), targets))
        return "\n\n".join(out)

    # --- markdown -----------------------------------------------------------------------------
    def markdown(self):
        c, s = self.c, self.s
        facts, versions = c["facts"], c["versions"]
        lines = ["# Performance", "",
                 "Written by `tests/benchmark/bench.py`; do not edit by hand: run the benchmark again.", "",
                 "What waiting for one OceanBase restore costs the Ansible controller with this collection's "
                 "`oceanbase.ops.wait_for_restore` role, compared with an info module in an `until` loop and with what "
                 "users write without the collection; and what listing restore tasks at scale costs. Everything below "
                 "comes from one run on one machine, side by side against the same simulator scenario "
                 "(`tests/simulator/scenarios/ocp-bench-restore.yml`, `obshell-bench-restore.yml`, `ocp-scale.yml`), "
                 "so the ratios are what to read: the absolute figures move with the machine and its load.", "",
                 "## How this was measured", "",
                 "- Command: `%s` (`make bench`; `make bench-quick` runs `--quick`, the CI subset)." % c["command"],
                 "- Collection under test: `%s` (ANSIBLE_COLLECTIONS_PATH)." % c["collections"],
                 "- Date: %s; the run took %.0f s." % (c["date"], c["duration"]),
                 "- Machine: %s CPU(s) (`nproc`), %s, %.1f GB memory, Linux %s; load average %s at the start, %s at the end "
                 "(the machine is shared)." % (
                     facts["nproc"], facts["cpu"], facts["memory_gb"] or 0, facts["kernel"],
                     "/".join("%.1f" % x for x in facts["loadavg"]), "/".join("%.1f" % x for x in facts["loadavg_end"])),
                 "- Versions: " + ", ".join("%s %s" % item for item in versions.items()) + ".",
                 "- A restore of %d s (terminal status at second %d of the simulator's clock, which starts %s), poll "
                 "interval %d s, report interval %d s%s. Each playbook runs alone beside its idle control; the role %s."
                 % (s.seconds, s.seconds,
                    "when ansible-playbook is launched, as in a pipeline that starts the restore and then the wait"
                    if s.align == "launch" else "at the first request, so a slow ansible-playbook start never eats the restore",
                    s.poll, s.report_interval, " (the role's default)" if s.report_interval == 60 else "",
                    "runs %d times and the run with the median net CPU is shown, with the range of the net in brackets"
                    % s.repeat_role if s.repeat_role > 1 else "runs once"),
                 "- **Controller CPU**: user + system seconds of the whole process tree (ansible-playbook, its forked "
                 "workers, every module process), from `getrusage(RUSAGE_CHILDREN)` in a fresh `tests/benchmark/runner.py` "
                 "process that starts the command and waits for it. **Peak RSS**: `ru_maxrss` of the same children, i.e. "
                 "the largest single process of the tree (for a playbook, usually ansible-playbook itself), not a sum.",
                 "- **Net CPU**: raw CPU minus that of an idle control playbook of the same length (`playbooks/idle.yml`: "
                 "one `ansible.builtin.pause` as long as the restore, which starts no module process), run at the same "
                 "time so that both see the same machine load: what the wait itself costs beyond running "
                 "ansible-playbook. The obshell SDK loop is a plain Python process: its net is its raw CPU. Per minute = "
                 "divided by the restore's length in minutes. Net CPU is a small difference of two larger, noisy figures "
                 "(mostly the idle loop below), so the table also gives **tasks CPU**: the CPU of ansible-playbook's "
                 "workers and module processes alone, without its main process (the runner reads the main process's "
                 "own time from `/proc/PID/stat` when it exits, before reaping it), which carries none of that noise.",
                 "- **HTTP requests per poll**: every request the simulator received, divided by the polls (the role's "
                 "`polls`, the until loop's `attempts`, the SDK loop's count). **Module runs**: counted at the "
                 "simulator, independently of the collection (OCP: distinct client TCP connections, since each module "
                 "run opens one keep-alive session and `ansible.builtin.uri` one connection per request; obshell: "
                 "`GET /api/v1/info`, read once by each module run), shown beside what the playbook reports itself "
                 "(`module_runs`, `attempts`). **Module processes**: counted as they start, by the interpreter of the "
                 "benchmark's inventory (a shell script that notes each start, then runs Python).",
                 "- **Detection latency**: from the simulator's terminal status time to the end of ansible-playbook "
                 "(the runner's `time.monotonic()` when the process exits; the simulator's clock is monotonic too), "
                 "split into *read* (terminal status to the first read that returned it, at most one poll interval "
                 "plus a module start when a new module process begins) and *tail* (that read to the end of the play: "
                 "the module and ansible-playbook finishing, and the tasks after the wait).",
                 "- (c) for OCP is a hand-written `ansible.builtin.uri` task with HTTP Basic in an `until` loop "
                 "(`playbooks/ocp_uri_until.yml`). ansible.builtin.uri cannot produce obshell's RSA/AES authentication "
                 "header, so (c) for obshell is the official obshell SDK (`obshell` %s) in a plain Python poll loop "
                 "(`sdk_floor.py`): the floor, not something an Ansible user would run." % versions.get("obshell"),
                 ""]
        targets = self.targets()
        if targets:
            lines += ["## Targets", "", "Verdicts computed from the measurements of this run.", ""]
            lines += md_table(("target", "measured", "verdict"), targets)
            lines.append("")
        if self.rows:
            lines += ["## Waiting for one restore", "",
                      "Ratios are per minute of waiting, against (c) of the same API (for the %d s rows, against (c) "
                      "over %d s). `info+key reads` are obshell's `GET /api/v1/info` + "
                      "`GET /api/v1/secret`. `module runs` are counted at the simulator (a new client, so a new TCP "
                      "connection or an obshell `GET /api/v1/info`, per run) / reported by the play; `processes` are "
                      "the module processes started, counted by the interpreter they start with (a shell script in "
                      "the benchmark's inventory that notes each start). (a) runs the module inside the task's process "
                      "(the role's default on the controller); (a') is the same role with "
                      "`wait_for_restore_in_process: false`, one module process per report interval." % (
                          s.short_seconds or s.seconds, s.seconds), ""]
            if self._find("ocp", "role", label="from first poll"):
                lines += ["The row marked *from first poll* counts the %d s from the role's first request instead: the "
                          "restore then ends just after the first report interval, the worst alignment for the role, "
                          "which needs a second module run for the last poll." % s.seconds, ""]
            lines += md_table(self.WAIT_HEADER, self.wait_rows())
            lines.append("")
            for api in ("ocp", "obshell"):
                info = self._find(api, "info")
                if info and info["polls"] and info["net"] is not None:
                    lines.append("- %s (b): %s s of controller CPU per module process (net CPU / module processes), "
                                 "%s HTTP requests per poll." % (api, fmt(info["net"] / max(info["module_runs_sim"] or 1, 1)),
                                                                 fmt(info["requests_per_poll"])))
                steady = self.steady(api)
                if steady:
                    lines.append("- %s, extrapolated to a long wait: the role with module processes (a') starts one per report interval "
                                 "(%s s each, the per-process cost of (b)) and polls %s times a minute (%s ms each, see "
                                 "*What every poll pays*): about %s s of net controller CPU per minute of waiting, %s of %s's "
                                 "%s s per minute." % (api, fmt(steady["per_run"]), fmt(steady["polls_per_min"], 0),
                                                       fmt(steady["per_poll_ms"], 1), fmt(steady["role_min"]), fmt(steady["ratio"], 3),
                                                       steady["against"], fmt(steady["other_min"])))
                marginal = self.marginal(api)
                if marginal:
                    lines.append("- %s, the role in process (a): %s s of net controller CPU per minute of waiting, measured "
                                 "as the difference between its %d s and %d s waits (start-up and the last steps cancel "
                                 "out), %s of %s." % (api, fmt(marginal["role_min"]), s.seconds, s.short_seconds,
                                                      fmt(marginal["ratio"], 3), marginal["against"]))
            lines.append("")
        lines += self.idle_markdown()
        if self.r["listing"]:
            lines += ["## Listing at scale", "",
                      "`ocp_restore_task_info` with `cluster_id` and `tenant_id` over the tasks of `ocp-scale.yml` (cut to "
                      "the size shown), pages of 2,000. *Module* columns: the module process alone, run directly "
                      "(`python -m ansible_collections.oceanbase.ops.plugins.modules.ocp_restore_task_info ARGS.json`, "
                      "the code ansible-playbook runs, without the controller); its peak RSS includes the Python "
                      "interpreter, ansible's module_utils, requests, every task record and the JSON result written "
                      "to stdout. *Playbook* columns: the same task in `playbooks/ocp_list.yml`; the tree's peak RSS is "
                      "that of its largest process (the controller, which also decodes and keeps the whole result). "
                      "*Returned MB*: size of the module's JSON output. The 1-task row is what a module process "
                      "costs whatever it lists (start-up, imports, one request); the linearity target counts the "
                      "time and memory beyond it. A result of more than 1,000 records is written a slice at a time "
                      "(`module_utils/_result_output.py`), so the 1,000-task row still goes through ansible-core's "
                      "own (slower per record) writer.", ""]
            lines += md_table(self.LIST_HEADER, self.listing_rows())
            lines.append("")
            if self.before_after_rows():
                lines += ["Before and after: the same module runs, in the same run against the same simulator, from "
                          "the earlier build in `%s` (*before*) and from the collection under test (*after*)."
                          % self.c.get("baseline"), ""]
                lines += md_table(self.BEFORE_AFTER_HEADER, self.before_after_rows())
                lines.append("")
            for row in self.r["listing"]:
                if row.get("profile"):
                    prof = row["profile"]
                    lines += ["Where the module's time goes at %s tasks (cProfile of the module process: %s s under the "
                              "profiler, which inflates Python-heavy parts; read the shares):" % (fmt(row["count"]), fmt(prof["total"], 1)), ""]
                    lines += md_table(("function", "calls", "cumulative s", "share"),
                                      [(part["function"], fmt(part["calls"]), fmt(part["cumtime"]),
                                        "%.0f%%" % (100.0 * part["cumtime"] / prof["total"])) for part in prof["parts"]])
                    lines.append("")
        if self.r.get("polls"):
            lines += ["## What every poll pays", "",
                      "One module process run directly with `wait: true`, `wait_sleep: 1` against a restore that never "
                      "ends: its CPU time is read from `/proc/PID/stat` 5 s after it starts and again %s s later, and "
                      "divided by the polls the simulator received in between (start-up and exit left out; the kernel "
                      "counts CPU in 10 ms ticks). Beside it, a single check (`wait_timeout: 0`), the whole process." % (
                          next(iter(self.r["polls"].values()))["window"]), ""]
            rows = []
            for api, item in sorted(self.r["polls"].items()):
                rows.append((api, "%s s CPU, %s s wall" % (fmt(item["single_cpu"]), fmt(item["single_wall"])), fmt(item["polls"]),
                             fmt(item["per_poll_ms"], 1), "%s requests, %s TCP connection(s)%s" % (
                                 item["requests"], item["connections"],
                                 ", %s info + %s key reads" % (item["info_reads"], item["key_fetches"]) if api == "obshell" else "")))
            lines += md_table(("API", "module process, single check", "polls measured", "CPU ms per poll",
                               "seen at the simulator (whole waiting process)"), rows)
            lines.append("")
        if self.r.get("imports") or self.r.get("ansiballz"):
            lines += ["## What every module process pays", ""]
        zipped = self.r.get("ansiballz")
        if zipped:
            lines += ["One OCP module process doing a single check: %s s of CPU as ansible-playbook runs it (the AnsiballZ "
                      "wrapper kept with `ANSIBLE_KEEP_REMOTE_FILES=1` and run again directly), %s s when run from the "
                      "installed sources (`python -m`, bytecode caches allowed); medians of three. AnsiballZ imports "
                      "ansible-core's and the collection's module_utils from a zip file, and CPython's zipimport compiles "
                      "every one of them from source at every start (it keeps no bytecode): that difference is paid by "
                      "every module process, which only starting fewer of them avoids." % (
                          fmt(zipped["ansiballz"]), fmt(zipped["direct"])), ""]
        if self.r.get("imports"):
            lines += ["Import time in a fresh interpreter from the installed sources (`python -X importtime`, cumulative, "
                      "best of three):", ""]
            lines += md_table(("import", "seconds"), [(name, fmt(value, 3)) for name, value in self.r["imports"].items()])
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def idle_markdown(self):
        if not self.idle:
            return []
        lines = ["## The idle controller", "",
                 "ansible-playbook costs CPU whatever the task does: it starts (parsing, loading plugins and the "
                 "inventory), then, while a task runs, its main process polls the workers' results.", ""]
        lines += md_table(("what", "measured"), self.idle_rows())
        lines.append("")
        prof = self.idle.get("profile")
        if prof:
            per_second = (prof["process_pending_calls"] or 0) / float(prof["seconds"] or 1)
            lines += ["What it spends that CPU on: a profile of an idle ansible-playbook (`python -m cProfile` of the "
                      "controller's main process during a %d s pause). The linear strategy's `_wait_on_pending_results` "
                      "loop runs %s times (%s per second): each pass calls `time.sleep(internal_poll_interval)` "
                      "(0.001 s by default; one `nanosleep` system call, a timer and a wake-up: system time), then "
                      "`has_dead_workers()` (one `waitpid` per worker) and `_process_pending_results()` (an empty result "
                      "queue) in Python. The functions called in (at least every other) pass, by own time (%s s in all "
                      "under the profiler; the sleeps apart):" % (
                          prof["seconds"], fmt(prof["process_pending_calls"]), fmt(per_second, 0), fmt(prof["loop_own"], 2)), ""]
            lines += md_table(("function", "calls", "own s", "cumulative s"),
                              [(row["function"], fmt(row["calls"]), fmt(row["tottime"], 3), fmt(row["cumtime"], 3)) for row in prof["top"]])
            lines.append("")
        extra = self.wait_rows(extra=True)
        if "setting" in self.idle:
            default_rate, setting_rate = self.idle_rate("default"), self.idle_rate("setting")
            lines += ["**For multi-hour waits**: set `internal_poll_interval` in the `[defaults]` section of `ansible.cfg` "
                      "(or point `ANSIBLE_CONFIG` to such a file). In ansible-core %s this setting has no environment "
                      "variable: `ANSIBLE_INTERNAL_POLL_INTERVAL` is not read (measured above). With `internal_poll_interval = %s` "
                      "the idle controller spends %s s of CPU per minute instead of %s s (start excluded, measured side by "
                      "side); each task's result is then noticed up to %s s later, which does not matter in a wait of hours. "
                      "The OCP role with the setting, beside the default (compare the raw columns; each row's net is "
                      "against an idle control with the same setting):" % (
                          self.c["versions"].get("ansible-core"), self.s.poll_setting, fmt(setting_rate), fmt(default_rate),
                          self.s.poll_setting), ""]
            default_role = [row for row in self.wait_rows() if row[0] == "ocp" and row[1] == METHOD_ROLE and row[2] == fmt(self.s.seconds)]
            lines += md_table(self.WAIT_HEADER, default_role + extra)
            lines.append("")
            steady = self.steady("ocp")
            if steady and default_rate is not None and setting_rate is not None:
                lines += ["Over a long wait with the OCP role, the whole controller (its idle loop plus the role's %s s/min, "
                          "extrapolated above) then costs about %s s of CPU per minute with the default and %s s with "
                          "`internal_poll_interval = %s`." % (
                              fmt(steady["role_min"]), fmt(default_rate + steady["role_min"]),
                              fmt(setting_rate + steady["role_min"]), self.s.poll_setting), ""]
        return lines


def latency_cell(row):
    """Total detection latency, split into (terminal status -> the read that saw it) + (that read -> end)."""
    if row.get("detected") is None:
        return fmt(row["latency"], 1)
    return "%s (%s+%s)" % (fmt(row["latency"], 1), fmt(row["detected"], 1), fmt(row["tail"], 1))


def text_table(header, rows):
    rows = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max(len(str(header[i])), *(len(row[i]) for row in rows)) if rows else len(str(header[i])) for i in range(len(header))]
    line = "  ".join(str(header[i]).ljust(widths[i]) for i in range(len(header)))
    out = [line, "  ".join("-" * width for width in widths)]
    for row in rows:
        out.append("  ".join(row[i].ljust(widths[i]) for i in range(len(header))))
    return "\n".join(out)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _cell in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |")
    return out

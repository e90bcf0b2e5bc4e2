# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Run one command, wait for it, and write what its whole process tree cost as JSON.

    python runner.py RESULT.json STDOUT STDERR -- COMMAND [ARG ...]

The benchmark starts one runner per measurement, so that ``getrusage(RUSAGE_CHILDREN)`` of this
fresh process covers exactly the command and its descendants (ansible-playbook, its forked
workers, the module processes they start and wait for): CPU user and system seconds as deltas
around the waited-for child, and ``ru_maxrss``, the peak resident set of the largest of those
processes (a peak, not a sum; it cannot be taken as a delta, hence one runner per run).
``self_cpu`` is the CPU of the command's own process alone (for ansible-playbook: its main process,
which starts, parses and runs the strategy loop), so that the rest, ``cpu - self_cpu``, is what its
workers and module processes cost. ``start``/``end`` are ``time.monotonic()`` values, comparable with the simulator's clock, which
runs in another process on the same machine (CLOCK_MONOTONIC is system-wide on Linux).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def exited_process_times(pid):
    """Wait until ``pid`` exits without reaping it, and return the user+system seconds of that process
    alone, read from /proc/PID/stat of the zombie (Linux; None elsewhere). The rest of the tree's CPU
    (its waited-for descendants) is the RUSAGE_CHILDREN total minus this."""
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            stat = handle.read()
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = float(os.sysconf("SC_CLK_TCK"))
        return (int(fields[11]) + int(fields[12])) / ticks
    except (AttributeError, OSError, ValueError, IndexError):
        return None


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.stderr.write(__doc__)
        return 2
    result_path, stdout_path, stderr_path, command = argv[0], argv[1], argv[2], argv[4:]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)  # pylint: disable=consider-using-with
        own = exited_process_times(proc.pid)  # returns once the process has exited (None: not on Linux)
        if own is None:
            proc.wait()
        end = time.monotonic()
        returncode = proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "rc": returncode,
        "start": start,
        "end": end,
        "wall": end - start,
        "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime,
        "maxrss_kb": after.ru_maxrss,  # Linux: kilobytes
        "self_cpu": own,  # the command's own process alone (e.g. ansible-playbook's main process), or None
    }
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

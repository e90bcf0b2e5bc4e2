# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Baseline (c) for obshell: the official obshell SDK in a plain Python poll loop.

ansible.builtin.uri cannot produce obshell's RSA/AES authentication header, so there is no
hand-written ansible.builtin.uri loop for obshell. This one Python process, with no Ansible at
all, is the floor a user could reach: it prints one JSON line with the outcome and the polls.

    python sdk_floor.py URL PASSWORD TENANT POLL_SECONDS TIMEOUT_SECONDS
"""

from __future__ import annotations

import json
import sys
import time
from urllib.parse import urlsplit

TERMINAL = ("SUCCESS", "RESTORE_SUCCESS", "FAIL", "RESTORE_FAIL")


def main(argv):
    url, password, tenant, poll, timeout = argv[0], argv[1], argv[2], float(argv[3]), float(argv[4])
    from obshell import ClientV1  # pylint: disable=import-outside-toplevel
    from obshell.auth.password import PasswordAuth  # pylint: disable=import-outside-toplevel
    from obshell.service.client_v1 import OBShellHandleError  # pylint: disable=import-outside-toplevel

    split = urlsplit(url)
    client = ClientV1(split.hostname, split.port, auth=PasswordAuth(password), timeout=30)
    start = time.monotonic()
    polls = errors = 0
    status = None
    while True:
        polls += 1
        try:
            status = client.get_tenant_restore_overview(tenant).status
        except OBShellHandleError:  # tenant not visible yet, or no restore yet: keep waiting
            errors += 1
            status = None
        if status in TERMINAL or time.monotonic() - start >= timeout:
            break
        time.sleep(poll)
    print(json.dumps({"status": status, "polls": polls, "errors": errors, "elapsed": time.monotonic() - start}))
    return 0 if status in ("SUCCESS", "RESTORE_SUCCESS") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

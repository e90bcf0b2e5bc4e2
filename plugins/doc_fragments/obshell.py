# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options shared by every obshell module."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of an obshell agent of the cluster, for example V(http://10.10.10.1:2886).
        The agent serves either HTTP or HTTPS on its port; the scheme must match.
      - If not set, the value of the E(OCEANBASE_OBSHELL_URL) environment variable is used.
    type: str
    required: true
  password:
    description:
      - The cluster's C(root@sys) password. Requests are authenticated with obshell's hybrid RSA/AES
        scheme, so the password is encrypted even over plain HTTP.
      - If not set, the value of the E(OCEANBASE_OBSHELL_PASSWORD) environment variable is used.
    type: str
  agent_password:
    description:
      - The agent's own password, when the agent has one (its C(/api/v1/info) reports C(security) true).
        Then it is used instead of O(password).
      - If not set, the value of the E(OCEANBASE_OBSHELL_AGENT_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the agent's TLS certificate when O(url) is C(https://).
      - If not set, the value of the E(OCEANBASE_OBSHELL_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle that signs the agent's certificate.
      - If not set, the value of the E(OCEANBASE_OBSHELL_CA_PATH) environment variable is used.
    type: path
  client_cert:
    description:
      - Client certificate (PEM) for mutual TLS, when the agent requires client certificates.
    type: path
  client_key:
    description:
      - Private key (PEM) of O(client_cert), if it is not in the same file.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer. This is not the time to wait for a restore; see O(wait_timeout).
    type: float
    default: 30
"""

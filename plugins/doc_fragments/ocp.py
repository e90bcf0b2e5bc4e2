# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options shared by every OCP module."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the OCP (OceanBase Cloud Platform) server, for example V(https://ocp.example.com:8080).
      - If not set, the value of the E(OCEANBASE_OCP_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - OCP user for HTTP Basic authentication, together with O(password).
      - If not set, the value of the E(OCEANBASE_OCP_USERNAME) environment variable is used.
      - Give either O(username) and O(password), or O(access_key_id) and O(access_key_secret).
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(OCEANBASE_OCP_PASSWORD) environment variable is used.
    type: str
  access_key_id:
    description:
      - AccessKey ID for AK/SK request signing (C(OCP-ACCESS-KEY-HMACSHA1)), together with O(access_key_secret).
        An AccessKey is created per OCP user (Personal Settings, AccessKey) and carries that user's permissions.
      - AK/SK signatures carry the controller's clock, which must be within 15 minutes of the OCP server's.
      - If not set, the value of the E(OCEANBASE_OCP_ACCESS_KEY_ID) environment variable is used.
    type: str
  access_key_secret:
    description:
      - AccessKey secret that signs each request.
      - If not set, the value of the E(OCEANBASE_OCP_ACCESS_KEY_SECRET) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a test server.
      - If not set, the value of the E(OCEANBASE_OCP_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle that signs the OCP server's certificate, for a private CA.
      - If not set, the value of the E(OCEANBASE_OCP_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer. This is not the time to wait for a restore; see O(wait_timeout).
    type: float
    default: 30
"""

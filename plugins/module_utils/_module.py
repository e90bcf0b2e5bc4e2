# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""Argument specs and the small module base class every module of the collection uses."""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.oceanbase.ops.plugins.module_utils._http import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
)

try:
    import cryptography  # noqa: F401 pylint: disable=unused-import

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()


def _env(*names):
    return (env_fallback, list(names))


# Connection options of every OCP module; the env var names are what the AWX credential type injects.
OCP_CONNECTION_SPEC = dict(
    url=dict(type="str", required=True, fallback=_env("OCEANBASE_OCP_URL")),
    username=dict(type="str", fallback=_env("OCEANBASE_OCP_USERNAME")),
    password=dict(type="str", no_log=True, fallback=_env("OCEANBASE_OCP_PASSWORD")),
    access_key_id=dict(type="str", no_log=False, fallback=_env("OCEANBASE_OCP_ACCESS_KEY_ID")),
    access_key_secret=dict(type="str", no_log=True, fallback=_env("OCEANBASE_OCP_ACCESS_KEY_SECRET")),
    validate_certs=dict(type="bool", default=True, fallback=_env("OCEANBASE_OCP_VALIDATE_CERTS")),
    ca_path=dict(type="path", fallback=_env("OCEANBASE_OCP_CA_PATH")),
    timeout=dict(type="float", default=30.0),
)

# Connection options of every obshell module.
OBSHELL_CONNECTION_SPEC = dict(
    url=dict(type="str", required=True, fallback=_env("OCEANBASE_OBSHELL_URL")),
    password=dict(type="str", no_log=True, fallback=_env("OCEANBASE_OBSHELL_PASSWORD")),
    agent_password=dict(type="str", no_log=True, fallback=_env("OCEANBASE_OBSHELL_AGENT_PASSWORD")),
    validate_certs=dict(type="bool", default=True, fallback=_env("OCEANBASE_OBSHELL_VALIDATE_CERTS")),
    ca_path=dict(type="path", fallback=_env("OCEANBASE_OBSHELL_CA_PATH")),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="float", default=30.0),
)

# Wait options, the same names on every info module.
WAIT_SPEC = dict(
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=3600),
    wait_sleep=dict(type="int", default=10),
)


def generate_argspec(*specs, **options):
    """Merge option tables (connection, wait, the module's own) into one argument spec."""
    merged = {}
    for spec in specs:
        merged.update(spec)
    merged.update(options)
    return merged


class ModuleFailure(Exception):
    """A failure to report with ``fail_json``: a message plus result keys (the last state seen)."""

    def __init__(self, msg, **result):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.result = result


def check_url(params):
    url = params.get("url") or ""
    if not url.startswith(("http://", "https://")):
        raise ModuleFailure("url: %r is not an http:// or https:// URL" % url)


def check_files(params):
    """The TLS files given must exist (requests would fail later with a message naming no option)."""
    for name in ("ca_path", "client_cert", "client_key"):
        path = params.get(name)
        if path and not os.path.exists(path):
            raise ModuleFailure("%s: %s does not exist" % (name, path))


def check_wait_options(params):
    if params["wait_timeout"] < 0:
        raise ModuleFailure("wait_timeout must be 0 (a single check) or more seconds, not %d" % params["wait_timeout"])
    if params["wait_sleep"] < 1:
        raise ModuleFailure("wait_sleep must be at least 1 second, not %d" % params["wait_sleep"])
    if params["timeout"] <= 0:
        raise ModuleFailure("timeout must be more than 0 seconds, not %s" % params["timeout"])


class OceanbaseModule(AnsibleModule):
    """An AnsibleModule for the read-only API modules: check mode, library checks, and ``run()``,
    which turns ModuleFailure and ApiError into ``fail_json`` and a result into ``exit_json``."""

    def __init__(self, argument_spec, needs_cryptography=False, **kwargs):
        kwargs.setdefault("supports_check_mode", True)
        super(OceanbaseModule, self).__init__(argument_spec=argument_spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        if needs_cryptography and not HAS_CRYPTOGRAPHY:
            self.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)

    def run(self, function):
        """``function(params)`` returns the result dict; ``changed`` is always false."""
        if self.params.get("validate_certs") is False and str(self.params.get("url", "")).startswith("https://"):
            self.warn("validate_certs is false: the server's TLS certificate is not verified, so a man in the middle "
                      "could read the credentials. Use ca_path with the CA that signs it instead.")
        try:
            result = function(self.params)
        except ModuleFailure as failure:
            self.fail_json(msg=failure.msg, changed=False, **failure.result)
        except ApiError as error:
            self.fail_json(msg=error.message, changed=False, error=error.to_dict())
        self.exit_json(changed=False, **result)

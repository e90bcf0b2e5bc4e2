# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

# This module_utils file is for internal use only: its interface may change without notice.

"""Argument specs and the small module base class every module of the collection uses."""

from __future__ import annotations

import os
import sys
import traceback

from ansible.module_utils import basic as _basic
from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.oceanbase.ops.plugins.module_utils._http import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
)
from ansible_collections.oceanbase.ops.plugins.module_utils import _result_output

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

    # How results are written: ansible-core's way, except for long lists (see _result_output).
    _held_lists = None

    @staticmethod
    def _result_encoder():
        """ansible-core's encoder for module results, or None on an ansible-core without it or
        without the hook that writes results (2.18 and older print them in _return_formatted)."""
        if not callable(getattr(AnsibleModule, "_record_module_result", None)):
            return None
        try:
            return _basic._json.get_module_encoder(  # pylint: disable=protected-access
                _basic._ANSIBLE_PROFILE, _basic._json.Direction.MODULE_TO_CONTROLLER)  # pylint: disable=protected-access
        except Exception:  # pylint: disable=broad-except
            return None

    def _return_formatted(self, kwargs):
        # Long lists skip ansible-core's copy of the result for no_log values: they are written
        # (and scrubbed where a no_log value may be) slice by slice in _record_module_result. An
        # empty list keeps each one's place; ansible-core does everything else as usual.
        self._held_lists = {}
        if self._result_encoder() is not None:
            for key in _result_output.long_lists(kwargs):
                self._held_lists[key] = kwargs[key]
                kwargs[key] = []
        super(OceanbaseModule, self)._return_formatted(kwargs)

    def _record_module_result(self, o):
        """Write the result: ansible-core's encoder, the same text; long lists a slice at a time."""
        held = self._held_lists or {}
        self._held_lists = None
        encoder = self._result_encoder()
        if encoder is None or not (held or _result_output.long_lists(o)):
            super(OceanbaseModule, self)._record_module_result(o)
            return
        for key, value in held.items():
            o[key] = value
        no_log_strings = sorted([to_native(value, errors="surrogate_or_strict") for value in self.no_log_values],
                                key=len, reverse=True)
        write = sys.stdout.write
        write("\n")
        # A value the encoder refuses raises here as it would in ansible-core's json.dumps.
        for piece in _result_output.iter_json(o, encoder, unscrubbed=held, no_log_strings=no_log_strings,
                                              scrub=lambda value: remove_values(value, self.no_log_values)):
            write(piece)
        write("\n")

    def run(self, function):
        """``function(params)`` returns the result dict; ``changed`` is always false."""
        if insecure(self.params):
            self.warn(INSECURE_WARNING)
        result, failed = call(function, self.params)
        if failed:
            self.fail_json(**result)
        self.exit_json(**result)


INSECURE_WARNING = ("validate_certs is false: the server's TLS certificate is not verified, so a man in the middle "
                    "could read the credentials. Use ca_path with the CA that signs it instead.")


def insecure(params):
    """True when certificates are not verified on an https URL (worth a warning)."""
    return params.get("validate_certs") is False and str(params.get("url", "")).startswith("https://")


def call(function, params):
    """``function(params)`` as a module result: (result, failed). ModuleFailure and ApiError become
    failures with their message (and the last state seen, or the API error's facts)."""
    try:
        result = function(params)
    except ModuleFailure as failure:
        return dict(failure.result, msg=failure.msg, changed=False), True
    except ApiError as error:
        return dict(msg=error.message, changed=False, error=error.to_dict()), True
    return dict(result, changed=False), False


def run_in_process(function, argument_spec, args, environment=None, needs_cryptography=False, name="module"):
    """What a module process running ``OceanbaseModule(argument_spec).run(function)`` with ``args``
    would return, computed in the calling process: for the role engine, when its task runs on the
    controller anyway. Returns (result, warnings); ``result["failed"]`` is set on failure.

    The options are validated as AnsibleModule validates them (types, defaults, required ones,
    env var fallbacks); ``environment`` (the task's ``environment`` keyword) comes before this
    process's environment for the fallbacks, as it does for a module process. no_log values are
    stripped from the result as AnsibleModule strips them.
    """
    args = dict(args)
    for option, spec in argument_spec.items():
        fallback = spec.get("fallback")
        if args.get(option) is None and environment and fallback and fallback[0] is env_fallback:
            for variable in fallback[1]:
                if variable in environment:
                    args[option] = environment[variable]
                    break
    validation = ArgumentSpecValidator(argument_spec).validate(args)
    if validation.error_messages:
        msg = validation.errors.msg
        if isinstance(validation.errors.errors[0], UnsupportedError):
            msg = "Unsupported parameters for (%s) module: %s" % (name, msg)
        return dict(failed=True, changed=False, msg=msg), []
    params = validation.validated_parameters
    if not HAS_REQUESTS:
        return dict(failed=True, changed=False, msg=missing_required_lib("requests")), []
    if needs_cryptography and not HAS_CRYPTOGRAPHY:
        return dict(failed=True, changed=False, msg=missing_required_lib("cryptography")), []
    warnings = [INSECURE_WARNING] if insecure(params) else []
    result, failed = call(function, params)
    secrets = set(str(params[option]) for option, spec in argument_spec.items()
                  if spec.get("no_log") and params.get(option) not in (None, ""))
    result = remove_values(result, secrets)
    if failed:
        result["failed"] = True
    return result, warnings

# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""run_in_process: what a module process would return, computed in the role engine's process."""

from __future__ import annotations

import pytest

from ansible_collections.oceanbase.ops.plugins.module_utils import _module, _obshell_restore, _ocp_restore
from ansible_collections.oceanbase.ops.plugins.module_utils._http import ApiError
from ansible_collections.oceanbase.ops.plugins.module_utils._module import INSECURE_WARNING, ModuleFailure, run_in_process

NAME = "oceanbase.ops.ocp_restore_task_info"


@pytest.fixture(autouse=True)
def _no_oceanbase_env(monkeypatch):
    for name in ("OCEANBASE_OCP_URL", "OCEANBASE_OCP_USERNAME", "OCEANBASE_OCP_PASSWORD", "OCEANBASE_OCP_VALIDATE_CERTS"):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """A module function that records its params and returns (or raises) what it is told."""

    def __init__(self, outcome=None):
        self.params = None
        self.outcome = outcome if outcome is not None else {"restore_tasks": []}

    def __call__(self, params):
        self.params = params
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return dict(self.outcome)


def _run(args, function=None, **kwargs):
    function = function or Recorder()
    result, warnings = run_in_process(function, _ocp_restore.argument_spec(), args, name=NAME, **kwargs)
    return function, result, warnings


def test_validated_params_have_the_modules_defaults_and_types():
    function, result, warnings = _run({"url": "http://ocp:8080", "cluster_id": "7", "password": "pw", "username": "u"})
    assert result == {"restore_tasks": [], "changed": False}
    assert warnings == []
    params = function.params
    assert params["cluster_id"] == 7 and params["page_size"] == 2000 and params["validate_certs"] is True
    assert params["wait"] is False and params["latest"] is False and params["timeout"] == 30.0


def test_a_missing_required_option_fails_as_the_module_does_without_calling_it():
    function, result, _warnings = _run({"cluster_id": 1})
    assert result == {"failed": True, "changed": False, "msg": "missing required arguments: url"}
    assert function.params is None


def test_an_unknown_option_fails_with_the_module_name():
    function, result, _warnings = _run({"url": "http://ocp", "cluster_id": 1, "bogus": 1})
    assert result["failed"] is True and function.params is None
    assert result["msg"].startswith("Unsupported parameters for (%s) module: bogus." % NAME), result


def test_a_wrong_type_fails_before_the_call():
    function, result, _warnings = _run({"url": "http://ocp", "cluster_id": "seven"})
    assert result["failed"] is True and "cluster_id" in result["msg"] and function.params is None


def test_the_environment_keyword_comes_before_the_process_environment(monkeypatch):
    monkeypatch.setenv("OCEANBASE_OCP_URL", "http://from-process")
    monkeypatch.setenv("OCEANBASE_OCP_USERNAME", "process-user")
    function, _result, _warnings = _run({"cluster_id": 1}, environment={"OCEANBASE_OCP_URL": "http://from-task"})
    assert function.params["url"] == "http://from-task"
    assert function.params["username"] == "process-user"  # not in the keyword: the process environment


def test_options_given_win_over_every_environment(monkeypatch):
    monkeypatch.setenv("OCEANBASE_OCP_URL", "http://from-process")
    function, _result, _warnings = _run({"url": "http://given", "cluster_id": 1},
                                        environment={"OCEANBASE_OCP_URL": "http://from-task"})
    assert function.params["url"] == "http://given"


def test_environment_values_are_converted_like_module_options():
    function, _result, _warnings = _run({"url": "https://ocp", "cluster_id": 1},
                                        environment={"OCEANBASE_OCP_VALIDATE_CERTS": "no"})
    assert function.params["validate_certs"] is False


def test_unverified_https_gives_the_modules_warning():
    _function, _result, warnings = _run({"url": "https://ocp", "cluster_id": 1, "validate_certs": False})
    assert warnings == [INSECURE_WARNING]
    _function, _result, warnings = _run({"url": "http://ocp", "cluster_id": 1, "validate_certs": False})
    assert warnings == []


def test_a_module_failure_keeps_its_state_and_loses_its_secrets():
    failure = ModuleFailure("login as admin with s3cret-pw refused", restore_tasks=[{"errorMsg": "s3cret-pw"}])
    _function, result, _warnings = _run({"url": "http://ocp", "cluster_id": 1, "password": "s3cret-pw"},
                                        function=Recorder(failure))
    assert result == {"failed": True, "changed": False, "msg": "login as admin with ******** refused",
                      "restore_tasks": [{"errorMsg": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}]}


def test_a_secret_from_the_environment_is_stripped_too():
    _function, result, _warnings = _run({"url": "http://ocp", "cluster_id": 1},
                                        function=Recorder({"echo": "x env-secret y"}),
                                        environment={"OCEANBASE_OCP_PASSWORD": "env-secret"})
    assert result["echo"] == "x ******** y"


def test_an_api_error_becomes_the_modules_failure():
    error = ApiError("OCP answered GET /x with HTTP 401", kind="http", status=401, method="GET", path="/x")
    _function, result, _warnings = _run({"url": "http://ocp", "cluster_id": 1}, function=Recorder(error))
    assert result["failed"] is True and result["msg"] == "OCP answered GET /x with HTTP 401"
    assert result["error"]["status"] == 401 and result["error"]["kind"] == "http"


def test_a_missing_library_is_reported_as_the_module_reports_it(monkeypatch):
    monkeypatch.setattr(_module, "HAS_CRYPTOGRAPHY", False)
    function = Recorder()
    result, _warnings = run_in_process(function, _obshell_restore.argument_spec(),
                                       {"url": "http://agent", "tenant_name": "t1", "password": "pw"},
                                       needs_cryptography=True)
    assert result["failed"] is True and "cryptography" in result["msg"] and function.params is None

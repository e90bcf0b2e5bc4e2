# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""A large result is written a slice at a time, to exactly the text ansible-core would write,
no_log values stripped exactly as ansible-core strips them."""

from __future__ import annotations

import datetime
import json
import types
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common import json as core_json
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oceanbase.ops.plugins.module_utils import _module, _result_output


def _task(number, secret_at=None, secret="s3cret"):
    task = {
        "id": number, "status": "RESTORE_SUCCESS" if number % 3 else "RESTORE_FAIL", "phase": "COMPLETED",
        "restoreTenantName": "t_恢复_%d" % number, "progress": number / 7.0, "errorMsg": None,
        "flags": [True, False, None], "nested": {"a\"quote": "line\nbreak \u2028 \x00", "n": -number},
    }
    if number == secret_at:
        task["errorMsg"] = "login with %s failed" % secret
    return task


def _result(count, secret_at=None, secret="s3cret"):
    return {"changed": False, "restore_tasks": [_task(n, secret_at, secret) for n in range(count)],
            "restore_task": _task(0), "retries": 0, "failed": None}


ENCODERS = [core_json.get_module_encoder(profile, core_json.Direction.MODULE_TO_CONTROLLER)
            for profile in ("legacy", "modern")]


@pytest.mark.parametrize("encoder", ENCODERS, ids=("legacy", "modern"))
@pytest.mark.parametrize("count,slice_size", [(11, 10), (20, 10), (21, 10), (35, 10), (2500, 1000)])
def test_slices_join_to_exactly_what_json_dumps_writes(encoder, count, slice_size):
    result = _result(count)
    assert _result_output.long_lists(result, slice_size) == ["restore_tasks"]
    pieces = list(_result_output.iter_json(result, encoder, slice_size))
    assert "".join(pieces) == json.dumps(result, cls=encoder)
    # Sliced for real: no piece holds the whole list.
    assert max(len(piece) for piece in pieces) < len(json.dumps(result["restore_tasks"], cls=encoder))


@pytest.mark.parametrize("result", [
    _result(10),  # no list longer than a slice
    {"restore_tasks": []},
    {1: [0] * 50},  # a key that is not a string: left to ansible-core
    [0] * 50,
    {"restore_tasks": tuple(range(50))},
])
def test_nothing_to_slice_is_left_to_the_ordinary_writer(result):
    assert _result_output.long_lists(result, 10) == []


def test_a_value_the_encoder_refuses_raises():
    with pytest.raises(TypeError):
        list(_result_output.iter_json({"restore_tasks": [object()] * 20}, ENCODERS[0], 10))


def test_secret_forms_include_the_escaped_spelling():
    forms = _result_output.secret_forms(['pa"ss\\wörd', "plain"], ENCODERS[0]())
    assert {'pa"ss\\wörd', 'pa\\"ss\\\\w\\u00f6rd', "plain"} <= forms


@pytest.mark.parametrize("secret", ["in", "nan", "-inf"])
def test_a_secret_that_hides_in_non_finite_floats_scrubs_every_slice(secret):
    assert _result_output.secret_forms([secret], ENCODERS[0]()) is None


def _output(cls, result, capsys, profile="legacy", password=None, method="_return_formatted"):
    spec = {"password": {"type": "str", "no_log": True}}
    with patch_module_args({"password": password} if password else {}):
        module = cls(argument_spec=spec, supports_check_mode=True)
        with mock.patch.object(basic, "_ANSIBLE_PROFILE", profile):
            capsys.readouterr()
            getattr(module, method)(result)
    return capsys.readouterr().out


@pytest.mark.parametrize("profile", ["legacy", "modern"])
def test_module_writes_the_same_text_as_ansible_core_and_slices(capsys, monkeypatch, profile):
    calls = []
    iter_json = _result_output.iter_json

    def spy(result, encoder, **kwargs):
        calls.append(len(result["restore_tasks"]))
        return iter_json(result, encoder, 100, **kwargs)

    result = _result(1450)
    core = _output(AnsibleModule, _result(1450), capsys, profile)
    monkeypatch.setattr(_result_output, "iter_json", spy)
    ours = _output(_module.OceanbaseModule, result, capsys, profile)
    assert calls == [1450]
    assert ours == core
    assert json.loads(ours)["restore_tasks"] == json.loads(json.dumps(_result(1450)["restore_tasks"]))


@pytest.mark.parametrize("secret", ["s3cret", 'pa"ss\\wörd', "1234", "RESTORE_FAIL", "0.14285714285714285"])
@pytest.mark.parametrize("where", [None, 999, 2499])
def test_no_log_values_are_stripped_exactly_as_ansible_core_strips_them(capsys, monkeypatch, secret, where):
    scrubbed = []
    remove_values = _module.remove_values

    def counting(value, no_log_strings):
        scrubbed.append(len(value))
        return remove_values(value, no_log_strings)

    core = _output(AnsibleModule, _result(2500, where, secret), capsys, password=secret)
    monkeypatch.setattr(_module, "remove_values", counting)
    ours = _output(_module.OceanbaseModule, _result(2500, where, secret), capsys, password=secret)
    assert ours == core
    assert json.loads(ours)["restore_tasks"][0]["restoreTenantName"] == "t_恢复_0"
    if secret not in ("1234", "RESTORE_FAIL", "0.14285714285714285"):
        assert secret not in ours and json.dumps(secret)[1:-1] not in ours
    if where is None and secret in ("s3cret", 'pa"ss\\wörd'):
        assert not scrubbed  # no slice could hold it: none copied
    if where is not None and secret in ("s3cret", 'pa"ss\\wörd'):
        assert scrubbed == [1000 if where < 2000 else 500]  # only the slice that holds it


def test_exit_json_strips_a_secret_from_a_long_list(capsys):
    spec = {"password": {"type": "str", "no_log": True}}
    with patch_module_args({"password": "hunter2-secret"}):
        module = _module.OceanbaseModule(argument_spec=spec)
        with mock.patch.object(basic, "_ANSIBLE_PROFILE", "legacy"), pytest.raises(SystemExit):
            module.exit_json(changed=False, restore_tasks=[{"errorMsg": "x hunter2-secret y"}] * 1500)
    out = json.loads(capsys.readouterr().out)
    assert out["restore_tasks"][1499] == {"errorMsg": "x ******** y"}
    assert "hunter2-secret" not in json.dumps(out)


def test_module_falls_back_to_ansible_core_without_the_encoder(capsys, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("sliced without an encoder")

    core = _output(AnsibleModule, _result(1500, 7), capsys, password="s3cret")
    # An ansible-core whose basic module has no _json (or no profile) of the kind this relies on.
    monkeypatch.setattr(_module, "_basic", types.SimpleNamespace())
    monkeypatch.setattr(_result_output, "iter_json", must_not_run)
    assert _output(_module.OceanbaseModule, _result(1500, 7), capsys, password="s3cret") == core


def test_an_ansible_core_without_the_result_hook_keeps_its_lists(capsys, monkeypatch):
    # ansible-core 2.18 and older write the result inside _return_formatted: nothing may be held back.
    monkeypatch.delattr(AnsibleModule, "_record_module_result")
    monkeypatch.delattr(_module.OceanbaseModule, "_record_module_result")
    monkeypatch.setattr(_module.OceanbaseModule, "_result_encoder",
                        staticmethod(_module.OceanbaseModule.__dict__["_result_encoder"].__func__))
    assert _module.OceanbaseModule._result_encoder() is None  # pylint: disable=protected-access


class _Str(str):
    pass


@pytest.mark.parametrize("value,plain", [
    ([{"a": [1, 2.5, None, True, "x", {"b": []}]}], True),
    ([{"a": datetime.datetime(2026, 1, 2, 3, 4, 5)}], False),
    ([{"a": (1, 2)}], False),
    ([{"a": {1: "int key"}}], False),
    ([{"a": [{"b": _Str("tagged")}]}], False),
    ([b"bytes"], False),
])
def test_plain_json_is_exactly_what_json_loads_returns(value, plain):
    assert _result_output.plain_json(value) is plain


@pytest.mark.parametrize("encoder", ENCODERS, ids=("legacy", "modern"))
def test_slices_with_other_types_are_written_by_ansible_cores_encoder(encoder):
    result = {"restore_tasks": [{"n": n, "when": datetime.date(2026, 1, 2)} if n == 15 else {"n": n, "s": _Str("x")}
                                for n in range(30)]}
    assert "".join(_result_output.iter_json(result, encoder, 10)) == json.dumps(result, cls=encoder)

# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""TLS with real ansible-playbook runs: both simulators serve HTTPS with a CA the test generates
(certs.py). validate_certs, ca_path, their OCEANBASE_* environment variables, and obshell mutual
TLS (client_cert / client_key) against an agent that requires a client certificate, for both
modules and the role. Each case has its own simulator (casebook.py runs them side by side)."""

from __future__ import annotations

import pytest

from casebook import Case, check_all, run_cases
from certs import make_pki

OCP_SCENARIO = "ocp-faults-base.yml"
OBSHELL_SCENARIO = "obshell-faults-base.yml"


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki")


def _ocp(sim, **extra):
    args = dict(url=sim.url, username="admin", password="admin-password", cluster_id=1)
    args.update(extra)
    return args


def _obshell(sim, **extra):
    args = dict(url=sim.url, password="root-password", tenant_name="done_tenant")
    args.update(extra)
    return args


def _tls_refused(outcome, sim, *fragments):
    """A clear TLS failure: the message says TLS / certificate and how to fix it, no HTTP request."""
    assert outcome.record is not None, "no result"
    assert outcome.failed, "did not fail: %r" % outcome
    text = outcome.msg
    for fragment in ("TLS", "certificate", "ca_path", "validate_certs") + fragments:
        assert fragment in text, "%r not in %r" % (fragment, text)
    assert not sim.log, "an HTTP request got through: %s" % sim.log


def _served(outcome, sim):
    assert outcome.record is not None, "no result"
    assert not outcome.failed, "failed: %s" % outcome.msg
    assert sim.log, "the simulator saw no request"
    return outcome.result


class Table:
    """Cases and their checks for one playbook run."""

    def __init__(self, ocp_sim, obshell_sim, pki):
        self.ocp_sim = ocp_sim
        self.obshell_sim = obshell_sim
        self.pki = pki
        self.rows = []

    def ocp(self):
        return self.ocp_sim(OCP_SCENARIO, tls=self.pki.server_tls())

    def obshell(self, mutual=False):
        return self.obshell_sim(OBSHELL_SCENARIO, tls=self.pki.server_tls(require_client_cert=mutual))

    def add(self, case, check):
        self.rows.append((case, check))

    def run(self, ansible):
        outcome = run_cases(ansible, [case for case, _check in self.rows], forks=8)
        failures = []
        for case, check in self.rows:
            try:
                check(outcome[case.id])
            except AssertionError as exc:
                failures.append("%s: %s\n    %r" % (case.id, exc, outcome[case.id]))
        check_all(failures)


def test_tls_modules(ansible, ocp_sim, obshell_sim, pki):
    table = Table(ocp_sim, obshell_sim, pki)
    ca = pki.ca

    # validate_certs: true (the default) and a CA the system does not know: refused, clearly.
    sim1 = table.ocp()
    table.add(Case("ocp_unknown_ca", "ocp", _ocp(sim1)), lambda outcome, sim=sim1: _tls_refused(outcome, sim))
    sim2 = table.ocp()
    table.add(Case("ocp_other_ca", "ocp", _ocp(sim2, ca_path=pki.other_ca)), lambda outcome, sim=sim2: _tls_refused(outcome, sim))
    sim3 = table.obshell()
    table.add(Case("obshell_unknown_ca", "obshell", _obshell(sim3)), lambda outcome, sim=sim3: _tls_refused(outcome, sim))

    # ca_path, validate_certs: false, and their environment variables: served.
    for kind, start, build, env_prefix in (("ocp", table.ocp, _ocp, "OCEANBASE_OCP_"),
                                           ("obshell", table.obshell, _obshell, "OCEANBASE_OBSHELL_")):
        sim = start()
        table.add(Case("%s_ca_path" % kind, kind, build(sim, ca_path=ca)), lambda outcome, sim=sim: _served(outcome, sim))
        sim = start()
        table.add(Case("%s_no_validation" % kind, kind, build(sim, validate_certs=False)),
                  lambda outcome, sim=sim: _served(outcome, sim))
        sim = start()
        table.add(Case("%s_env_ca_path" % kind, kind, build(sim), env={env_prefix + "CA_PATH": ca}),
                  lambda outcome, sim=sim: _served(outcome, sim))
        sim = start()
        table.add(Case("%s_env_no_validation" % kind, kind, build(sim), env={env_prefix + "VALIDATE_CERTS": "false"}),
                  lambda outcome, sim=sim: _served(outcome, sim))
        sim = start()
        # An option beats its environment variable.
        table.add(Case("%s_option_beats_env" % kind, kind, build(sim, ca_path=ca), env={env_prefix + "CA_PATH": pki.other_ca}),
                  lambda outcome, sim=sim: _served(outcome, sim))

    # obshell mutual TLS: an agent that requires a client certificate signed by the test CA.
    sim = table.obshell(mutual=True)
    table.add(Case("obshell_mtls", "obshell", _obshell(sim, ca_path=ca, client_cert=pki.client_cert, client_key=pki.client_key)),
              lambda outcome, sim=sim: _served(outcome, sim))
    sim = table.obshell(mutual=True)
    table.add(Case("obshell_mtls_combined_pem", "obshell", _obshell(sim, ca_path=ca, client_cert=pki.client_combined)),
              lambda outcome, sim=sim: _served(outcome, sim))
    sim = table.obshell(mutual=True)
    table.add(Case("obshell_mtls_env_ca", "obshell", _obshell(sim, client_cert=pki.client_cert, client_key=pki.client_key),
                   env={"OCEANBASE_OBSHELL_CA_PATH": ca}),
              lambda outcome, sim=sim: _served(outcome, sim))
    sim = table.obshell(mutual=True)

    def no_client_cert(outcome, sim=sim):
        assert outcome.failed, "did not fail: %r" % outcome
        for fragment in ("TLS", "client_cert", "client_key"):
            assert fragment in outcome.msg, "%r not in %r" % (fragment, outcome.msg)
        assert not sim.log, "an HTTP request got through: %s" % sim.log
    table.add(Case("obshell_mtls_no_client_cert", "obshell", _obshell(sim, ca_path=ca)), no_client_cert)
    table.run(ansible)


def test_tls_certificate_errors_are_not_retried(ansible, ocp_sim, obshell_sim, pki):
    """A server certificate that does not verify will not verify on the next attempt either: the
    module fails at once (retries 0) and a wait does not spend its whole wait_timeout on it.
    (A handshake the server ends for want of a client certificate looks like any dropped
    connection to the client, so it is not asserted here.)"""
    table = Table(ocp_sim, obshell_sim, pki)

    def at_once(outcome, limit):
        assert outcome.failed, "did not fail: %r" % outcome
        assert "TLS" in outcome.msg, outcome.msg
        assert "timed out" not in outcome.msg.lower(), "the wait ran into its timeout: %s" % outcome.msg
        assert outcome.result.get("retries") == 0, "retries: %s" % outcome.result.get("retries")
        elapsed = outcome.result.get("elapsed")
        assert elapsed is None or elapsed < limit, "failed only after %s s" % elapsed

    sim = table.ocp()
    table.add(Case("ocp_unknown_ca_single_read", "ocp", _ocp(sim)), lambda outcome: at_once(outcome, 1))
    sim = table.ocp()
    table.add(Case("ocp_unknown_ca_wait", "ocp", _ocp(sim, tenant_id=1001, task_id=21, wait=True, wait_timeout=8, wait_sleep=1)),
              lambda outcome: at_once(outcome, 3))
    table.run(ansible)


def test_tls_role(ansible, ocp_sim, obshell_sim, pki):
    """The role over HTTPS: ca_path and mutual TLS variables, the CA from the environment, and an
    unknown CA (the role fails with the TLS message, without waiting for its timeout)."""
    table = Table(ocp_sim, obshell_sim, pki)
    common = dict(wait_for_restore_poll_interval=1, wait_for_restore_report_interval=2, wait_for_restore_timeout=8)

    def completed(outcome, sim):
        assert outcome.record is not None, "no result"
        assert not outcome.failed, "the role failed: %s" % outcome.msg
        assert outcome.result["wait_for_restore_result"]["outcome"] == "completed"
        assert sim.log

    sim = table.obshell(mutual=True)
    table.add(Case("role_obshell_mtls", "role", role_vars=dict(
        common, wait_for_restore_api="obshell", wait_for_restore_url=sim.url, wait_for_restore_password="root-password",
        wait_for_restore_tenant_name="done_tenant", wait_for_restore_ca_path=pki.ca,
        wait_for_restore_client_cert=pki.client_cert, wait_for_restore_client_key=pki.client_key)),
        lambda outcome, sim=sim: completed(outcome, sim))
    sim = table.ocp()
    table.add(Case("role_ocp_env_ca", "role", role_vars=dict(
        common, wait_for_restore_api="ocp", wait_for_restore_url=sim.url, wait_for_restore_username="admin",
        wait_for_restore_password="admin-password", wait_for_restore_cluster_id=1, wait_for_restore_task_id=8),
        env={"OCEANBASE_OCP_CA_PATH": pki.ca}),
        lambda outcome, sim=sim: completed(outcome, sim))
    sim = table.ocp()
    table.add(Case("role_ocp_no_validation", "role", role_vars=dict(
        common, wait_for_restore_api="ocp", wait_for_restore_url=sim.url, wait_for_restore_username="admin",
        wait_for_restore_password="admin-password", wait_for_restore_cluster_id=1, wait_for_restore_task_id=8,
        wait_for_restore_validate_certs=False)),
        lambda outcome, sim=sim: completed(outcome, sim))
    sim = table.ocp()

    def unknown_ca(outcome, sim=sim):
        assert outcome.failed, "the role did not fail: %r" % outcome
        for fragment in ("TLS", "certificate", "ca_path", "validate_certs"):
            assert fragment in outcome.msg, "%r not in %r" % (fragment, outcome.msg)
        assert "timed out" not in outcome.msg.lower(), "the role waited for its timeout: %s" % outcome.msg
        assert not sim.log
    table.add(Case("role_ocp_unknown_ca", "role", role_vars=dict(
        common, wait_for_restore_api="ocp", wait_for_restore_url=sim.url, wait_for_restore_username="admin",
        wait_for_restore_password="admin-password", wait_for_restore_cluster_id=1, wait_for_restore_task_id=21)),
        unknown_ca)
    table.run(ansible)

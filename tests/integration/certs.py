# -*- coding: utf-8 -*-
# Copyright (c) oceanbase.ops contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

"""Test PKI for the TLS tests: a CA, a server certificate for 127.0.0.1 / localhost and a client
certificate, both signed by that CA, plus an unrelated CA that signs nothing the servers use.

Everything is generated with ``cryptography`` (EC P-256 keys: fast to make) into a directory,
as PEM files, and described by a :class:`Pki` of paths.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class Pki:
    """Paths of the generated PEM files (all ``str``)."""

    def __init__(self, directory):
        directory = Path(directory)
        self.directory = str(directory)
        self.ca = str(directory / "ca.pem")  # the CA that signs the server and client certificates
        self.other_ca = str(directory / "other-ca.pem")  # a CA unrelated to any server
        self.server_cert = str(directory / "server.pem")
        self.server_key = str(directory / "server.key")
        self.client_cert = str(directory / "client.pem")
        self.client_key = str(directory / "client.key")
        self.client_combined = str(directory / "client-combined.pem")  # certificate and key in one file

    def server_tls(self, require_client_cert=False):
        """The ``tls`` argument of a simulator serving the server certificate."""
        tls = {"certfile": self.server_cert, "keyfile": self.server_key, "cafile": self.ca}
        if require_client_cert:
            tls["require_client_cert"] = True
        return tls


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "oceanbase.ops tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _builder(subject, issuer, public_key, days=2):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days)))


def _make_ca(common_name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(common_name)
    cert = (_builder(subject, subject, key.public_key(), days=3)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_leaf(ca_key, ca_cert, common_name, usage, names=()):
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (_builder(_name(common_name), ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def make_pki(directory):
    """Generate the CA, the server and client certificates and an unrelated CA into ``directory``."""
    pki = Pki(directory)
    Path(pki.directory).mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _make_ca("oceanbase.ops test CA")
    _other_key, other_cert = _make_ca("some other CA")
    server_names = (x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost"))
    server_key, server_cert = _make_leaf(ca_key, ca_cert, "127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, server_names)
    client_key, client_cert = _make_leaf(ca_key, ca_cert, "ansible-controller", ExtendedKeyUsageOID.CLIENT_AUTH)
    files = {
        pki.ca: _cert_pem(ca_cert),
        pki.other_ca: _cert_pem(other_cert),
        pki.server_cert: _cert_pem(server_cert),
        pki.server_key: _key_pem(server_key),
        pki.client_cert: _cert_pem(client_cert),
        pki.client_key: _key_pem(client_key),
        pki.client_combined: _cert_pem(client_cert) + _key_pem(client_key),
    }
    for path, content in files.items():
        Path(path).write_bytes(content)
    return pki

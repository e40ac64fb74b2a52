"""The sandbox's own certificate authority and server certificate, made when the sandbox is created.

Like the Dashboard's "Server root certificate" (prod-ca-2021.crt), ``ca.crt`` is what a client trusts for
``sslmode=verify-full sslrootcert=...``; the server certificate names ``localhost``, ``127.0.0.1`` and ``::1``
so both host spellings verify. EC P-256 keys (fast to make); the keys are 0600.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path

    def exist(self) -> bool:
        return self.ca.exists() and self.cert.exists() and self.key.exists()


def files(sandbox_dir: Path) -> TlsFiles:
    base = sandbox_dir / "tls"
    return TlsFiles(base / "ca.crt", base / "server.crt", base / "server.key")


def ensure(sandbox_dir: Path) -> TlsFiles:
    """The CA and server certificate, made now when missing."""
    found = files(sandbox_dir)
    if not found.exist():
        _make(found)
    return found


def _make(paths: TlsFiles) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "supatui sandbox"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "supatui sandbox root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
             x509.IPAddress(ipaddress.ip_address("::1"))]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths.ca.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(paths.ca.parent, 0o700)
    pem = serialization.Encoding.PEM
    _write(paths.key, key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), 0o600)
    _write(paths.cert, cert.public_bytes(pem), 0o644)
    _write(paths.ca, ca.public_bytes(pem), 0o644)  # the CA's own key is not kept: nothing else gets signed


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)

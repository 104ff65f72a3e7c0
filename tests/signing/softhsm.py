"""A real PKCS#11 token for tests and the benchmark: Debian's SoftHSM2 in a private directory (SOFTHSM2_CONF),
initialised with softhsm2-util and loaded with a key and certificate (softhsm2-util --import, pkcs11-tool)."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from app.signing import pki

MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
TOKEN_LABEL, KEY_LABEL = "nangluc-test", "gcn-signer"


@dataclass(frozen=True)
class Token:
    module: str
    token_label: str
    key_label: str
    pin: str
    conf: Path


def module_path() -> str | None:
    found = next((m for m in MODULES if os.path.exists(m)), None)
    return found if found and shutil.which("softhsm2-util") and shutil.which("pkcs11-tool") else None


def make_token(directory: Path, signer: pki.Issued, pin: str = "271828") -> Token:
    """Initialise a token in `directory` holding `signer`'s key and certificate. Sets SOFTHSM2_CONF for this
    process (SoftHSM reads it when the module is first initialised)."""
    module = module_path()
    assert module, "softhsm2 and opensc are needed (apt-get install softhsm2 opensc)"
    (directory / "tokens").mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    os.environ["SOFTHSM2_CONF"] = str(conf)

    def run(*args: str) -> None:
        subprocess.run(args, env=env, check=True, capture_output=True)

    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", pin, "--so-pin", pin + "0")
    key_file, cert_file = directory / "key.pem", directory / "cert.der"
    key_file.write_bytes(pki.key_pem(signer.key))
    cert_file.write_bytes(signer.cert.public_bytes(serialization.Encoding.DER))
    run("softhsm2-util", "--import", str(key_file), "--token", TOKEN_LABEL, "--label", KEY_LABEL, "--id", "01",
        "--pin", pin)
    run("pkcs11-tool", "--module", module, "--token-label", TOKEN_LABEL, "--login", "--pin", pin,
        "--write-object", str(cert_file), "--type", "cert", "--label", KEY_LABEL, "--id", "01")
    key_file.unlink()  # the key now lives only in the token
    return Token(module, TOKEN_LABEL, KEY_LABEL, pin, conf)

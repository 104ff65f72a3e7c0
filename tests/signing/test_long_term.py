"""PAdES B-T and B-LT against local servers made in the test: an RFC 3161 timestamp server (pyHanko's
DummyTimeStamper behind http.server) and a CRL published at the address the signer's certificate names."""
from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper

from app.certificates import render
from app.config import get_settings
from app.signing import engine, pki
from app.signing import service as signing
from app.signing.models import SigningKey
from tests.signing.test_engine import DATA


@pytest.fixture(scope="module")
def servers(ca):  # noqa: ANN001, ANN201
    """One local HTTP server: POST / answers timestamp requests, GET /ca.crl serves the CA's CRL."""
    tsa = pki.make_tsa(ca)
    stamper = DummyTimeStamper(
        tsa_cert=engine.asn1_cert(tsa.cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[engine.asn1_cert(ca.cert)])
    crl = pki.make_crl(ca)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            req = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = asyncio.run(stamper.async_request_tsa_response(req)).dump()
            seen.append("tsa")
            self._answer(body, "application/timestamp-reply")

        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self._answer(crl, "application/pkix-crl")

        def _answer(self, body: bytes, media_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"url": url, "seen": seen}
    server.shutdown()


def test_with_a_timestamp_server_signatures_carry_a_timestamp(ca, body_key, servers):  # noqa: ANN001
    sealer = engine.PdfSealer(engine.FileSigner(body_key.key, body_key.cert, [ca.cert]),
                              engine.Placement(0, render.SIGNATURE_BOX), timestamp_url=servers["url"] + "/")
    signed = sealer.sign(render.render_one(DATA))
    assert "tsa" in servers["seen"]
    [check] = engine.check_pdf(signed, [ca.cert])
    assert check.valid and check.timestamped  # B-T


def test_with_a_crl_address_revocation_data_is_embedded(ca, servers):  # noqa: ANN001
    signer = pki.make_signer(ca, "Sở có CRL", crl_url=servers["url"] + "/ca.crl")
    from pyhanko_certvalidator import ValidationContext
    context = ValidationContext(trust_roots=[engine.asn1_cert(ca.cert)], allow_fetching=True)
    sealer = engine.PdfSealer(engine.FileSigner(signer.key, signer.cert, [ca.cert]),
                              engine.Placement(0, render.SIGNATURE_BOX), revocation=context)
    signed = sealer.sign(render.render_one(DATA))
    assert "/ca.crl" in servers["seen"]
    reader = PdfFileReader(BytesIO(signed))
    assert "/DSS" in reader.root and "/CRLs" in reader.root["/DSS"]  # B-LT: the CRL travels with the file
    [check] = engine.check_pdf(signed, [ca.cert])
    assert check.valid


def test_the_service_uses_the_configured_timestamp_server(db, body, p12, ca, servers, monkeypatch):  # noqa: ANN001
    from app.auth.principal import Principal

    monkeypatch.setattr(get_settings(), "signing_tsa_url", servers["url"] + "/")
    key = signing.add_pkcs12(db, Principal.system("t"), body.id, p12, "mat-khau-tep-khoa")
    sealer = signing.sealer_for(db, body.id)
    assert isinstance(sealer[0], SigningKey) and sealer[0].id == key.id
    signed = signing.sign_certificate(sealer, render.render_one(DATA))
    [check] = engine.check_pdf(signed, [ca.cert])
    assert check.valid and check.timestamped

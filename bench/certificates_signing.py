"""Benchmark: issue certificates signed by the issuing body (PAdES B-B, app/signing) with a key file and with a
SoftHSM2 token, and unsigned, in the same run; each certificate is its own PDF, as at issue time.

    .venv/bin/python bench/certificates_signing.py [COUNT]

COUNT (default 1,000) certificates are rendered (app/certificates/render.py, QR matrices precomputed as at issue)
and, per route, signed one after another on one core (one process): unsigned, key file (the PKCS#12 key unsealed
once, as the app does), SoftHSM2 token (Debian's softhsm2 + opensc, a token initialised in a temporary directory).
Printed per route: certificates/s, ms per certificate, and the signing cost per signature (signed − unsigned).
Also printed: pyHanko with its defaults (a fresh signer and a dry-run signature each time), on a sample, to show
what the CMS template in app/signing/engine.py saves. Every signed file of the last route is validated afterwards
(pyHanko, against the test CA), outside the timing. Target: ≥ 100 signed certificates/s with a key file.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app.certificates import render  # noqa: E402
from app.signing import engine, pki  # noqa: E402


def certificates(count: int) -> list[render.CertificateData]:
    """The render benchmark's certificates (same people, course, seal and logo), with the signed note."""
    import certificates_render as bench_render

    urls = bench_render.verify_urls(count)
    qrs = [render.QrMatrix.from_bytes(render.qr_matrix(u).to_bytes()) for u in urls]
    data = bench_render.certificates(count, qrs, urls, bench_render.logo_png(), bench_render.seal_png())
    return [replace(d, signature_note=f"Đã ký số bởi:\nSở VHTTDL Bắc Ninh\nThời gian ký: 18/12/2026 10:{i % 60:02d}")
            for i, d in enumerate(data)]


def run(label: str, data: list[render.CertificateData], sign, baseline: float | None) -> tuple[float, list[bytes]]:  # noqa: ANN001
    """Render and sign each certificate; figures per core are from the process's CPU time (the machine may be
    shared), wall time is shown beside them."""
    files = []
    start, cpu = time.perf_counter(), time.process_time()
    for d in data:
        files.append(sign(render.render_one(d)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    per = cpu / len(data) * 1000
    cost = f"   signing {per - baseline:5.2f} ms/signature" if baseline is not None else ""
    size = sum(len(f) for f in files) / len(files) / 1024
    print(f"{label:<28} {len(data) / cpu:7.1f} certificates/s per core ({len(data) / wall:6.1f}/s wall)   "
          f"{per:6.2f} ms CPU each{cost}   {size:5.1f} KiB/file")
    return per, files


def pyhanko_defaults(cert: pki.Issued, ca: pki.Issued, pdf: bytes, n: int) -> float:
    """pyHanko as its documentation shows it: SimpleSigner from a PKCS#12 file, sign_pdf with automatic sizing."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    p12 = pki.to_pkcs12(cert, [ca.cert], b"x")
    signer = signers.SimpleSigner.load_pkcs12_data(p12, [], passphrase=b"x")
    meta = signers.PdfSignatureMetadata(field_name=engine.FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES)
    start = time.process_time()
    for _ in range(n):
        signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer,
                         new_field_spec=fields.SigFieldSpec(engine.FIELD_NAME, box=render.SIGNATURE_BOX))
    return (time.process_time() - start) / n * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    data = certificates(count)
    ca = pki.make_ca("Bench CA")
    body = pki.make_signer(ca, "Sở VHTTDL Bắc Ninh (bench)", "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh")
    placement = engine.Placement(0, render.SIGNATURE_BOX)
    render.render_one(data[0])  # fonts registered, caches warm: the app is warm when it issues
    print(f"{count} certificates, one PDF each, one core\n")
    base, _ = run("unsigned", data, lambda pdf: pdf, None)

    file_sealer = engine.PdfSealer(engine.FileSigner(body.key, body.cert, [ca.cert]), placement)
    file_sealer.sign(render.render_one(data[0]))  # the CMS template is built by the first signature
    _, signed = run("signed, key file (PKCS#12)", data, file_sealer.sign, base)

    from tests.signing import softhsm

    if softhsm.module_path() is None:
        print("signed, SoftHSM2 token        skipped: apt-get install softhsm2 opensc")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            token = softhsm.make_token(Path(tmp), body)
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign.pkcs11 import open_pkcs11_session
            session = open_pkcs11_session(token.module, token_criteria=TokenCriteria(label=token.token_label),
                                          user_pin=token.pin)
            token_sealer = engine.PdfSealer(engine.token_signer(session, token.key_label, [ca.cert]), placement,
                                            session=session)
            token_sealer.sign(render.render_one(data[0]))
            _, signed = run("signed, SoftHSM2 token", data, token_sealer.sign, base)
            token_sealer.close()

    sample = min(50, count)
    default_ms = pyhanko_defaults(body, ca, render.render_one(data[0]), sample)
    print(f"\npyHanko defaults (sample of {sample}): {default_ms:.1f} ms CPU per signature "
          f"(the template and reused signer above avoid this)")
    start = time.perf_counter()
    bad = [i for i, f in enumerate(signed) if not all(c.valid for c in engine.check_pdf(f, [ca.cert]))]
    print(f"validated {len(signed)} signed files with pyHanko in {time.perf_counter() - start:.1f} s: "
          f"{len(signed) - len(bad)} valid, {len(bad)} invalid")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()

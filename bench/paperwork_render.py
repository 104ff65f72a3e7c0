"""Benchmark: the paperwork of a large course (app/paperwork): fields built from the facts, then every file rendered.

    .venv/bin/python bench/paperwork_render.py [PEOPLE]

PEOPLE participants (default 130, the largest course seen in practice) from the made-up sample, with 10 sessions.
Prints, per kind, the time to build the fields and to render the .docx (and the .xlsx and PDF for lists), and the
file sizes. Target: every kind's .docx under 2 s for 130 people on one core (a request renders it synchronously),
the summons with one letter per person included.
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.paperwork import present, render, rules  # noqa: E402


def facts(n: int) -> present.Facts:
    base = present.sample_facts()
    people = [replace(base.people[i % 3], trainee_id=i + 1, full_name=f"{base.people[i % 3].full_name} {i + 1}",
                      commune=f"Xã số {i % 12 + 1}", status="completed", days=2, attended=10)
              for i in range(n)]
    sessions = [replace(base.sessions[i % 2], on=date(2026, 3, 9 + i // 2)) for i in range(10)]
    return replace(base, people=people, sessions=sessions, total_sessions=10,
                   certificates=[present.Cert(p.full_name, p.birth_date, p.commune, f"{i}/2026/GCN", i)
                                 for i, p in enumerate(people, start=1)])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 130
    f = facts(n)
    print(f"{n} participants, 10 sessions")
    print(f"{'kind':<22} {'mode':<8} {'fields ms':>9} {'docx ms':>8} {'docx kB':>8} {'xlsx ms':>8} {'pdf ms':>7}")
    worst = 0.0
    for kind in rules.KINDS:
        for mode in (("person", "commune") if kind == "summons" else ("person",)):
            t0 = time.perf_counter()
            fields = present.with_registration(kind, present.build(kind, f, present.defaults(kind) | {"mode": mode}),
                                               None, None)
            t1 = time.perf_counter()
            docx = render.render_docx(render.shipped(kind), fields)
            t2 = time.perf_counter()
            worst = max(worst, t2 - t1)
            table = present.list_table(kind, fields)
            xlsx_ms = pdf_ms = ""
            if table is not None:
                t3 = time.perf_counter()
                render.xlsx(table)
                t4 = time.perf_counter()
                render.pdf(table)
                t5 = time.perf_counter()
                xlsx_ms, pdf_ms = f"{(t4 - t3) * 1000:.0f}", f"{(t5 - t4) * 1000:.0f}"
            print(f"{kind:<22} {mode:<8} {(t1 - t0) * 1000:>9.1f} {(t2 - t1) * 1000:>8.0f} {len(docx) / 1024:>8.0f} "
                  f"{xlsx_ms:>8} {pdf_ms:>7}")
    print(f"slowest .docx: {worst:.2f} s ({'ok' if worst < 2 else 'over'} the 2 s target)")


if __name__ == "__main__":
    main()

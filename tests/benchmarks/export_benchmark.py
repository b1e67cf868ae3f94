"""Benchmark: export 100,000 registrations to CSV and XLSX (time and peak memory).

Run: ``.venv/bin/python -m tests.benchmarks.export_benchmark [--rows 100000]``
(``make benchmark-export``). Each export runs in a fresh child process so that its
peak resident memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.registrations.coordination import run_export
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.models import ConsentRecord, Registration
from bot.storage.repository import RegistrationFilter

MUNICIPALITIES = ("Böblingen", "Sindelfingen", "Leonberg", "Herrenberg", "Weil der Stadt")


def fill(url: str, rows: int) -> None:
    """Insert ``rows`` registrations with consent records, in batches."""
    engine = make_engine(url)
    upgrade_database(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        batch = 10_000
        for start in range(0, rows, batch):
            count = min(batch, rows - start)
            connection.execute(
                insert(ConsentRecord),
                [
                    {"person_ref": f"p{start + i}", "kind": "mentor", "notice_version": "v1",
                     "language": "tr", "given_at": now}
                    for i in range(count)
                ],
            )  # fmt: skip
            connection.execute(
                insert(Registration),
                [
                    {"person_ref": f"p{start + i}", "kind": "mentor", "status": "new",
                     "language": "tr", "name": f"Person {start + i}", "contact_method": "phone",
                     "phone": "+49 170 1234567", "municipality": MUNICIPALITIES[i % 5],
                     "details": {"interests": ["children"], "languages": ["tr", "de"]},
                     "consent_id": start + i + 1, "created_at": now, "updated_at": now}
                    for i in range(count)
                ],
            )  # fmt: skip
    engine.dispose()


def export_once(url: str, file_format: str, out: Path) -> dict[str, float]:
    """Export once in this process; return seconds, peak RSS in MiB and file size."""
    sessions = make_session_factory(make_engine(url))
    started = time.perf_counter()
    # The coordinators' path: rows read in short transactions, the file written outside.
    rows = run_export(
        sessions, file_format=file_format, filters=RegistrationFilter(), path=out,
        actor="benchmark",
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "seconds": round(seconds, 2), "peak_rss_mib": round(peak_mib, 1),
            "file_mib": round(out.stat().st_size / 2**20, 1)}  # fmt: skip


def main() -> None:
    """Fill a temporary SQLite database and time both export formats."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUT"))
    args = parser.parse_args()
    if args.child:
        url, file_format, out = args.child
        print(json.dumps(export_once(url, file_format, Path(out))))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        started = time.perf_counter()
        fill(url, args.rows)
        print(f"filled {args.rows} rows in {time.perf_counter() - started:.1f} s")
        for file_format in ("csv", "xlsx"):
            out = Path(folder) / f"export.{file_format}"
            result = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.export_benchmark",
                 "--child", url, file_format, str(out)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            print(file_format, result.stdout.strip())


if __name__ == "__main__":
    main()

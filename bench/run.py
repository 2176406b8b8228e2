"""``make bench``: runs every benchmark in bench/ and prints one table, saved in bench/results/."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
# The order they run in; each prints its own figures as it goes.
SCRIPTS = [
    "http_load.py",
    "login_cost.py",
    "photo.py",
    "pdf.py",
    "scores.py",
    "reconcile.py",
    "staff_queue.py",
    "deadline_sweep.py",
    "arrangement.py",
]


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    only = set(sys.argv[1:])
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl", delete=False) as collected:
        path = collected.name
    failures = []
    for script in SCRIPTS:
        if only and script.removesuffix(".py") not in only:
            continue
        if not (BENCH / script).exists():
            print(f"== {script}: not present")
            continue
        print(f"== {script}", flush=True)
        done = subprocess.run([sys.executable, str(BENCH / script)], env={**os.environ, "BENCH_RESULTS": path})
        if done.returncode:
            failures.append(script)
    figures = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
    os.unlink(path)

    rows = [
        (
            figure["bench"],
            figure["metric"],
            f"{figure['value']:,.2f} {figure['unit']}",
            figure["goal"],
            {True: "yes", False: "NO", None: ""}[figure["met"]],
        )
        for figure in figures
    ]
    header = ("bench", "metric", "value", "goal", "met")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]
    ]
    lines.insert(1, "-|-".join("-" * width for width in widths))
    print("\n" + "\n".join(lines))

    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    (RESULTS / "latest.json").write_text(
        json.dumps({"run_at": stamp, "figures": figures}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    markdown = [f"# Benchmark results ({stamp})", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    markdown += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    (RESULTS / "latest.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    print(f"\nSaved bench/results/latest.json and bench/results/latest.md. Failed: {', '.join(failures) or 'none'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

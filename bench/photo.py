"""How long the photo check takes: the median of a 40 KB photo's full validation (JPEG walk, decode,
dimensions, background sampling, re-encode without metadata) beside a bare Pillow decode of it.

Run from the project folder: ``.venv/bin/python bench/photo.py [--rounds N]``; ``make bench`` runs it too.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wecan.settings")

import django  # noqa: E402

django.setup()

from PIL import Image  # noqa: E402

from bench.common import Figure, report  # noqa: E402
from registration.imaging import check_photo  # noqa: E402
from registration.models import Exam  # noqa: E402
from registration.services.files import photo_rules  # noqa: E402
from tests.files.images import photo_jpeg  # noqa: E402


def median_ms(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and 90th percentile in milliseconds, after a warm-up."""
    for _ in range(min(50, rounds)):
        action()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.9)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1000)
    rounds = parser.parse_args().rounds

    data = photo_jpeg(target_bytes=40 * 1024)
    rules = photo_rules(Exam())  # the default bounds: 20–200 KB, at least 295×413, 5:7
    verdict = check_photo(data, rules)
    assert verdict.accepted, verdict.reason

    def decode() -> None:
        Image.open(io.BytesIO(data)).load()

    check_median, check_p90 = median_ms(lambda: check_photo(data, rules), rounds)
    decode_median, _decode_p90 = median_ms(decode, rounds)
    print(f"  photo: {len(data) / 1024:.1f} KB, {verdict.width}×{verdict.height} px, {rounds} rounds")
    report(
        [
            Figure("photo", "validation median (40 KB photo)", check_median, "ms", "≤ 3 ms", check_median <= 3),
            Figure("photo", "validation p90", check_p90, "ms"),
            Figure("photo", "bare Pillow decode median", decode_median, "ms"),
            Figure("photo", "validation / decode", check_median / decode_median, "×"),
        ]
    )


if __name__ == "__main__":
    main()

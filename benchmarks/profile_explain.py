"""Profile ``explain`` over the inputs of ``bench_explain.py`` (X-1, X-5).

Run with ``PYTHONPATH=src python benchmarks/profile_explain.py``. Not a test: it prints the
functions that cost the most, by cumulative time (``PROFILE_SORT=tottime`` for their own
time), over ``PROFILE_N`` inputs (default 10,000) drawn from the same pool of accounts as the
benchmark, after a warm-up that fills the policy's caches.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_explain as bench  # the benchmark's pool, from its own folder

from billrules.policy import DEFAULT_POLICY
from billrules.report import explain


def main() -> None:
    rng = random.Random(bench.SEED)
    pool = [bench.build_account(rng, index) for index in range(bench.POOL)]
    inputs = []
    for _ in range(int(os.environ.get("PROFILE_N", "10000"))):
        account = rng.choice(pool)
        inputs.append((account, account.created_at + timedelta(hours=rng.randrange(24 * 500))))
    for account, at in inputs[:500]:
        explain(account, DEFAULT_POLICY, at)
    profile = cProfile.Profile()
    profile.enable()
    for account, at in inputs:
        explain(account, DEFAULT_POLICY, at)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("PROFILE_TOP", "30")))


if __name__ == "__main__":
    main()

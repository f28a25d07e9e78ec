"""Reading one account JSON line, as ``billrules run`` does, against a base revision.

Run with ``python benchmarks/bench_read.py [--base REV] [--rounds 5] [--count 2000]``. Not a
test: it prints figures. The base revision (``main`` by default) is checked out in a
temporary ``git worktree`` and each side runs in its own interpreter, the rounds of the two
sides interleaved, over the same generated accounts (``billrules.testing.population_lines``,
seed 1). Each side prints, per line, the median over its rounds of:

- the whole read (``billrules.run``'s parse of one line: JSON, vetting, values);
- the split: the JSON parser alone (``json.loads``), the vetting on top of it
  (``_loads.vetted_json`` less the parser), and building the values from parsed data
  (``_plain.structure``).

Before timing, both sides read the same lines plus a set of broken ones (the refusals of
``tests/test_run*.py``, ``tests/test_json.py`` and ``tests/test_schema_agreement.py``, and
every field of a full account replaced by a wrong value in turn): every account read must be
equal (as written back to JSON) and every refusal must name the same field with the same
message and error class, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, statistics, sys, time
from datetime import UTC, datetime
from billrules import _loads, _plain, serialize
from billrules.account import Account
from billrules.run import _parse
from billrules.testing import population_lines

mode, count = sys.argv[1], int(sys.argv[2])
texts = list(population_lines(count, seed=1, as_of=datetime(2024, 5, 8, tzinfo=UTC)))
if mode == "answers":
    answers = []
    for line in json.load(sys.stdin):
        try:
            account = _parse(line, [])
        except Exception as error:
            answers.append([type(error).__name__, getattr(error, "field", None),
                            getattr(error, "problem", str(error))])
        else:
            answers.append(serialize.to_dict(account))
    print(json.dumps(answers))
    sys.exit()
datas = [json.loads(text) for text in texts]
passes = {
    "read": (lambda text: _parse(text, []), texts),
    "parse": (json.loads, texts),
    "vetted": (lambda text: _loads.vetted_json(text, "(line)"), texts),
    "build": (lambda data: _plain.structure(Account, dict(data), "", serialize.HOOKS), datas),
}
for text in texts:
    _parse(text, [])
print("ready", flush=True)
for command in sys.stdin:  # one pass of the named reading per command, its time per line out
    read, items = passes[command.strip()]
    started = time.process_time()  # this process's CPU time: other processes' load aside
    for item in items:
        read(item)
    print((time.process_time() - started) / len(items) * 1e6, flush=True)
"""

CARD = "4111 1111 1111 1111"

#: Wrong values put in place of each field of a full account in turn.
_REPLACEMENTS: list[object] = [
    None,
    5,
    -1,
    40,
    5.0,
    True,
    "",
    "   ",
    "x",
    CARD,
    "x" * 257,
    [],
    {},
    "2024-01-10T10:00:00",
    "2024-01-10t10:00:00+02:00",
    "2024-01-10T10:00:00+0200",
    "0999-01-01T00:00:00Z",
    "2024-01-10T10:00:00+02:00:30",
    "2025-02-29",
    "0999-01-01",
    "-1.00 USD",
    "19.00  USD",
    "19.00 usd",
    "1e3 USD",
    "19.00 EUR",
    "0.00 USD",
    "1" * 31 + " USD",
]


def _full_accounts() -> list[dict[str, object]]:
    """Generated accounts that between them have every optional part."""
    sys.path.insert(0, str(ROOT / "src"))
    from datetime import UTC, datetime

    from billrules.testing import population

    chosen: dict[str, dict[str, object]] = {}
    for data in population(400, seed=3, as_of=datetime(2024, 5, 8, tzinfo=UTC)):
        for part in ("ledger", "invoices", "payments", "wallet", "seats", "subscription"):
            if data.get(part) and part not in chosen:
                chosen[part] = data
        for part in ("cancellation_request", "deletion_schedule"):
            if data.get(part) and part not in chosen:
                chosen[part] = data
    return list({id(data): data for data in chosen.values()}.values())


def _paths(data: object, where: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [where] if where else []
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found += _paths(value, (*where, key))
    return found


def _replaced(data: object, path: tuple[object, ...], value: object) -> object:
    copy = json.loads(json.dumps(data))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def broken_lines() -> list[str]:
    """Lines each reader must refuse alike (and a few it must read alike)."""
    accounts = _full_accounts()
    good = accounts[0]
    lines = [
        '{"id": "truncated", ',
        "[1, 2]",
        "\u00a0",
        '{"id": "acct-x"',
        json.dumps({**good, "colour": "blue"}),
        json.dumps({**good, "id": CARD}),
        json.dumps({**good, "users": [{"id": CARD, "role": "owner"}]}),
        json.dumps(good)[:-1] + ', "id": "twice"}',
        json.dumps(good).replace('"id": ', '"id" : ', 1)[:-1] + ', "id" : "twice"}',
        json.dumps({**good, "seats": {"total": 10**50, "occupants": []}}),
        json.dumps({**good, "seats": {"total": NAN_MARK, "occupants": []}}).replace(
            f'"{NAN_MARK}"', "NaN"
        ),
        json.dumps({**good, "seats": {"total": 1e300, "occupants": []}}).replace("1e+300", "1e999"),
        json.dumps({**good, "id": "\ud800"}),
        json.dumps({**good, "users": [{"id": "o", "role": "owner"}, {"id": "o", "role": "owner"}]}),
        json.dumps({**good, "users": [{"id": "a", "role": "admin"}]}),
        json.dumps(
            {**good, "x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
        ),
        "\ufeff" + json.dumps(good),
        # Vetting told by letters outside strings: an exponent or an infinity beside true/false.
        json.dumps({**good, "x": [True, False, None, 1e300]}).replace("1e+300", "1E999"),
        json.dumps({**good, "x": [False, NAN_MARK]}).replace(f'"{NAN_MARK}"', "-Infinity"),
        json.dumps({**good, "x": {"true": [True, 1.5e3]}}),
        json.dumps({**good, "x": {"a": [{"a": [{"a": [1]}]}] * 3}}),
        json.dumps({**good, "x": _nested_alternating(40)}),
    ]
    for account in accounts:
        lines.append(json.dumps(account))
        for path in _paths(account):
            for value in _REPLACEMENTS:
                lines.append(json.dumps(_replaced(account, path, value)))
            if isinstance(path[-1], str):
                lines.append(json.dumps(_dropped(account, path)))
    return lines


NAN_MARK = "__nan__"


def _nested_alternating(levels: int) -> object:
    value: object = 1
    for level in range(levels):
        value = {"a": value} if level % 2 else [value]
    return value


def _dropped(data: object, path: tuple[object, ...]) -> object:
    copy = json.loads(json.dumps(data))
    target = copy
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return copy


def _run(source: Path, arguments: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"},
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base", default=None, help="the revision to compare with (default: where HEAD left main)"
    )
    parser.add_argument("--rounds", type=int, default=15, help="passes of each reading per side")
    parser.add_argument("--count", type=int, default=1000)
    options = parser.parse_args()
    if options.base is None:
        options.base = subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()[:10]
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), options.base],
            check=True,
        )
        try:
            sides = {"base": base / "src", "this": ROOT / "src"}
            lines = broken_lines()
            answers = {
                name: json.loads(_run(src, ["answers", "0"], json.dumps(lines)))
                for name, src in sides.items()
            }
            differ = [n for n, (a, b) in enumerate(zip(*answers.values(), strict=True)) if a != b]
            for n in differ[:10]:
                print("differs:", lines[n][:200], answers["base"][n], answers["this"][n])
            refused = sum(1 for answer in answers["this"] if isinstance(answer, list))
            print(
                f"same answers on {len(lines)} lines ({refused} refused): "
                f"{'yes' if not differ else f'NO, {len(differ)} differ'}"
            )
            if differ:
                sys.exit(1)
            figures = _timed(sides, options.rounds, options.count)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True
            )
    print(
        f"per line, median of {options.rounds} passes over {options.count} generated accounts"
        " (CPU time of the reading process), the two sides' passes taking turns:"
    )
    medians = {
        name: {key: statistics.median(times) for key, times in passes.items()}
        for name, passes in figures.items()
    }
    for name, m in medians.items():
        label = f"{options.base}" if name == "base" else "this tree"
        print(
            f"  {label:>10}: reading the account JSON {m['read']:6.1f} µs = "
            f"parse {m['parse']:5.1f} + vet {m['vetted'] - m['parse']:5.1f} "
            f"+ build {m['build']:5.1f} (+ the rest {m['read'] - m['vetted'] - m['build']:4.1f});"
            f" read passes: {', '.join(format(t, '.0f') for t in figures[name]['read'])}"
        )
    ratio = medians["this"]["read"] / medians["base"]["read"]
    print(f"  this tree / {options.base}: {ratio:.2f}")


def _timed(sides: dict[str, Path], rounds: int, count: int) -> dict[str, dict[str, list[float]]]:
    """Per side, per reading, the time per line of each pass; the sides' passes take turns."""
    children = {
        name: subprocess.Popen(
            [sys.executable, "-c", _CHILD, "time", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        )
        for name, src in sides.items()
    }
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    try:
        for child in children.values():
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for _ in range(rounds):
            for reading in ("read", "parse", "vetted", "build"):
                for name, child in children.items():
                    assert child.stdin is not None
                    assert child.stdout is not None
                    child.stdin.write(reading + "\n")
                    child.stdin.flush()
                    took = float(child.stdout.readline())
                    figures[name].setdefault(reading, []).append(took)
    finally:
        for child in children.values():
            if child.stdin is not None:
                child.stdin.close()
            child.wait()
    return figures


if __name__ == "__main__":
    main()

"""One line splitter for the command, `due` and Dask, and every bad item an error record in one
process, in worker processes and on Dask alike (issue 18, classes 5 and 10)."""

from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billrules import DEFAULT_POLICY
from billrules.cli import main
from billrules.errors import InvalidInput, InvalidType
from billrules.evaluation import AREAS
from billrules.run import AccountDue, AccountError, due, due_bag, file_lines, lines, read_bag
from billrules.testing import population_lines

AS_OF = datetime(2024, 5, 8, tzinfo=UTC)
WINDOW = {"start": AS_OF - timedelta(days=5), "end": AS_OF + timedelta(days=5)}
COMMAND_WINDOW = ["--start", "2024-05-03T00:00:00Z", "--end", "2024-05-13T00:00:00Z"]

#: The profile's settings, with few examples: each one starts worker processes and a Dask job.
SLOW = settings(
    settings.default,
    max_examples=min(settings.default.max_examples, 8),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Account lines without their newline.
VALID = [line.rstrip("\n").encode("utf-8") for line in population_lines(30, seed=7, as_of=AS_OF)]


def _with_cr(line: bytes) -> bytes:
    """The same account with a bare CR between two JSON tokens (JSON whitespace)."""
    return line.replace(b'","', b'",\r"', 1)


def _with_separators(line: bytes) -> bytes:
    """The same account with U+2028, U+2029 and NEL inside a description (allowed in JSON)."""
    return line.replace(b'"description":"', '"description":"\u2028\u2029\u0085'.encode(), 1)


#: Lines that are no account: each must be an error record on its own line, never skipped.
BAD = [
    b'{"id": "\xff\xfe"}',
    b"\xc3(",
    "\u00a0".encode(),
    "\u3000\u3000".encode(),
    "\u2028".encode(),
    b"\x1c",
    b'{"id": "acct-x"',
]
#: Blank lines: only ASCII whitespace, skipped but counted.
BLANK = [b"", b" ", b"\t \r", b"\r", b"\x0b\x0c"]

_pieces = st.one_of(
    st.sampled_from(VALID).map(lambda line: ("account", line)),
    st.sampled_from(VALID).map(lambda line: ("account", _with_cr(line))),
    st.sampled_from(VALID).map(lambda line: ("account", _with_separators(line))),
    st.sampled_from(BAD).map(lambda line: ("bad", line)),
    st.sampled_from(BLANK).map(lambda line: ("blank", line)),
)


def _records(data: bytes, **options):
    return list(due(file_lines(io.BytesIO(data)), DEFAULT_POLICY, **WINDOW, **options))


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
@SLOW
@given(pieces=st.lists(_pieces, min_size=1, max_size=12), newline_at_end=st.booleans())
def test_lines_split_alike_in_one_process_with_workers_on_dask_and_in_the_command(
    dask_client, pieces, newline_at_end
):
    data = b"\n".join(line for _, line in pieces) + (b"\n" if newline_at_end else b"")
    one = _records(data)
    # The oracle: one record per line that is not blank, on its line; accounts read as such.
    expected = [(n, kind) for n, (kind, _) in enumerate(pieces, start=1) if kind != "blank"]
    assert [(record.line, type(record)) for record in one] == [
        (n, AccountDue if kind == "account" else AccountError) for n, kind in expected
    ]
    assert _records(data, workers=2, chunk=3) == one
    expected_lines = list(lines(one))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "accounts.jsonl"
        path.write_bytes(data)
        on_dask = due_bag(read_bag(str(path)), DEFAULT_POLICY, **WINDOW).compute()
        assert [line + "\n" for line in on_dask] == expected_lines
        out = Path(scratch) / "effects.jsonl"
        assert main(["run", str(path), *COMMAND_WINDOW, "--out", str(out)]) == 0
        assert out.read_bytes() == "".join(expected_lines).encode("utf-8")


def test_a_bare_cr_and_u2028_stay_inside_their_line():
    data = b"\n".join([_with_cr(VALID[0]), _with_separators(VALID[1]), b"\r", VALID[2]])
    records = _records(data)
    assert [(type(record), record.line) for record in records] == [
        (AccountDue, 1),
        (AccountDue, 2),
        (AccountDue, 4),
    ]


@pytest.mark.parametrize("line", ["\u00a0", "\u3000", "\u2028", "\x1c", " \u00a0 "])
def test_a_line_of_unicode_space_is_an_error_record_not_a_blank_line(line):
    for item in (line, line.encode("utf-8"), line + "\n"):
        records = list(due([VALID[0], item], DEFAULT_POLICY, **WINDOW))
        assert [type(record) for record in records] == [AccountDue, AccountError]
        assert records[1].line == 2
        assert records[1].field == "(account line)"


@pytest.mark.parametrize("line", ["", " ", "\t\r\n", "\x0b\x0c", b"", b" \r\n"])
def test_a_line_of_ascii_whitespace_is_blank_skipped_and_counted(line):
    records = list(due([line, VALID[0]], DEFAULT_POLICY, **WINDOW))
    assert [(type(record), record.line) for record in records] == [(AccountDue, 2)]


def test_invalid_utf8_on_one_line_is_an_error_record_and_the_run_goes_on():
    data = b"\n".join([VALID[0], b'{"id": "\xff"}', VALID[1]])
    records = _records(data)
    assert [type(record) for record in records] == [AccountDue, AccountError, AccountDue]
    assert records[1].line == 2
    assert records[1].message == "is not UTF-8 text (invalid byte at offset 8)"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_dask_reads_invalid_utf8_as_an_error_record_not_an_abort(dask_client, tmp_path):
    path = tmp_path / "accounts.jsonl"
    path.write_bytes(b"\n".join([VALID[0], b"\xff\xfe", b"\r", "\u00a0".encode(), VALID[1]]))
    result = due_bag(read_bag(str(path)), DEFAULT_POLICY, **WINDOW).compute()
    errors = [json.loads(line) for line in result if '"account_error"' in line]
    assert [(error["line"], error["field"]) for error in errors] == [
        (2, "(account line)"),
        (4, "(account line)"),
    ]
    assert [line + "\n" for line in result] == list(lines(_records(path.read_bytes())))


def test_read_bag_refuses_a_path_that_matches_no_file(tmp_path):
    with pytest.raises(InvalidInput) as raised:
        read_bag(str(tmp_path / "absent-*.jsonl"))
    assert raised.value.field == "urlpath"


def test_file_lines_makes_an_over_long_line_unreadable_and_reads_on():
    data = b"x" * 50 + b"\n" + b"{}\r\n"
    items = list(file_lines(io.BytesIO(data), limit=20, too_long="20 bytes"))
    assert len(items) == 2
    assert items[0].problem == "the line is longer than 20 bytes"
    assert items[1] == b"{}\r\n"


class _Unloadable:
    """Pickles, but cannot be unpickled (in a worker it would break the process's queue)."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise RuntimeError("cannot be rebuilt")


class _Killer:
    """Pickles, and kills the worker process that unpickles it."""

    def __reduce__(self):
        return (os._exit, (3,))


class _Unpicklable:
    def __reduce__(self):
        raise TypeError("cannot be pickled")


_OBJECTS = [
    threading.Lock(),
    {"id": "acct-lock", "lock": threading.Lock()},
    lambda: None,
    _Unpicklable(),
    _Unloadable(),
    {"id": "acct-map"},
    object(),
    None,
    42,
]


@SLOW
@given(
    items=st.lists(
        st.one_of(
            st.sampled_from([line.decode() for line in VALID]),
            st.sampled_from(VALID),
            st.sampled_from(_OBJECTS),
            st.sampled_from(BAD + BLANK),
        ),
        min_size=1,
        max_size=10,
    ),
    chunk=st.integers(1, 4),
)
def test_workers_give_every_bad_item_the_record_one_process_gives(items, chunk):
    one = list(due(items, DEFAULT_POLICY, **WINDOW))
    assert list(due(items, DEFAULT_POLICY, **WINDOW, workers=2, chunk=chunk)) == one


def test_an_unpicklable_item_is_an_error_record_with_two_workers():
    items = [VALID[0], threading.Lock(), {"id": "acct-lock", "lock": threading.Lock()}, VALID[1]]
    with pytest.raises((TypeError, pickle.PicklingError)):
        pickle.dumps(items[1])
    two = list(due(items, DEFAULT_POLICY, **WINDOW, workers=2, chunk=2))
    assert [(type(record), record.line) for record in two] == [
        (AccountDue, 1),
        (AccountError, 2),
        (AccountError, 3),
        (AccountDue, 4),
    ]
    assert two[2].field == "lock"
    assert two == list(due(items, DEFAULT_POLICY, **WINDOW))


@pytest.mark.parametrize("records", ["abc", b"abc", 5, None, {"line": 1}])
def test_lines_refuses_what_is_not_an_iterable_of_records_naming_records(records):
    with pytest.raises(InvalidType) as raised:
        lines(records)
    assert raised.value.field == "records"


@pytest.mark.parametrize("item", ["abc", None, 5, {"line": 1}])
def test_lines_refuses_an_item_that_is_no_record_naming_records(item):
    with pytest.raises(InvalidType) as raised:
        list(lines([item]))
    assert raised.value.field == "records"
    assert "AccountDue or AccountError" in raised.value.problem


def test_an_item_that_kills_its_worker_still_gets_the_record_of_one_process():
    items = [VALID[0], _Unloadable(), VALID[1], _Killer(), VALID[2], {"id": "acct-map"}, VALID[3]]
    one = list(due(items, DEFAULT_POLICY, **WINDOW))
    assert [type(record) for record in one] == [
        AccountDue,
        AccountError,
        AccountDue,
        AccountError,
        AccountDue,
        AccountError,
        AccountDue,
    ]
    assert list(due(items, DEFAULT_POLICY, **WINDOW, workers=2, chunk=2)) == one


def test_a_worker_sends_back_the_lines_of_items_it_cannot_unpickle():
    from billrules.run import _chunk, _packed

    items = [VALID[0].decode(), threading.Lock(), _Unloadable(), " ", {"id": "acct-map"}]
    packed = _packed(items)
    assert packed is not None
    assert packed[1] is None
    records = _chunk(packed, 10, DEFAULT_POLICY, WINDOW["start"], WINDOW["end"], AREAS, True)
    assert [record if isinstance(record, int) else type(record) for record in records] == [
        AccountDue,
        11,
        12,
        AccountError,
    ]
    assert records[3].line == 14
    assert _packed([VALID[0], VALID[1].decode()]) is None  # plain lines are sent as they are

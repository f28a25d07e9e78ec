"""The run over many accounts: every effect due in a window, as a stream (X-8).

A host runs the same job every few minutes or every night: for every account, what is due in
``[start, end)``? :func:`due` answers it for any iterable of accounts — :class:`Account`
values, account JSON mappings, or account JSON text (one line of a JSON Lines file each) — and
yields one record per account, in the input's order: an :class:`AccountDue` with the account's
transitions in the window (their effects carry the account id and their key, X-6), or an
:class:`AccountError` when the account cannot be read. A bad account does not stop the run.
Accounts are read one at a time, so memory does not grow with their number.

With ``workers=N`` the input is cut into chunks of ``chunk`` accounts, parsed and evaluated in
``N`` processes (the standard library's :mod:`concurrent.futures`); records come back in the
input's order and are the same as one process gives. Text lines are the fast path: a chunk of
lines costs little to send, where an :class:`Account` would be pickled whole. For more than one
machine, :func:`due_bag` runs the same job over a ``dask.bag`` (the ``billrules[dask]`` extra).

With ``applied=True`` each :class:`AccountDue` also holds the account after its effects
(:func:`billrules.apply`, X-9) when they change a fact: what the host stores for the next
window, whose ``start`` is this one's ``end`` (``billrules run --accounts-out``).

:func:`lines` turns records into JSON Lines: one effect per line (the effect JSON of
:func:`billrules.serialize.to_dict`, tagged by ``kind``, with its ``key`` and ``account``), and
one ``{"kind": "account_error", ...}`` line per account that could not be read.

Lines (one rule for the command, :func:`due` and :func:`read_bag`, in :func:`file_lines`): a
file is split on ``"\n"`` only (a bare CR or a U+2028 inside a line is not a line break, as
JSON allows both inside a line); a line holding nothing but ASCII whitespace is blank, skipped
but counted in the line numbers (a line of NBSP or U+3000 is no blank line but a bad account
line, an error record); a line that is not UTF-8 is an error record on its line, and the run
goes on.

>>> from datetime import datetime, UTC
>>> from billrules import DEFAULT_POLICY
>>> from billrules.testing import population_lines
>>> start = datetime(2024, 5, 8, tzinfo=UTC)
>>> end = datetime(2024, 5, 9, tzinfo=UTC)
>>> accounts = list(population_lines(50, seed=1, as_of=start))
>>> run = due([*accounts, '{"id": "broken"'], DEFAULT_POLICY, start=start, end=end)
>>> records = list(run)
>>> run.summary.accounts, run.summary.errors
(51, 1)
>>> records[-1].line, records[-1].field
(51, '(account line)')
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import json
import multiprocessing
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Final

import attrs

from billrules import _loads, _plain, _time, serialize
from billrules import _validate as v
from billrules._apply import apply
from billrules._check import STREAM, checked
from billrules._redact import holds_card_number
from billrules.account import Account
from billrules.contract import Transition
from billrules.effects import Effect
from billrules.errors import BillRulesError, InvalidInput, InvalidType
from billrules.evaluation import AREAS, Evaluation, Registry
from billrules.policy import Policy

if TYPE_CHECKING:  # pragma: no cover - the optional extra
    import dask.bag

__all__ = [
    "AccountDue",
    "AccountError",
    "Run",
    "RunSummary",
    "Unreadable",
    "due",
    "due_bag",
    "lines",
    "read_bag",
]

#: Accounts per chunk sent to a worker process.
CHUNK: Final = 256

#: The ``kind`` of an error record in the JSON Lines output.
ERROR_KIND: Final = "account_error"

#: The longest line of a file read as an account (10 MiB); a longer one is an error record.
MAX_LINE_BYTES: Final = 10 * 1024 * 1024

#: What a blank line may hold: ASCII whitespace only (what ``bytes.isspace`` means).
_ASCII_SPACE: Final = " \t\n\r\x0b\x0c"


@attrs.frozen(kw_only=True)
class AccountDue:
    """What is due for one account in the window.

    Attributes:
        line: The account's place in the input, from 1 (its line in a JSON Lines file).
        account_id: The account's id.
        transitions: Its transitions in ``[start, end)``, in time order; their effects carry
            the account id.
        applied: Asked for with ``due(..., applied=True)``: the account after
            :func:`billrules.apply` of :attr:`effects` (X-9), the snapshot to store for the
            next window; ``None`` when they change no fact (the account read stands as it
            was) or when it was not asked for.
    """

    line: int
    account_id: str
    transitions: tuple[Transition, ...]
    applied: Account | None = None

    @property
    def effects(self) -> tuple[Effect, ...]:
        """The effects of the transitions, in order: what the host executes, by key."""
        return tuple(effect for change in self.transitions for effect in change.effects)


@attrs.frozen(kw_only=True)
class AccountError:
    """An account the run could not read: where it is, and what is wrong (never its secrets).

    Attributes:
        line: The account's place in the input, from 1.
        account_id: Its id when one could be read (and is no card number), else ``None``.
        field: The path of the field at fault (``users[1].role``), or ``(account line)`` when
            the line is not an account at all.
        message: What is wrong, with any value that could be a card number redacted.
    """

    line: int
    account_id: str | None
    field: str
    message: str


Record = AccountDue | AccountError


@attrs.frozen
class Unreadable:
    """An input item the host could not even read as text (a line over its size limit, say).

    Passed among the accounts, it becomes an :class:`AccountError` on its line saying
    ``problem``; the run goes on.
    """

    problem: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class RunSummary:
    """The counts of a run: accounts read, transitions, effects, and accounts in error."""

    accounts: int = 0
    transitions: int = 0
    effects: int = 0
    errors: int = 0

    def add(self, record: Record) -> RunSummary:
        """This summary with ``record`` counted."""
        if isinstance(record, AccountError):
            return attrs.evolve(self, accounts=self.accounts + 1, errors=self.errors + 1)
        changes = record.transitions
        return RunSummary(
            accounts=self.accounts + 1,
            transitions=self.transitions + len(changes),
            effects=self.effects + sum(len(change.effects) for change in changes),
            errors=self.errors,
        )


class Run(Iterator[Record]):
    """The records of a run, as they are computed; :attr:`summary` counts those read so far."""

    def __init__(self, records: Iterator[Record]) -> None:
        self._records = records
        self.summary = RunSummary()

    def __iter__(self) -> Run:
        return self

    def __next__(self) -> Record:
        record = next(self._records)
        self.summary = self.summary.add(record)
        return record


def _account_id(data: object) -> str | None:
    """The id of an account that could not be read, when it is safe to repeat."""
    ident = data.get("id") if isinstance(data, Mapping) else None
    if not isinstance(ident, str) or len(ident) > 200 or holds_card_number(ident):
        return None
    try:
        ident.encode("utf-8")  # a lone surrogate is no text to write out
    except UnicodeEncodeError:
        return None
    return ident


def _text(item: str | bytes | bytearray) -> str:
    if isinstance(item, str):
        return item
    try:
        return bytes(item).decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start  # the error holds the line's bytes: raised below, outside (PM-6)
    raise _plain.PlainDataError(
        "(account line)", f"is not UTF-8 text (invalid byte at offset {offset})"
    )


def _parse(item: object, read: list[object]) -> Account:
    """The account; ``read`` receives its plain data once parsed (an error record's id)."""
    if isinstance(item, Account):
        return item
    if isinstance(item, Unreadable):
        raise _plain.PlainDataError("(account line)", item.problem)
    data: object = item
    if isinstance(item, (str, bytes, bytearray)):
        data = _loads.vetted_json(_text(item), "(account line)", read)
    else:
        read.append(data)
        _loads.vet(data)
    if not isinstance(data, Mapping):
        raise _plain.PlainDataError("(account line)", "an account must be a JSON object")
    account: Account = _plain.structure(Account, dict(data), "", serialize.HOOKS)
    return account


def _one(
    item: object,
    line: int,
    policy: Policy,
    start: datetime,
    end: datetime,
    areas: Registry,
    applied: bool = False,
) -> Record:
    read: list[object] = []
    try:
        account = _parse(item, read)
        evaluation = Evaluation(account=account, policy=policy, at=start, areas=areas)
        changes = tuple(evaluation.transitions(end))
        after = None
        if applied and changes:
            after = apply(account, [effect for change in changes for effect in change.effects])
        return AccountDue(
            line=line,
            account_id=account.id,
            transitions=changes,
            applied=None if after is account else after,
        )
    except BillRulesError as error:
        field = getattr(error, "field", "(account line)")
        problem = getattr(error, "problem", str(error))
        ident = item.id if isinstance(item, Account) else _account_id(read[0]) if read else None
        return AccountError(line=line, account_id=ident, field=field, message=problem)


def _chunk(
    items: list[Any],
    first: int,
    policy: Policy,
    start: datetime,
    end: datetime,
    areas: Registry,
    packed: bool,
    applied: bool = False,
) -> list[Record | int]:
    """One worker's share: the records of ``items``, the first on line ``first``.

    ``packed`` items are each pickled apart (``None`` for one that would not pickle): one that
    cannot be sent or unpickled here comes back as its line number, for the parent to read
    (:func:`_parallel`), so every item gets the record one process gives it.
    """
    if not packed:
        return list(_serial(items, policy, start, end, areas, first, applied))
    records: list[Record | int] = []
    for line, blob in enumerate(items, start=first):
        try:
            item = None if blob is None else pickle.loads(blob)  # our own pickles, made in _packed
        except Exception:  # any item that cannot be unpickled goes back
            blob = None
        if blob is None:
            records.append(line)
        elif not _blank(item):
            records.append(_one(item, line, policy, start, end, areas, applied))
    return records


def _packed(items: list[object]) -> list[bytes | None] | None:
    """``items`` pickled one by one (``None`` for one that will not pickle); ``None`` when all
    are plain lines (``str`` or ``bytes``), which are sent as they are."""
    if all(type(item) is str or type(item) is bytes for item in items):
        return None
    blobs: list[bytes | None] = []
    for item in items:
        try:
            blobs.append(pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
        except Exception:  # whatever stops pickling, the parent reads the item
            blobs.append(None)
    return blobs


def _blank(item: object) -> bool:
    """A blank line of a JSON Lines file: skipped, but counted in the line numbers.

    Blank means empty or ASCII whitespace only, for text as for bytes: a line of NBSP or
    U+3000 is a bad account line (an error record), never skipped. ``isspace`` stops at the
    first other character, so an account line costs no copy.
    """
    if isinstance(item, str):
        return not item or (item.isspace() and item.isascii() and not item.strip(_ASCII_SPACE))
    if isinstance(item, (bytes, bytearray)):
        return not item or item.isspace()
    return False


def file_lines(
    stream: BinaryIO,
    limit: int = MAX_LINE_BYTES,
    too_long: str = "10 MiB",
    progress: Callable[[int], object] | None = None,
) -> Iterator[bytes | Unreadable]:
    """The lines of the binary file ``stream``: the one line splitter of the command and of
    :func:`read_bag`.

    Lines end at ``b"\n"`` only (a bare CR, or U+2028 in UTF-8, stays inside its line) and are
    handed on as bytes, newline included, for :func:`due` to decode one by one (a line that is
    not UTF-8 becomes an error record on its line). A line longer than ``limit`` bytes is
    skipped without being held and becomes an :class:`Unreadable` saying it is longer than
    ``too_long``. ``progress`` receives the number of bytes read as they are read.
    """
    while line := stream.readline(limit + 1):
        if progress is not None:
            progress(len(line))
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
            if progress is not None:
                progress(len(rest))
        if progress is not None:
            progress(len(rest))
        yield Unreadable(f"the line is longer than {too_long}")


def _serial(
    accounts: Iterable[object],
    policy: Policy,
    start: datetime,
    end: datetime,
    areas: Registry,
    first: int = 1,
    applied: bool = False,
) -> Iterator[Record]:
    for line, item in enumerate(accounts, start=first):
        if not _blank(item):
            yield _one(item, line, policy, start, end, areas, applied)


def _parallel(
    accounts: Iterable[object],
    policy: Policy,
    start: datetime,
    end: datetime,
    areas: Registry,
    workers: int,
    chunk: int,
    applied: bool = False,
) -> Iterator[Record]:
    """Chunks in ``workers`` processes, at most two per worker in flight: constant memory.

    Every item gets the record one process gives it: an item that cannot be pickled or
    unpickled is read here, and so is a chunk whose records do not come back (a worker that
    died, records that would not pickle); once the pool is broken, the rest is read here too.
    """
    context = multiprocessing.get_context("spawn")
    source = iter(accounts)
    pending: collections.deque[
        tuple[list[object], int, concurrent.futures.Future[list[Record | int]] | None]
    ] = collections.deque()
    first = 1
    broken = False
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        while True:
            while len(pending) < 2 * workers:
                items = list(itertools.islice(source, chunk))
                if not items:
                    break
                future = None
                if not broken:
                    packed = _packed(items)
                    sent = items if packed is None else packed
                    try:
                        future = pool.submit(
                            _chunk,
                            sent,
                            first,
                            policy,
                            start,
                            end,
                            areas,
                            packed is not None,
                            applied,
                        )
                    except concurrent.futures.process.BrokenProcessPool:
                        broken = True
                pending.append((items, first, future))
                first += len(items)
            if not pending:
                return
            items, line, future = pending.popleft()
            records: list[Record | int]
            try:
                records = future.result() if future is not None else []
            except Exception:  # the chunk did not come back: read it here
                future = None
            if future is None:
                yield from _serial(items, policy, start, end, areas, line, applied)
                continue
            for record in records:
                if isinstance(record, int):
                    yield _one(items[record - line], record, policy, start, end, areas, applied)
                else:
                    yield record


@checked
def due(
    accounts: Annotated[Iterable[Any], STREAM],
    policy: Policy,
    *,
    start: datetime,
    end: datetime,
    workers: int = 1,
    chunk: int = CHUNK,
    areas: Registry = AREAS,
    applied: bool = False,
) -> Run:
    """Every account's transitions and keyed effects in ``[start, end)``, as a stream (X-8).

    Args:
        accounts: :class:`Account` values, account JSON mappings, or account JSON text (str or
            bytes: a line of a JSON Lines file, as :func:`file_lines` splits one), in any mix;
            read lazily, one chunk at a time. A text item of ASCII whitespace only is a blank
            line (skipped, counted); bytes are decoded as UTF-8 item by item.
        policy: The policy bundle.
        start: The window's first instant (included): the previous run's ``end``.
        end: The window's end (excluded).
        workers: Processes to use; 1 runs in this process.
        chunk: Accounts per chunk handed to a worker process.
        areas: The registry of areas asked (:data:`billrules.evaluation.AREAS` unless a host
            adds its own); worker processes receive it pickled, so a host's registry for
            ``workers`` > 1 is built from functions they can import (a chunk whose registry
            cannot be sent is read in this process instead).
        applied: Also give each :class:`AccountDue` the account after its effects
            (:attr:`AccountDue.applied`, :func:`billrules.apply`, X-9): the nightly job stores
            it, so that the next window starts from the facts this one made.

    Returns:
        A :class:`Run`: iterate it for one record per account, in the input's order; its
        ``summary`` counts what was read.

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        InvalidInput: ``end`` is before ``start``; ``workers`` or ``chunk`` is below 1.
    """
    _time.require_window(start, end)
    if workers < 1:
        raise InvalidInput("workers", "must be at least 1")
    if chunk < 1:
        raise InvalidInput("chunk", "must be at least 1")
    if workers == 1:
        return Run(_serial(accounts, policy, start, end, areas, 1, applied))
    return Run(_parallel(accounts, policy, start, end, areas, workers, chunk, applied))


def record_data(record: Record, name: str = "record") -> Iterator[dict[str, Any]]:
    """The JSON Lines objects of ``record``: its effects, or one ``account_error`` object.

    Raises:
        InvalidType: ``record`` is no :class:`AccountDue` or :class:`AccountError` (``name``
            is the parameter named).
    """
    if isinstance(record, AccountError):
        yield {
            "kind": ERROR_KIND,
            "line": record.line,
            "account": record.account_id,
            "field": record.field,
            "message": record.message,
        }
        return
    if not isinstance(record, AccountDue):
        raise InvalidType(
            name, f"must hold AccountDue or AccountError records, not {type(record).__name__}"
        )
    for effect in record.effects:
        yield serialize.to_dict(effect)


@checked
def lines(records: Annotated[Iterable[Record], STREAM]) -> Iterator[str]:
    """``records`` as JSON Lines (compact, each ending with a newline).

    Raises:
        InvalidType: ``records`` is not an iterable (a string, a mapping, ``None``), checked
            at the call; or, as it is read, one of its items is no record.
    """
    for record in records:
        for data in record_data(record, "records"):
            yield json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _partition(
    items: Iterable[object], policy: Policy, start: datetime, end: datetime, areas: Registry
) -> list[str]:
    """One Dask partition: its lines in, one JSON text per output line out (lines counted in
    the partition; no newline, which ``to_textfiles`` adds)."""
    return [line[:-1] for line in lines(_serial(items, policy, start, end, areas))]


@checked
def due_bag(
    bag: Any, policy: Policy, *, start: datetime, end: datetime, areas: Registry = AREAS
) -> dask.bag.Bag:
    """The same job on Dask (X-8): a bag of account lines in, a bag of output lines out.

    Build ``bag`` with :func:`read_bag` (local files or any fsspec URL: one partition per
    file keeps each error record's ``line`` the line of its file; lines split and decoded as
    the command does) and compute the result on whatever cluster the current Dask client points at, or write it with
    ``.to_textfiles`` (JSON Lines). Each item is the JSON text of one line of :func:`lines`,
    without its newline; each partition is one serial run (:func:`due`), so the output equals
    one process's, partition by partition. Needs the ``billrules[dask]`` extra.

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        InvalidInput: ``end`` is before ``start``.
        InvalidType: ``bag`` is not a ``dask.bag.Bag``.
    """
    import dask.bag  # the optional extra: imported only when asked for

    _time.require_window(start, end)
    if not isinstance(bag, dask.bag.Bag):
        raise InvalidType("bag", f"must be a dask.bag.Bag, not {type(bag).__name__}")
    mapped: dask.bag.Bag = bag.map_partitions(_partition, policy, start, end, areas)
    return mapped


def _file_partition(file: Any) -> list[bytes | Unreadable]:
    """One Dask partition of :func:`read_bag`: the lines of one file, split by :func:`file_lines`."""
    with file as stream:
        return list(file_lines(stream))


@checked
def read_bag(urlpath: str, *, storage_options: Mapping[str, Any] | None = None) -> dask.bag.Bag:
    """The account lines of the JSON Lines files at ``urlpath``, as a ``dask.bag`` for
    :func:`due_bag`: one partition per file, each line split and read as the command reads it.

    ``dask.bag.read_text`` would decode each file as a whole (one byte that is not UTF-8 then
    aborts the run) and split lines on a bare CR; here each item is one line's bytes, split on
    ``"\n"`` only by :func:`file_lines` (a line over :data:`MAX_LINE_BYTES` becomes an error
    record), and decoded by the run itself, so a line that is not UTF-8 is an error record on
    its line. Compressed files are read by their suffix (``.gz``, ...). Needs the
    ``billrules[dask]`` extra.

    Args:
        urlpath: A path, a glob (``accounts/*.jsonl``) or any fsspec URL (``s3://...``).
        storage_options: Passed to fsspec (credentials, endpoint).

    Raises:
        InvalidInput: ``urlpath`` matches no file, or cannot be opened.
    """
    import dask.bag  # the optional extra: imported only when asked for
    from dask.delayed import delayed
    from fsspec.core import open_files  # untyped: read as Any (pyproject's mypy overrides)

    try:
        files = open_files(urlpath, mode="rb", compression="infer", **dict(storage_options or {}))
    except (OSError, ValueError, TypeError, ImportError, KeyError) as error:
        raise InvalidInput("urlpath", f"cannot be opened ({type(error).__name__})") from None
    if not files:
        raise InvalidInput("urlpath", "matches no file")
    parts = [delayed(_file_partition)(file) for file in files]
    bag: dask.bag.Bag = dask.bag.from_delayed(parts)
    return bag

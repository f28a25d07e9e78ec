"""The run over many accounts: every effect due in a window, as a stream (X-8).

A host runs the same job every few minutes or every night: for every account, what is due in
``[since, until)``? :func:`due` answers it for any iterable of accounts — :class:`Account`
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

:func:`lines` turns records into JSON Lines: one effect per line (the effect JSON of
:func:`billrules.serialize.to_dict`, tagged by ``kind``, with its ``key`` and ``account``), and
one ``{"kind": "account_error", ...}`` line per account that could not be read.

>>> from datetime import datetime, UTC
>>> from billrules import DEFAULT_POLICY
>>> from billrules.testing import population_lines
>>> since = datetime(2024, 5, 8, tzinfo=UTC)
>>> until = datetime(2024, 5, 9, tzinfo=UTC)
>>> accounts = list(population_lines(50, seed=1, as_of=since))
>>> run = due([*accounts, '{"id": "broken"'], DEFAULT_POLICY, since=since, until=until)
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
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

import attrs

from billrules import _loads, _plain, serialize
from billrules import _validate as v
from billrules._check import STREAM, checked
from billrules._redact import holds_card_number
from billrules.account import Account
from billrules.contract import Transition
from billrules.effects import Effect
from billrules.errors import BillRulesError, InvalidInput, InvalidType
from billrules.evaluation import Evaluation
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
]

#: Accounts per chunk sent to a worker process.
CHUNK: Final = 256

#: The ``kind`` of an error record in the JSON Lines output.
ERROR_KIND: Final = "account_error"


@attrs.frozen(kw_only=True)
class AccountDue:
    """What is due for one account in the window.

    Attributes:
        line: The account's place in the input, from 1 (its line in a JSON Lines file).
        account_id: The account's id.
        transitions: Its transitions in ``[since, until)``, in time order; their effects carry
            the account id.
    """

    line: int
    account_id: str
    transitions: tuple[Transition, ...]

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


def _one(item: object, line: int, policy: Policy, since: datetime, until: datetime) -> Record:
    read: list[object] = []
    try:
        account = _parse(item, read)
        evaluation = Evaluation(account=account, policy=policy, at=since)
        return AccountDue(
            line=line, account_id=account.id, transitions=tuple(evaluation.transitions(until))
        )
    except BillRulesError as error:
        field = getattr(error, "field", "(account line)")
        problem = getattr(error, "problem", str(error))
        ident = item.id if isinstance(item, Account) else _account_id(read[0]) if read else None
        return AccountError(line=line, account_id=ident, field=field, message=problem)


def _chunk(
    items: list[object], first: int, policy: Policy, since: datetime, until: datetime
) -> list[Record]:
    """One worker's share: the records of ``items``, the first on line ``first``."""
    return list(_serial(items, policy, since, until, first))


def _blank(item: object) -> bool:
    """A blank line of a JSON Lines file: skipped, but counted in the line numbers."""
    return isinstance(item, (str, bytes, bytearray)) and not item.strip()


def _serial(
    accounts: Iterable[object], policy: Policy, since: datetime, until: datetime, first: int = 1
) -> Iterator[Record]:
    for line, item in enumerate(accounts, start=first):
        if not _blank(item):
            yield _one(item, line, policy, since, until)


def _parallel(
    accounts: Iterable[object],
    policy: Policy,
    since: datetime,
    until: datetime,
    workers: int,
    chunk: int,
) -> Iterator[Record]:
    """Chunks in ``workers`` processes, at most two per worker in flight: constant memory."""
    context = multiprocessing.get_context("spawn")
    source = iter(accounts)
    pending: collections.deque[concurrent.futures.Future[list[Record]]] = collections.deque()
    first = 1
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        while True:
            while len(pending) < 2 * workers:
                items = list(itertools.islice(source, chunk))
                if not items:
                    break
                pending.append(pool.submit(_chunk, items, first, policy, since, until))
                first += len(items)
            if not pending:
                return
            yield from pending.popleft().result()


@checked
def due(
    accounts: Annotated[Iterable[Any], STREAM],
    policy: Policy,
    *,
    since: datetime,
    until: datetime,
    workers: int = 1,
    chunk: int = CHUNK,
) -> Run:
    """Every account's transitions and keyed effects in ``[since, until)``, as a stream (X-8).

    Args:
        accounts: :class:`Account` values, account JSON mappings, or account JSON text (str or
            bytes: a line of a JSON Lines file), in any mix; read lazily, one chunk at a time.
        policy: The policy bundle.
        since: The window's first instant (included): the previous run's ``until``.
        until: The window's end (excluded).
        workers: Processes to use; 1 runs in this process.
        chunk: Accounts per chunk handed to a worker process.

    Returns:
        A :class:`Run`: iterate it for one record per account, in the input's order; its
        ``summary`` counts what was read.

    Raises:
        NaiveDatetimeError: ``since`` or ``until`` has no time zone.
        InvalidInput: ``until`` is before ``since``; ``workers`` or ``chunk`` is below 1.
    """
    _window(since, until)
    if workers < 1:
        raise InvalidInput("workers", "must be at least 1")
    if chunk < 1:
        raise InvalidInput("chunk", "must be at least 1")
    if workers == 1:
        return Run(_serial(accounts, policy, since, until))
    return Run(_parallel(accounts, policy, since, until, workers, chunk))


def record_data(record: Record) -> Iterator[dict[str, Any]]:
    """The JSON Lines objects of ``record``: its effects, or one ``account_error`` object."""
    if isinstance(record, AccountError):
        yield {
            "kind": ERROR_KIND,
            "line": record.line,
            "account": record.account_id,
            "field": record.field,
            "message": record.message,
        }
        return
    for effect in record.effects:
        yield serialize.to_dict(effect)


def lines(records: Iterable[Record]) -> Iterator[str]:
    """``records`` as JSON Lines (compact, each ending with a newline)."""
    for record in records:
        for data in record_data(record):
            yield json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _partition(
    items: Iterable[object], policy: Policy, since: datetime, until: datetime
) -> list[str]:
    """One Dask partition: its lines in, one JSON text per output line out (lines counted in
    the partition; no newline, which ``to_textfiles`` adds)."""
    return [line[:-1] for line in lines(_serial(items, policy, since, until))]


@checked
def due_bag(bag: Any, policy: Policy, *, since: datetime, until: datetime) -> dask.bag.Bag:
    """The same job on Dask (X-8): a bag of account lines in, a bag of output lines out.

    Build ``bag`` with ``dask.bag.read_text(urlpath)`` (local files or any fsspec URL: one
    partition per file keeps each error record's ``line`` the line of its file) and compute the
    result on whatever cluster the current Dask client points at, or write it with
    ``.to_textfiles`` (JSON Lines). Each item is the JSON text of one line of :func:`lines`,
    without its newline; each partition is one serial run (:func:`due`), so the output equals
    one process's, partition by partition. Needs the ``billrules[dask]`` extra.

    Raises:
        NaiveDatetimeError: ``since`` or ``until`` has no time zone.
        InvalidInput: ``until`` is before ``since``.
        InvalidType: ``bag`` is not a ``dask.bag.Bag``.
    """
    import dask.bag  # the optional extra: imported only when asked for

    _window(since, until)
    if not isinstance(bag, dask.bag.Bag):
        raise InvalidType("bag", f"must be a dask.bag.Bag, not {type(bag).__name__}")
    mapped: dask.bag.Bag = bag.map_partitions(  # type: ignore[no-untyped-call]  # dask's API is untyped
        _partition, policy, since, until
    )
    return mapped


def _window(since: datetime, until: datetime) -> None:
    if until < since:
        raise InvalidInput("until", "must not be before since")

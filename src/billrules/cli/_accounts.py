"""``billrules run --accounts-out``: each account after its effects, in the input's order. Private.

Every line of the accounts file gives one line of the accounts output, in the same order, so
line numbers stay those of the input night after night:

- an account whose effects in the window change a fact (the monthly charge, a deletion
  scheduled…) is written as the account after :func:`billrules.apply` of them (X-9): one
  compact account JSON line (:func:`billrules.serialize.account_to_mapping`), which
  :func:`billrules.serialize.account_from_json` reads back equal;
- every other line is written back byte for byte: an account the window did not change, an
  account line that could not be read (its error is in the effects output; nothing is lost,
  and the host can mend it for the next night), a blank line, a line over the size limit
  (copied from the file, never held whole).

So a window that changes nothing writes its input again, unchanged. The lines are kept only
while the run reads ahead of the records (with ``--workers``, two chunks per worker): memory
stays constant.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import BinaryIO, Final

from billrules.cli._out import InputError, reason
from billrules.cli._out import output as _output
from billrules.run import AccountDue, AccountError, Record, Unreadable, file_lines
from billrules.serialize import account_to_mapping

#: What is copied from the file at once, for a line too long to hold.
_COPY: Final = 1024 * 1024

Write = Callable[[bytes], object]


@contextlib.contextmanager
def output(path: str | None, source: str, read: os.stat_result) -> Iterator[Write | None]:
    """How to write the accounts output to ``path`` (``None`` without ``--accounts-out``): as
    ``--out`` (:func:`billrules.cli._out.output`), a write that fails being bad input naming
    ``--accounts-out``."""
    if path is None:
        yield None
        return
    with _output(path, source, read, "--accounts-out") as store:

        def write(data: bytes) -> None:
            try:
                store(data)
            except OSError as error:
                raise InputError(f"--accounts-out: {path}: cannot write: {reason(error)}") from None

        yield write


class Originals:
    """The accounts file's lines as read (a too-long line as its place in the file), each kept
    until its record is written; :meth:`lines` is what the run reads."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self._name = name
        self._kept: collections.deque[bytes | tuple[int, int]] = collections.deque()
        self._line = 1  # the line number of the first line kept

    def lines(
        self, limit: int, too_long: str, progress: Callable[[int], object] | None
    ) -> Iterator[bytes | Unreadable]:
        """:func:`billrules.run.file_lines` of the stream, each line kept as it goes by."""
        position = self._stream.tell()
        for item in file_lines(self._stream, limit, too_long, progress):
            if isinstance(item, Unreadable):
                end = self._stream.tell()
                self._kept.append((position, end - position))
                position = end
            else:
                self._kept.append(item)
                position += len(item)
            yield item

    def write(self, record: AccountDue | AccountError, write: Write) -> None:
        """Write the lines before ``record`` (blank ones) as they are, then its account."""
        while self._line < record.line:
            self._copy(self._kept.popleft(), write)
            self._line += 1
        original = self._kept.popleft()
        self._line += 1
        if isinstance(record, AccountDue) and record.applied is not None:
            data = json.dumps(
                account_to_mapping(record.applied), ensure_ascii=False, separators=(",", ":")
            )
            write(data.encode("utf-8") + b"\n")
        else:
            self._copy(original, write)

    def stored(self, records: Iterator[Record], write: Write) -> Iterator[Record]:
        """``records``, each one's account line written once its effects are taken."""
        for record in records:
            yield record
            self.write(record, write)

    def finish(self, write: Write) -> None:
        """Write the lines after the last record (blank ones) as they are."""
        while self._kept:
            self._copy(self._kept.popleft(), write)

    def _copy(self, original: bytes | tuple[int, int], write: Write) -> None:
        if isinstance(original, bytes):
            write(original)
            return
        offset, size = original
        descriptor = self._stream.fileno()
        while size > 0:
            data = os.pread(descriptor, min(size, _COPY), offset)
            if not data:  # the file shrank under the run: what is left is gone
                raise InputError(f"{self._name}: the accounts file changed while it was read")
            write(data)
            offset += len(data)
            size -= len(data)

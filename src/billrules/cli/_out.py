"""Where ``billrules run`` writes its output, and how a failed write is reported. Private.

An output that is the accounts file is refused before anything is written; a regular file is
replaced whole or not at all (a temporary file beside it, renamed at the end); a device or a
FIFO is written in place; every failed write is bad input, one line (:class:`InputError`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterator


class InputError(Exception):
    """Bad input found by the command itself; ``str`` is the one-line message."""


def reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def quiet_stdout() -> None:
    """Point stdout at devnull, so that Python's final flush does not fail on a closed pipe
    (or a full disk); nothing to do for a stdout with no descriptor."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _same_file(one: os.stat_result, other: os.stat_result) -> bool:
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


@contextlib.contextmanager
def output(
    path: str | None,
    source: str,
    read: os.stat_result,
    option: str = "--out",
    *,
    what: str = "accounts file",
) -> Iterator[Callable[[bytes], object]]:
    """How to write bytes of output: to ``path``, or to stdout's bytes (its text when it has
    none, as under ``contextlib.redirect_stdout``).

    An output that is the accounts file ``read`` (same device and inode: the path itself, a
    symbolic or a hard link) is refused before anything is written. A regular file (or a new
    one) is written to a temporary file beside it, renamed over it only when the run is
    complete: a run that fails leaves the old file as it was, and no half file. Anything else
    (``/dev/full``, a FIFO, a terminal) cannot be renamed into and is written directly.
    ``option`` is the option named in messages (``--out``, ``--accounts-out``), ``what`` the
    input file's kind (``accounts file``, ``Stripe file``).
    """
    if path is None:
        yield from _stdout_output(source, read, what)
        return
    if not path:
        raise InputError(f"{option}: the path is empty; name a file")
    target = os.path.realpath(path)  # a symbolic link stays; the file it names is replaced
    try:
        found: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise InputError(f"{option}: {path}: {reason(error)}") from None
    if found is not None and _same_file(found, read):
        raise InputError(f"{option}: {path}: is the {what} {source}; refusing to overwrite it")
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise InputError(f"{option}: {path}: is a directory")
    if found is not None and not stat.S_ISREG(found.st_mode):
        yield from _direct_output(path, target, option)
        return
    if found is not None and not os.access(target, os.W_OK):
        raise InputError(f"{option}: {path}: cannot write: Permission denied")
    yield from _replacing_output(path, target, found, option)


def _stdout_output(
    source: str, read: os.stat_result, what: str
) -> Iterator[Callable[[bytes], object]]:
    with contextlib.suppress(AttributeError, OSError, ValueError):  # stdout with no descriptor
        if _same_file(os.fstat(sys.stdout.fileno()), read):
            raise InputError(
                f"the output (stdout) is the {what} {source}; refusing to write into it"
            )
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        yield lambda data: sys.stdout.write(data.decode("utf-8"))
        return
    try:
        yield binary.write
        binary.flush()
    except BrokenPipeError:  # the reader stopped early: not an error, as for explain
        quiet_stdout()
    except OSError as error:
        quiet_stdout()  # what could not be written must not fail Python's final flush
        raise InputError(f"the output (stdout): cannot write: {reason(error)}") from None


def _direct_output(path: str, target: str, option: str) -> Iterator[Callable[[bytes], object]]:
    """A device or FIFO, written in place (opening a FIFO waits for its reader)."""
    try:
        stream = open(target, "wb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(f"{option}: {path}: cannot write: {reason(error)}") from None
    try:
        yield stream.write
        stream.flush()
    except BrokenPipeError:  # a FIFO's reader stopped early: as for stdout
        pass
    except OSError as error:
        raise InputError(f"{option}: {path}: cannot write: {reason(error)}") from None
    finally:
        with contextlib.suppress(OSError):  # what could not be written is reported above
            stream.close()


def _replacing_output(
    path: str, target: str, found: os.stat_result | None, option: str
) -> Iterator[Callable[[bytes], object]]:
    """A temporary file in ``target``'s folder (mode of the file replaced, else the umask's),
    synced and renamed over ``target`` at the end; removed on any failure."""
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    try:
        descriptor = os.open(temporary, flags, 0o666)
    except OSError as error:
        raise InputError(f"{option}: {path}: cannot write: {reason(error)}") from None
    if found is not None:
        with contextlib.suppress(OSError):  # not the owner: the umask's mode stays
            os.fchmod(descriptor, stat.S_IMODE(found.st_mode))
    stream = os.fdopen(descriptor, "wb")
    try:
        try:
            yield stream.write
            stream.flush()
            os.fsync(descriptor)
            stream.close()
            os.replace(temporary, target)
        except OSError as error:
            raise InputError(f"{option}: {path}: cannot write: {reason(error)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            stream.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def refuse_same_outputs(accounts_out: str, out: str | None) -> None:
    """Refuse an ``--accounts-out`` that is the effects' output: the ``--out`` file (the same
    path, or a symbolic or hard link to it), or the file stdout is redirected into."""
    if not accounts_out:
        return  # refused by :func:`output`, naming the option
    target = os.path.realpath(accounts_out)
    try:
        found: os.stat_result | None = os.stat(target)
    except OSError:
        found = None
    if out is not None:
        other = os.path.realpath(out) if out else None
        same = other == target
        with contextlib.suppress(OSError):
            same = same or (found is not None and _same_file(found, os.stat(out)))
        if same:
            raise InputError(
                f"--accounts-out: {accounts_out}: is the --out file {out}; "
                "the effects and the accounts need two files"
            )
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):  # stdout with no descriptor
        regular = found is not None and stat.S_ISREG(found.st_mode)
        if regular and found is not None and _same_file(os.fstat(sys.stdout.fileno()), found):
            raise InputError(
                f"--accounts-out: {accounts_out}: is the output (stdout); "
                "the effects and the accounts need two files"
            )

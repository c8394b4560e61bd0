"""Bounded reads of answer files and the files they include or reference.

Referenced files (kickstart ``%include``, Azure package lists, scripts, SSH key files and
AdditionalFiles sources) must be regular files: never a device (``/dev/zero``), a FIFO or a
directory, which are refused before they are opened. Each file is capped at MAX_FILE_BYTES and all
files of one answer file together at MAX_TOTAL_BYTES. Text files must be UTF-8 and pass
:func:`bounds.text_problem` (no NUL, no other control characters, bounded lines). Messages name
the file and what is wrong with it, never its content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from installer.backend.answers.bounds import MAX_FILE_BYTES, MAX_TOTAL_BYTES, text_problem


class ReadRefused(Exception):
    """A referenced file cannot be used; the message never quotes its content."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _read_fd(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got <= limit:
        chunk = os.read(fd, min(1 << 16, limit + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class _TooBig(ReadRefused):
    pass


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. Devices, FIFOs, sockets and
    directories are refused before they are opened (opening a FIFO blocks; reading /dev/zero never
    ends), and the opened file is checked again (nothing swapped in since). Raises ReadRefused."""
    p = str(path)
    if "\x00" in p:
        raise ReadRefused("the file name contains a NUL character")
    try:
        st = os.stat(p)
    except OSError as exc:
        raise ReadRefused(f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ReadRefused(f"{_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise _TooBig(_too_big(limit))
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ReadRefused(f"cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadRefused(f"{_kind(os.fstat(fd).st_mode)}, not a regular file")
        data = _read_fd(fd, limit)
    except OSError as exc:
        raise ReadRefused(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _TooBig(_too_big(limit))
    return data


def _too_big(limit: int) -> str:
    return f"larger than {limit} bytes (the limit for a file an answer file uses)"


class Reader:
    """One per answer file: tracks the total budget of everything it reads."""

    def __init__(self, total: int = MAX_TOTAL_BYTES, per_file: int = MAX_FILE_BYTES) -> None:
        self.left = total
        self.per_file = per_file

    def _limit(self) -> int:
        return min(self.per_file, self.left)

    def read_bytes(self, path: Path | str) -> bytes:
        """A referenced file's bytes. Raises ReadRefused."""
        limit = self._limit()
        try:
            data = read_regular(path, limit)
        except _TooBig:
            raise ReadRefused(_too_big(limit) if limit == self.per_file else self._budget_message()) from None
        self.left -= len(data)
        return data

    def _budget_message(self) -> str:
        return (f"the files this answer file uses add up to more than {MAX_TOTAL_BYTES} bytes "
                "(the limit for an answer file and everything it includes)")

    def read_text(self, path: Path | str) -> str:
        """A referenced text file: UTF-8, no NUL or other control characters, bounded lines."""
        return decode_text(self.read_bytes(path))


def decode_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadRefused(f"not UTF-8 text (byte {exc.start})") from None
    problem = text_problem(text)
    if problem is not None:
        msg, line, col = problem
        raise ReadRefused(f"line {line} column {col}: {msg}" if line > 1 or col > 1 else msg)
    return text


def read_answer_file(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The main answer file: a regular file, or a stream the user named (a FIFO, /dev/stdin), read
    up to ``limit`` bytes. Raises ReadRefused."""
    p = str(path)
    if "\x00" in p:
        raise ReadRefused("the file name contains a NUL character")
    try:
        st = os.stat(p)
        if stat.S_ISDIR(st.st_mode):
            raise ReadRefused("is a directory")
        if stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            raise ReadRefused(f"{_kind(st.st_mode)}, not an answer file")
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            raise ReadRefused(f"larger than {limit} bytes (the limit for an answer file)")
        with open(p, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise ReadRefused(f"cannot read answer file: {exc.strerror}") from None
    if len(data) > limit:
        raise ReadRefused(f"larger than {limit} bytes (the limit for an answer file)")
    return data

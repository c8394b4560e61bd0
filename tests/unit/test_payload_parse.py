"""Reading dnf/tdnf output: resolution, errors, per-package progress (captured real outputs)."""

from __future__ import annotations

from installer.backend.payload.parse import ProgressParser, parse_resolution, transaction_error

ASSUMENO = """Last metadata expiration check: 0:00:03 ago on Sun Nov 29 06:49:20 2026.
Dependencies resolved.
================================================================================
 Package                 Architecture     Version          Repository      Size
================================================================================
Installing:
 azl-tiny-base           x86_64           1.0-1            tiny           1.1 M
 hello-extra             noarch           1.0-1            tiny           5.9 k
Installing dependencies:
 a-package-with-a-really-long-name-that-wraps
                         x86_64           2:3.4-5.azl3     azl-medium      12 k

Transaction Summary
================================================================================
Install  3 Packages

Total size: 1.1 M
Installed size: 2.2 M
"""


def test_resolution_table_and_sizes() -> None:
    r = parse_resolution(ASSUMENO, "Operation aborted.\n")
    assert [p.nevra for p in r.packages] == [
        "azl-tiny-base-1.0-1.x86_64", "hello-extra-1.0-1.noarch",
        "a-package-with-a-really-long-name-that-wraps-2:3.4-5.azl3.x86_64",
    ]
    assert r.packages[2].repo == "azl-medium"
    assert r.count == 3
    assert r.download_size == int(1.1 * 1024**2) and r.installed_size == int(2.2 * 1024**2)
    assert not (r.missing or r.problems or r.unreachable)


def test_missing_packages() -> None:
    r = parse_resolution("No match for argument: foo\nNo match for argument: bar\n",
                         "Error: Unable to find a match: foo bar\n")
    assert r.missing == ["foo", "bar"]


def test_unreachable_repo() -> None:
    err = ("Errors during downloading metadata for repository 'offline':\n"
           "Error: Failed to download metadata for repo 'offline': Cannot download repomd.xml\n")
    assert parse_resolution("", err).unreachable == ["offline"]


def test_conflict_problems() -> None:
    err = ("Error: \n Problem: conflicting requests\n  - nothing provides libfoo.so.1 needed by bar-1-1.x86_64\n")
    r = parse_resolution("", err)
    assert r.problems and any("nothing provides libfoo" in p for p in r.problems)


def test_dnf_progress() -> None:
    p = ProgressParser(2)
    assert p.feed("Running transaction") is None
    assert p.feed("  Preparing        :                                                        1/1 ") is None
    a = p.feed("  Installing       : azl-tiny-base-1.0-1.x86_64                             1/2 ")
    b = p.feed("  Installing       : hello-extra-1.0-1.noarch                               2/2 ")
    v = p.feed("  Verifying        : hello-extra-1.0-1.noarch                               2/2 ")
    assert a and b and v
    assert (a.current, a.count, a.message) == (1, 2, "installing azl-tiny-base-1.0-1.x86_64 (1/2)")
    assert a.fraction < b.fraction < v.fraction == 1.0


def test_tdnf_progress_counts_itself() -> None:
    p = ProgressParser(3)
    a = p.feed("Installing/Updating: bash-5.2.15-1.azl3.x86_64")
    b = p.feed("Installing/Updating: systemd-255-1.azl3.x86_64")
    assert a and b and (a.current, b.current, b.count) == (1, 2, 3)


def test_transaction_errors() -> None:
    assert "out of space" in transaction_error(
        "", "Error: Transaction test error:\n  installing package x-1 needs 5MB more space on the / filesystem\n")
    assert "signature" in transaction_error("", "Error: GPG check FAILED\n")
    assert transaction_error("", "boom\n") == "boom"

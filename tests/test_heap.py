"""`heap.trim`: the C heap's free pages go back to the system (glibc), or nothing happens (elsewhere)."""

from __future__ import annotations

import platform
import sys

import pytest

from normalize import heap


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmRSS:"))


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's"
)
def test_freed_pages_between_live_blocks_go_back() -> None:
    # 2 KiB blocks (past pymalloc's 512 bytes: glibc's), one in eight kept: the freed ones lie between
    # live blocks, where glibc keeps them (it gives back only the top of its heap by itself)
    blocks = [bytes(2048) for _ in range(60_000)]
    kept = blocks[::8]
    del blocks
    before = _rss_mib()
    assert heap.trim()
    assert before - _rss_mib() > 40  # of the ~105 MiB freed
    assert len(kept) == 7_500


def test_trim_is_safe_to_call_anywhere() -> None:
    assert isinstance(heap.trim(), bool)
    assert isinstance(heap.trim(), bool)  # twice: nothing left to give is no error

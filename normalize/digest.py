"""The digest of the package's own code: what a compiled gazetteer or a checkpoint was made with.

Every file of the package is hashed (sorted by relative path; the path and the bytes of
each), not a hand-kept list of modules: a list misses the module added next month, and a
name in it whose file has gone would hash as empty without a word. Bytecode caches and
hidden files (editor swap files) are left out: they are not the code.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def source_files(root: Path = PACKAGE) -> list[Path]:
    """Every file under `root` but bytecode caches and hidden files, sorted by relative path."""
    files = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or p.suffix == ".pyc":
            continue
        if p.is_file():
            files.append(rel)
    return [root / rel for rel in sorted(files, key=lambda r: r.as_posix())]


def tree_digest(root: Path) -> str:
    """SHA-256 over each file's relative path and bytes, both length-prefixed (no two trees collide
    by moving bytes from one file's end to the next one's name)."""
    h = hashlib.sha256()
    for p in source_files(root):
        name = p.relative_to(root).as_posix().encode()
        data = p.read_bytes()
        h.update(len(name).to_bytes(8, "big") + name)
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of this package's files (computed once per process)."""
    return tree_digest(PACKAGE)

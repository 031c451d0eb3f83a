"""normalize: clean and normalize Russian-language news; link entity mentions to a gazetteer.

Library use::

    import polars as pl
    import normalize

    tables = normalize.normalize_frame(pl.DataFrame({"doc_id": ["a"], "text": ["..."]}))
    tables.mentions  # polars DataFrame

    result = normalize.run("articles", "out", workers=4)  # what `normalize IN OUT` does
    normalize.run("articles", "out", dedup=normalize.DedupOptions(threshold=0.8))  # or dedup=None
    result.documents, result.tables["mentions"]  # counts, and the files written
"""

__version__ = "0.1.0"  # first: the modules imported below read it

from normalize import expr as _expr  # noqa: F401  (registers pl.col(...).normalize and df.normalize)
from normalize.clean import clean_text
from normalize.dedup import DedupOptions
from normalize.faults import IOFault
from normalize.gazetteer import Entity, Gazetteer, GazetteerError, Rule, load
from normalize.pipeline import Tables, compile_gazetteers, normalize_frame, process

_LAZY = {"run": "runner", "RunOptions": "runner", "RunResult": "runner"}


def __getattr__(name: str) -> object:
    # the command's run (checkpoints, writing, progress) is imported when first used, not by every
    # worker process that imports the package for the pipeline alone
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"normalize.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'normalize' has no attribute {name!r}")

__all__ = [
    "DedupOptions",
    "Entity",
    "Gazetteer",
    "GazetteerError",
    "IOFault",
    "Rule",
    "RunOptions",
    "RunResult",
    "Tables",
    "__version__",
    "clean_text",
    "compile_gazetteers",
    "load",
    "normalize_frame",
    "process",
    "run",
]

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
from normalize.gazetteer import Entity, Gazetteer, GazetteerError, Rule, load
from normalize.pipeline import Tables, compile_gazetteers, normalize_frame, process
from normalize.runner import RunOptions, RunResult, run

__all__ = [
    "DedupOptions",
    "Entity",
    "Gazetteer",
    "GazetteerError",
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

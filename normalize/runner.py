"""`normalize.run(IN, OUT)`: what the `normalize IN OUT` command does, as a library call.

    import normalize

    result = normalize.run("articles", "out", workers=4, report=True)
    result.documents, result.rejects, result.tables["mentions"], result.report

It reads IN, processes the records an earlier (or killed) run into OUT has not finished
(checkpoints: resume.py), finds near-duplicate documents (normalize.dedup; `dedup=None`: off),
writes the four tables atomically, compacts the checkpoints, writes report.html when asked,
removes what an earlier run wrote and this one did not (outputs.py), and writes run.json last.
A problem with the run as a whole raises (GazetteerError, read.InputError, write.OutputError:
a one-line message naming the file); the environment failing it mid-run (a full disk, a
read-only or vanished OUT) raises faults.IOFault, naming the path and the cause, and the same
call again resumes. A problem with one record, an input file that vanished or cannot be read
included, is a reject.
"""

from __future__ import annotations

import errno
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from normalize import __version__, faults, outputs, pipeline, read, resume, write
from normalize.dedup import DEFAULT as DEFAULT_DEDUP
from normalize.dedup import DedupOptions, run_info
from normalize.overview import Overview
from normalize.progress import Progress

if TYPE_CHECKING:
    from normalize.gazetteer_model import Gazetteer


@dataclass(frozen=True)
class RunOptions:
    """How to run: the options of the `normalize IN OUT` command."""

    gazetteers: tuple[Path, ...] = ()  # gazetteer folders or files, each a layer on the bundled set, in order
    bundled: bool = True  # false: no bundled set under them (--no-bundled)
    format: str = "parquet"  # of the tables: parquet, csv or jsonl
    workers: int | None = None  # worker processes; None: every core this process may use
    report: bool = False  # also write OUT/report.html
    resume: bool = True  # reuse the records an earlier (or killed) run into OUT finished
    batch_size: int = pipeline.BATCH  # records per checkpoint part
    follow_symlinks: bool = False  # follow symlinks that lead outside IN
    progress: bool | None = False  # a progress bar on stderr; None: when stderr is a terminal
    unlinked: bool = False  # also find the commonest unlinked names (the summary's), while writing
    dedup: DedupOptions | None = DEFAULT_DEDUP  # near-duplicate detection; None: off

    def __post_init__(self) -> None:
        # paths or strings, a list or a tuple: kept as a tuple of paths, so options compare and hash
        object.__setattr__(self, "gazetteers", tuple(Path(g) for g in self.gazetteers or ()))
        if self.format not in write.FORMATS:
            raise ValueError(f"unknown format {self.format!r} (expected one of {', '.join(write.FORMATS)})")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.dedup is not None and not isinstance(self.dedup, DedupOptions):
            raise ValueError(f"dedup must be a DedupOptions or None, not {type(self.dedup).__name__}")


@dataclass(frozen=True)
class RunResult:
    """What a run did and where it wrote it; `info` is what run.json holds."""

    input: Path
    out: Path
    files: int  # input files read
    skipped: tuple[tuple[str, int], ...]  # files of other types under IN: (extension, files), most first
    records: int  # input records: each is in exactly one of documents or rejects
    documents: int
    rejects: int
    mentions: int
    edits: int
    processed: int  # records processed by this run
    reused: int  # records taken from the checkpoints of an earlier run into OUT
    invalid: int  # records rejected because a row failed its table's contract (the command exits 1)
    seconds: float  # reading and processing, before the tables are written
    chars_per_second: int | None  # None when the run processed nothing (every record reused)
    tables: dict[str, Path]  # table name → the file written
    run_json: Path
    report: Path | None  # OUT/report.html, when asked for
    overview: Overview  # the figures of the summary, and a sample of the first documents
    unlinked: list[tuple[str, int]] | None  # (name, occurrences), when asked for
    info: dict[str, Any]


def run(input_path: str | Path, out: str | Path, options: RunOptions | None = None, **fields: Any) -> RunResult:
    """Normalize the documents in `input_path` (a folder or a file) into tables in `out`.

    Options come as a `RunOptions`, or as its fields by name (`workers=4`), or both (the names
    win). Raises GazetteerError, read.InputError or write.OutputError for problems with the run
    as a whole, faults.IOFault when OUT cannot be read or written while running, ValueError for
    bad options; every problem with a record is a reject."""
    opts = replace(options or RunOptions(), **fields) if fields else options or RunOptions()
    input_path, out = Path(input_path), Path(out)
    try:
        return _run(input_path, out, opts)
    except faults.IOFault as exc:
        fault = exc
    except (OSError, pl.exceptions.PolarsError) as exc:
        if not faults.is_io(exc):
            raise
        # met where no narrower place named its path (reading the parts back, say)
        fault = faults.fault(getattr(exc, "filename", None) or out, exc, "read or write")
    if fault.errno == errno.ENOENT and not out.is_dir():  # a part or a table was named, but OUT is gone
        raise faults.IOFault(out, "the output folder went away during the run", fault.errno)
    raise fault


def _run(input_path: Path, out: Path, opts: RunOptions) -> RunResult:
    started = time.perf_counter()
    workers = opts.workers if opts.workers is not None else pipeline.default_workers()
    layers = pipeline.gazetteer_stack(opts.gazetteers, opts.bundled)
    # with workers, this process needs the gazetteer but not its index (the workers read that)
    gazetteer = pipeline.run_gazetteer(layers, workers)
    inputs = read.scan(input_path, opts.follow_symlinks, exclude=out)
    write.prepare_out(out, swept=False)
    # held until run.json is written: a second run into OUT stops at once, before it sweeps this
    # run's temporary files or writes its tables over this run's
    with resume.locked(out):
        write.sweep(out)
        return _locked_run(input_path, out, opts, _Started(started, workers, layers, gazetteer, inputs))


@dataclass(frozen=True)
class _Started:
    """What the run settled before taking OUT's lock."""

    at: float  # perf_counter
    workers: int
    layers: tuple[str, ...]
    gazetteer: Gazetteer
    inputs: read.Inputs


def _locked_run(input_path: Path, out: Path, opts: RunOptions, begun: _Started) -> RunResult:
    started, workers, gazetteer, inputs = begun.at, begun.workers, begun.gazetteer, begun.inputs
    files = inputs.files
    with Progress(len(files), label="file", enabled=opts.progress) as bar:
        done = resume.run(
            input_path,
            out,
            opts.gazetteers,
            workers,
            follow_symlinks=opts.follow_symlinks,
            resume=opts.resume,
            track=bar.track,
            batch_size=max(1, opts.batch_size),
            files=files,
            bundled=opts.bundled,
            dedup=opts.dedup,
            hold_lock=False,
        )
    # figures from narrow columns and a sample of the first documents: this process holds
    # nothing that grows with the corpus, and the tables stream from the checkpoint parts to OUT
    view = done.tables.overview()
    elapsed = time.perf_counter() - started
    rejects = view.rejects
    rate = round(view.n_chars / elapsed) if elapsed > 0 and done.processed else None
    info = {
        "version": __version__,
        "input": str(input_path),
        "files": done.files,
        "skipped": dict(inputs.skipped),  # files of other types under IN, by extension
        "documents": view.documents,
        "rejects": rejects.height,
        "rejects_by_stage": dict(view.rejects_by_stage),
        "mentions": view.mentions,
        "edits": view.edits,
        "mentions_by_type": dict(sorted(view.mentions_by_type)),
        "gazetteer_digest": gazetteer.digest,
        # the stack, base first: which files made the digest (the bundled set's, then each --gazetteers)
        "gazetteers": list(begun.layers),
        "entities": len(gazetteer.entities),
        "seconds": round(elapsed, 3),
        "chars_per_second": rate,
        "workers": workers,
        "format": opts.format,
        # accounting: every input record is in exactly one of documents or rejects
        "records": done.records,
        "processed": done.processed,
        "reused": done.reused,
        "rejects_by_reason": dict(view.rejects_by_reason),
        "outputs": outputs.planned(opts.format, opts.report),  # the files this run writes into OUT
        "dedup": run_info(opts.dedup, view.dedup),
    }
    before = outputs.claim(out, info["outputs"])

    def write_all() -> None:
        write.write_tables(done.tables, out, opts.format)
        resume.finish(out, done, {"format": opts.format, "follow_symlinks": opts.follow_symlinks})

    # the tables stream to OUT in polars, outside the GIL, while this thread reads the sample
    # for the unlinked names (Python: morphology over up to 300k characters)
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(write_all)
        unlinked = None
        if opts.unlinked:
            from normalize import suggest  # only for this option: morphology and fuzzy matching

            compiled = pipeline.compile_gazetteers(opts.gazetteers, opts.bundled)
            unlinked = suggest.quick(view.sample_documents, view.sample_mentions, compiled)
        writing.result()
    page = None
    if opts.report:
        from normalize import report  # only for this option

        page = report.write_report(done.tables, out, run=info)
    # OUT now holds this run's tables (and page): what earlier runs wrote and this one did not
    # goes, and run.json, last, marks the set complete
    outputs.settle(out, before, info["outputs"])
    write.write_json(info, out, "run.json")
    return RunResult(
        input=input_path,
        out=out,
        files=done.files,
        skipped=inputs.skipped,
        records=done.records,
        documents=view.documents,
        rejects=rejects.height,
        mentions=view.mentions,
        edits=view.edits,
        processed=done.processed,
        reused=done.reused,
        invalid=rejects.filter(pl.col("stage") == "validate").height,
        seconds=elapsed,
        chars_per_second=rate,
        tables={name: out / f"{name}.{opts.format}" for name, _ in done.tables.items()},
        run_json=out / "run.json",
        report=page,
        overview=view,
        unlinked=unlinked,
        info=info,
    )

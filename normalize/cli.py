"""Command line: a thin layer over the library.

    normalize IN OUT [--gazetteers DIR]... [--format parquet|csv|jsonl] [--workers N] [--report] [--quiet]
    normalize gazetteers check [DIR]... [--format text|github]
    normalize explain TEXT|- [--json] [--color auto|always|never] [--gazetteers DIR]...
    normalize suggest IN [--min-count N] [--top N] [--output FILE]
    normalize gazetteers diff OLD NEW --corpus DIR [--format text|github]

Exit codes: 0 done, 1 output failed its own validation (or the gazetteer check
found errors), 2 usage or configuration error, reported in one line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from normalize import __version__
from normalize.gazetteer import GazetteerError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for any configuration error
        self.exit(EXIT_USAGE, f"normalize: {message} (see --help)\n")


def _run_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="normalize", description="Clean and normalize Russian news; link entity mentions.")
    p.add_argument("input", metavar="IN", type=Path, help="input folder (.txt, .jsonl, .csv, .parquet) or file")
    p.add_argument("output", metavar="OUT", type=Path, help="output folder for the tables")
    p.add_argument(
        "--gazetteers",
        "-g",
        action="append",
        type=Path,
        metavar="DIR",
        help="gazetteer dir (repeatable; replaces the bundled set)",
    )
    p.add_argument(
        "--format", choices=("parquet", "csv", "jsonl"), default="parquet", help="table format (default parquet)"
    )
    p.add_argument("--workers", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--follow-symlinks", action="store_true", help="follow symlinks that lead outside IN")
    p.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reuse records finished by an earlier (or killed) run into OUT, by content hash (default: on)",
    )
    p.add_argument("--batch-size", type=int, default=256, metavar="N", help="records per checkpoint (default 256)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    p.add_argument("--report", action="store_true", help="also write OUT/report.html (one self-contained page)")
    p.add_argument("--version", action="version", version=f"normalize {__version__}")
    return p


def run_main(argv: Sequence[str]) -> int:
    from normalize import pipeline, read, write

    args = _run_parser().parse_args(argv)
    workers = args.workers if args.workers is not None else pipeline.default_workers()
    if workers < 1:
        return _fail("--workers must be at least 1")
    started = time.perf_counter()
    from normalize import resume

    try:
        compiled = pipeline.compile_gazetteers(args.gazetteers)
        inputs = read.scan(args.input, args.follow_symlinks, exclude=args.output)
        files = inputs.files
        write.prepare_out(args.output)
        from normalize.progress import Progress

        with Progress(len(files), enabled=None if not args.quiet else False) as bar:
            result = resume.run(
                args.input,
                args.output,
                args.gazetteers,
                workers,
                follow_symlinks=args.follow_symlinks,
                resume=args.resume,
                track=bar.track,
                batch_size=max(1, args.batch_size),
                files=files,
            )
    except (GazetteerError, read.InputError, write.OutputError) as exc:
        return _fail(str(exc))
    except OSError as exc:  # the output folder went away or filled up, mid-run
        return _fail(f"{exc.filename or args.output}: {exc.strerror or exc}")
    # figures from narrow columns and a sample of the first documents: the main process holds
    # nothing that grows with the corpus, and the tables stream from the checkpoint parts to OUT
    view = result.tables.overview()
    elapsed = time.perf_counter() - started
    rejects = view.rejects
    invalid = rejects.filter(rejects["stage"] == "validate").height
    report = {
        "version": __version__,
        "input": str(args.input),
        "files": result.files,
        "documents": view.documents,
        "rejects": rejects.height,
        "rejects_by_stage": dict(view.rejects_by_stage),
        "mentions": view.mentions,
        "edits": view.edits,
        "mentions_by_type": dict(sorted(view.mentions_by_type)),
        "gazetteer_digest": compiled.gazetteer.digest,
        "entities": len(compiled.gazetteer.entities),
        "seconds": round(elapsed, 3),
        "chars_per_second": round(view.n_chars / elapsed) if elapsed > 0 else None,
        "workers": workers,
        "format": args.format,
        # accounting: every input record is in exactly one of documents or rejects
        "records": result.records,
        "processed": result.processed,
        "reused": result.reused,
        "rejects_by_reason": dict(view.rejects_by_reason),
    }

    def write_all() -> None:
        write.write_tables(result.tables, args.output, args.format, report)
        resume.finish(args.output, result, {"format": args.format, "follow_symlinks": args.follow_symlinks})

    # the tables stream to OUT in polars, outside the GIL, while this thread reads the sample
    # for the summary's unlinked names (Python: morphology over up to 300k characters)
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(write_all)
        unlinked = None
        if not args.quiet:
            from normalize import suggest

            unlinked = suggest.quick(view.sample_documents, view.sample_mentions, compiled)
        try:
            writing.result()
        except OSError as exc:
            return _fail(f"{exc.filename or args.output}: cannot write ({exc.strerror or exc})")
    if args.report:
        from normalize import report as report_html

        report_html.write_report(result.tables, args.output, run=report)
    if not files:  # an empty folder: one line, not a summary of zeros
        print(f"normalize: {inputs.empty_line(args.input)}", file=sys.stderr)
        return EXIT_OK
    if not args.quiet:
        from normalize import progress

        colour = progress.use_colour(sys.stderr)
        print(progress.summary(view, elapsed, args.output, unlinked=unlinked, colour=colour), file=sys.stderr)
        print(
            f"  records: {result.records} = {view.documents} documents + {rejects.height} rejects"
            f" ({result.processed} processed, {result.reused} reused from an earlier run)",
            file=sys.stderr,
        )
    return EXIT_INVALID if invalid else EXIT_OK


def explain_main(argv: Sequence[str]) -> int:
    from normalize import pipeline
    from normalize.read import RawDoc

    p = _Parser(prog="normalize explain", description="Show what the pipeline makes of one text.")
    p.add_argument("text", help="the text, or - for standard input")
    p.add_argument("--gazetteers", "-g", action="append", type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour (default: on a terminal)"
    )
    args = p.parse_args(argv)
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        compiled = pipeline.compile_gazetteers(args.gazetteers)
    except GazetteerError as exc:
        return _fail(str(exc))
    rows = pipeline.process_one(RawDoc("explain", "<text>", text=text), compiled)
    if args.json:
        print(
            json.dumps(
                {"documents": rows.documents, "edits": rows.edits, "mentions": rows.mentions, "rejects": rows.rejects},
                ensure_ascii=False,
                default=str,
                indent=2,
            )
        )
        return EXIT_OK
    if rows.rejects:
        print(f"rejected: {rows.rejects[0]['reason']}")
        return EXIT_OK
    from normalize.progress import TYPE_COLOURS, paint, use_colour

    on = use_colour(sys.stdout, args.color)
    doc = rows.documents[0]
    text, pos, parts = doc["text"], 0, []
    if on:  # the text with each (outermost) mention coloured by its entity type
        for m in sorted(rows.mentions, key=lambda m: (m["start"], -m["end"])):
            if m["start"] >= pos:
                parts += [
                    text[pos : m["start"]],
                    paint(text[m["start"] : m["end"]], "4;" + TYPE_COLOURS.get(m["entity_type"], "1"), on),
                ]
                pos = m["end"]
    print("".join(parts) + text[pos:])
    print()
    for key in ("published", "source", "place"):
        if doc[key]:
            print(f"{paint(key, '2', on)}: {doc[key]}")
    for e in rows.edits:
        if e["rule_id"] != "clean/whitespace":
            print(
                f"edit  {paint(e['rule_id'], '2', on)}: {paint(repr(e['before']), '31', on)} → "
                f"{paint(repr(e['after']), '32', on)}"
            )
    for m in rows.mentions:
        colour = TYPE_COLOURS.get(m["entity_type"], "")
        print(
            f"{m['start']:>5}-{m['end']:<5} {paint(repr(m['text']), colour, on)} → {paint(m['canonical'], '1', on)} "
            f"[{m['entity_type']}, {m['method']}, {m['score']}]"
        )
    return EXIT_OK


def suggest_main(argv: Sequence[str]) -> int:
    from normalize import suggest

    return suggest.main(argv)


def gazetteers_main(argv: Sequence[str]) -> int:
    if argv and argv[0] == "diff":
        from normalize import diff

        return diff.main(argv[1:])
    if not argv or argv[0] not in ("check",):
        return _fail(
            "usage: normalize gazetteers check [DIR]... [--format text|github]"
            " | normalize gazetteers diff OLD NEW --corpus DIR [--format text|github]"
        )
    from normalize import check

    p = _Parser(prog="normalize gazetteers check", description="Check gazetteer files; exit 1 on any error.")
    p.add_argument("dirs", nargs="*", help="gazetteer dirs or files (default: the bundled set)")
    p.add_argument("--format", choices=("text", "github"), default="text")
    args = p.parse_args(argv[1:])
    return check.main(args.dirs, args.format)


def _fail(message: str) -> int:
    print(f"normalize: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"explain": explain_main, "gazetteers": gazetteers_main, "suggest": suggest_main}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return run_main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def entry() -> None:
    """The `normalize` command: `main`, then the process ends at once.

    Tearing the interpreter down object by object (the gazetteer index, the morphology
    dictionaries, the tables) took a quarter of a second after everything was written,
    closed and renamed; only the standard streams still need flushing."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe: nothing more to say
        pass
    import os

    os._exit(code)


if __name__ == "__main__":
    entry()

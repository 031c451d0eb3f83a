"""Command line: one argparse tree over the library.

    normalize [run] IN OUT [-g DIR]... [--no-bundled] [--format parquet|csv|jsonl] [-j N] [--report] [--quiet]
                           [--no-dedup | --dedup-threshold X --dedup-shingle N]
    normalize explain TEXT|- [--json] [--color auto|always|never] [-g DIR]... [--no-bundled]
    normalize suggest IN [-g DIR]... [--no-bundled] [--min-count N] [--top N] [-o FILE] [-j N]
    normalize gazetteers check [DIR]... | [-g DIR]... [--no-bundled] [--errors-only] [--format text|github]
    normalize gazetteers diff OLD NEW | [--old DIR...] [--new DIR...] [--no-bundled] --corpus DIR [-j N]
    normalize gazetteers show ID|NAME [-g DIR]... [--no-bundled]
    normalize gazetteers compile [-g DIR]... [--no-bundled]
    normalize gazetteers path

The gazetteers are layers: the bundled set, then each `-g DIR` on top, in order (`layers.py`);
`--no-bundled` starts from nothing.

The commands are data (`COMMANDS`): each names its words, its one-line summary (what
`normalize --help` lists), the shared option groups it takes (`-g`, `-j`, `--format`) and its
handler. The first word not being a command means `run`, so `normalize IN OUT` is a run.

Exit codes (`EXIT_CODES`, listed by `normalize --help`): 0 done, 1 output failed its own
validation (or the gazetteer check found errors), 2 usage or configuration error, 3 the run
could not read or write while running; errors are reported in one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from normalize import __version__
from normalize.gazetteer import GazetteerError
from normalize.progress import notices

if TYPE_CHECKING:  # pragma: no cover
    from normalize.dedup import DedupOptions

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_IO = 0, 1, 2, 3
EXIT_CODES = (
    (EXIT_OK, "done (rejected documents, if any, are in `rejects`)"),
    (EXIT_INVALID, "the output failed its own validation"),
    (EXIT_USAGE, "usage or configuration error (bad arguments, unreadable input, invalid gazetteer)"),
    (EXIT_IO, "could not read or write while running (disk full, no permission, OUT gone); a rerun resumes"),
)
HELP = ("-h", "--help")
DESCRIPTION = "Clean and normalize Russian news; link entity mentions."


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, as for any configuration error."""

    def error(self, message: str) -> None:
        self.exit(EXIT_USAGE, f"normalize: {message} (see --help)\n")


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print a one-line error and return the exit code (by default the usage one)."""
    print(f"normalize: error: {message}", file=sys.stderr)
    return code


# --- option groups shared by several commands ------------------------------------------


def _add_no_bundled(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-bundled", action="store_true", help="no bundled gazetteers at the bottom of the stack: start from nothing"
    )


def no_bundled_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    _add_no_bundled(p)
    return p


def gazetteers_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--gazetteers",
        "-g",
        action="append",
        type=Path,
        metavar="DIR",
        help="gazetteer dir or file, stacked on the bundled set (repeatable: each a layer, in order)",
    )
    _add_no_bundled(p)
    return p


def workers_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--workers", "-j", type=int, default=None, help="worker processes (default: all cores)")
    return p


def report_format_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--format", choices=("text", "github"), default="text", help="github: annotations / markdown for a PR"
    )
    return p


def no_arguments(p: argparse.ArgumentParser) -> None:
    """A command with no arguments of its own (`gazetteers path`)."""


def _workers(args: argparse.Namespace) -> int:
    from normalize import pipeline

    return max(args.workers, 1) if args.workers is not None else pipeline.default_workers()


# --- normalize [run] IN OUT ------------------------------------------------------------


def run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", type=Path, help="input folder (.txt, .jsonl, .csv, .parquet) or file")
    p.add_argument("output", metavar="OUT", type=Path, help="output folder for the tables")
    p.add_argument(
        "--format", choices=("parquet", "csv", "jsonl"), default="parquet", help="table format (default parquet)"
    )
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
    dedup_arguments(p)
    p.add_argument("--version", action="version", version=f"normalize {__version__}")


def dedup_arguments(p: argparse.ArgumentParser) -> None:
    """Near-duplicate options: what `documents.duplicate_of` and `similarity` are made with."""
    from normalize.dedup import DEFAULT

    g = p.add_argument_group("near-duplicates (documents.duplicate_of, similarity)")
    g.add_argument("--no-dedup", action="store_true", help="do not look for near-duplicates (both columns null)")
    g.add_argument(
        "--dedup-threshold",
        type=float,
        metavar="X",
        help=f"least estimated Jaccard similarity of two documents' shingles, in (0, 1] (default {DEFAULT.threshold})",
    )
    g.add_argument("--dedup-shingle", type=int, metavar="N", help=f"words per shingle (default {DEFAULT.shingle})")


def dedup_options(args: argparse.Namespace) -> DedupOptions | None:
    """The run's `DedupOptions` from the command line (None: --no-dedup); ValueError for bad values."""
    from normalize.dedup import DEFAULT

    given = {"threshold": args.dedup_threshold, "shingle": args.dedup_shingle}
    if args.no_dedup:
        if any(v is not None for v in given.values()):
            raise ValueError("--no-dedup and --dedup-threshold/--dedup-shingle contradict each other")
        return None
    return replace(DEFAULT, **{k: v for k, v in given.items() if v is not None})


def run_command(args: argparse.Namespace) -> int:
    """`normalize IN OUT`: `normalize.run`, then the summary on stderr and the exit code."""
    from normalize import faults, progress, read, runner, write

    if args.workers is not None and args.workers < 1:
        return fail("--workers must be at least 1")
    try:
        dedup = dedup_options(args)
    except ValueError as exc:
        return fail(str(exc))
    options = runner.RunOptions(
        gazetteers=tuple(args.gazetteers or ()),
        bundled=not args.no_bundled,
        format=args.format,
        workers=args.workers,
        report=args.report,
        resume=args.resume,
        batch_size=args.batch_size,
        follow_symlinks=args.follow_symlinks,
        progress=None if not args.quiet else False,
        unlinked=not args.quiet,
        dedup=dedup,
    )
    try:
        result = runner.run(args.input, args.output, options)
    except (GazetteerError, read.InputError, write.OutputError) as exc:
        return fail(str(exc))
    except faults.IOFault as exc:  # a full disk, a read-only or vanished OUT: the checkpoints stay
        return fail(f"{exc}; once that is fixed, the same command resumes the run", EXIT_IO)
    inputs = read.Inputs(files=[], skipped=result.skipped)
    if not result.files:  # an empty folder: one line, not a summary of zeros
        print(f"normalize: {inputs.empty_line(args.input)}", file=sys.stderr)
        return EXIT_OK
    if not args.quiet:
        colour = progress.use_colour(sys.stderr)
        view = result.overview
        summary = progress.summary(
            view,
            result.seconds,
            args.output,
            unlinked=result.unlinked,
            colour=colour,
            processed=result.processed,
            reused=result.reused,
        )
        print(summary, file=sys.stderr)
        print(
            f"  records: {result.records} = {progress.counted(view.documents, 'document')}"
            f" + {progress.counted(result.rejects, 'reject')}"
            f" ({result.processed} processed, {result.reused} reused from an earlier run)",
            file=sys.stderr,
        )
        if inputs.skipped:
            print(f"  {inputs.skipped_line()}", file=sys.stderr)
        if result.report is not None:
            print(f"  report: {result.report}", file=sys.stderr)
    return EXIT_INVALID if result.invalid else EXIT_OK


def run_main(argv: Sequence[str]) -> int:
    """`normalize IN OUT ...` with these arguments (the word `run` left out)."""
    return main(["run", *argv])


# --- normalize explain TEXT ------------------------------------------------------------


def explain_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", metavar="TEXT", help="the text, or - for standard input")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour (default: on a terminal)"
    )


def explain_command(args: argparse.Namespace) -> int:
    from normalize import explain, pipeline
    from normalize.progress import use_colour
    from normalize.read import RawDoc

    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        compiled = pipeline.compile_gazetteers(args.gazetteers, not args.no_bundled)
    except GazetteerError as exc:
        return fail(str(exc))
    rows = pipeline.process_one(RawDoc("explain", "<text>", text=text), compiled)
    print(explain.as_json(rows) if args.json else explain.describe(rows, use_colour(sys.stdout, args.color)))
    return EXIT_OK


# --- normalize suggest IN --------------------------------------------------------------


def suggest_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", type=Path, help="input folder or file (as for normalize IN OUT)")
    p.add_argument("--min-count", type=int, default=2, help="least occurrences to suggest (default 2)")
    p.add_argument("--top", type=int, default=50, help="at most this many stubs (default 50)")
    p.add_argument("--output", "-o", type=Path, help="write the YAML here instead of stdout")


def suggest_command(args: argparse.Namespace) -> int:
    from normalize import progress, read, suggest

    try:
        found = suggest.suggest(
            args.input, args.gazetteers, _workers(args), args.min_count, args.top, bundled=not args.no_bundled
        )
    except (GazetteerError, read.InputError) as exc:
        return fail(str(exc))
    text = suggest.to_yaml(found)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"normalize suggest: {progress.counted(len(found), 'stub')} → {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


# --- normalize gazetteers check | diff | show | path -----------------------------------


def check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "dirs",
        metavar="DIR",
        nargs="*",
        help="gazetteer dirs or files, checked as one set on its own (default: the bundled set); "
        "-g/--no-bundled check the stack a run uses instead",
    )
    p.add_argument("--errors-only", action="store_true", help="leave out the warnings")


def check_command(args: argparse.Namespace) -> int:
    from normalize import check

    layers = [str(g) for g in args.gazetteers or ()]
    return check.main(args.dirs, args.format, layers=layers, bundled=not args.no_bundled, errors_only=args.errors_only)


def diff_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", type=Path, nargs="?", help="the gazetteer set before (dir or file), alone")
    p.add_argument("new", metavar="NEW", type=Path, nargs="?", help="the gazetteer set after (dir or file), alone")
    for side, when in (("old", "before"), ("new", "after")):
        p.add_argument(
            f"--{side}",
            dest=f"{side}_layers",
            action="extend",
            nargs="+",
            type=Path,
            metavar="DIR",
            help=f"the stack {when}: these layers on the bundled set, in order (none: the bundled set alone)",
        )
    p.add_argument("--corpus", required=True, type=Path, metavar="DIR", help="corpus to run (as normalize IN)")
    p.add_argument("--limit", type=int, default=15, help="entities listed per section")


def diff_command(args: argparse.Namespace) -> int:
    from normalize import diff, read

    stacked = args.old_layers is not None or args.new_layers is not None or args.no_bundled
    if args.old is not None and stacked:
        return fail("gazetteers diff: give OLD NEW, or --old/--new DIR... (with --no-bundled), not both")
    if args.new is None and not stacked:
        return fail("gazetteers diff: give OLD NEW (two sets, each alone), or --old/--new DIR... (stacks)")
    if stacked:
        old, new, bundled = args.old_layers or [], args.new_layers or [], not args.no_bundled
    else:
        old, new, bundled = [args.old], [args.new], False
    try:
        d = diff.diff(old, new, args.corpus, _workers(args), bundled=bundled)
    except (GazetteerError, read.InputError) as exc:
        return fail(str(exc))
    if args.format == "github":
        text = diff.format_markdown(d, args.limit)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:  # inside GitHub Actions: also the job summary
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(text)
    else:
        text = diff.format_text(d, args.limit)
    sys.stdout.write(text)
    return EXIT_OK


def show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", metavar="ID|NAME", help="an entity id, or a name or alias (exit 1 when no entity has it)")


def show_command(args: argparse.Namespace) -> int:
    from normalize import check, layers, show

    try:
        stack = layers.command_layers(args.gazetteers or (), bundled=not args.no_bundled)
        merged = layers.merge(stack, label=check.label, warnings=False)
        layers.raise_first_error(merged.problems)
    except GazetteerError as exc:
        return fail(str(exc))
    found = show.find(merged, args.query)
    if not found.entities:
        why = found.note or f"no entity has the id or name {args.query!r}"
        near = f" (nearest ids: {', '.join(found.near)})" if found.near else ""
        print(f"normalize gazetteers show: {why}{near}", file=sys.stderr)
        return EXIT_INVALID
    if found.note:
        print(found.note)
    print("\n\n".join(show.describe(e) for e in found.entities))
    return EXIT_OK


def compile_command(args: argparse.Namespace) -> int:
    from normalize import cache, faults

    try:
        entry = cache.compile_ahead(args.gazetteers, bundled=not args.no_bundled)
    except (GazetteerError, ValueError) as exc:
        return fail(str(exc))
    except faults.IOFault as exc:
        return fail(f"gazetteer cache {exc}", EXIT_IO)
    done = f"compiled in {entry.seconds:.1f} s" if entry.compiled else "in the cache already"
    print(
        f"normalize gazetteers compile: {entry.entities:,} entities, {entry.keys:,} keys: {done}"
        f" → {entry.path} ({entry.size / 1e6:.1f} MB)"
    )
    return EXIT_OK


def path_command(args: argparse.Namespace) -> int:
    from normalize.gazetteer import bundled_dir

    try:
        print(bundled_dir())
    except GazetteerError as exc:
        return fail(str(exc))
    return EXIT_OK


# --- the tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One command of the tree: its words, what `--help` says of it, its options and handler."""

    words: tuple[str, ...]  # ("gazetteers", "check")
    usage: str  # its positional arguments, for the list of commands
    summary: str  # one line
    arguments: Callable[[argparse.ArgumentParser], None]  # adds the command's own options
    handler: Callable[[argparse.Namespace], int]
    shared: tuple[Callable[[], argparse.ArgumentParser], ...] = ()  # option groups it shares


COMMANDS = (
    Command(
        ("run",),
        "IN OUT",
        "clean IN, write the tables to OUT (the word `run` may be left out)",
        run_arguments,
        run_command,
        (gazetteers_option, workers_option),
    ),
    Command(
        ("explain",),
        "TEXT",
        "the text as the pipeline sees it: edits, mentions, canonical names",
        explain_arguments,
        explain_command,
        (gazetteers_option,),
    ),
    Command(
        ("suggest",),
        "IN",
        "frequent unlinked names in IN, as gazetteer entity stubs (YAML)",
        suggest_arguments,
        suggest_command,
        (gazetteers_option, workers_option),
    ),
    Command(
        ("gazetteers", "check"),
        "[DIR]...",
        "check gazetteer files, or a run's stack (-g); exit 1 on any error (the CI gate)",
        check_arguments,
        check_command,
        (gazetteers_option, report_format_option),
    ),
    Command(
        ("gazetteers", "diff"),
        "OLD NEW --corpus DIR",
        "what a gazetteer change does to the mentions of a corpus",
        diff_arguments,
        diff_command,
        (no_bundled_option, report_format_option, workers_option),
    ),
    Command(
        ("gazetteers", "show"),
        "ID|NAME",
        "an entity as the layers merge it, with the file:line of each field",
        show_arguments,
        show_command,
        (gazetteers_option,),
    ),
    Command(
        ("gazetteers", "compile"),
        "",
        "compile a run's stack (-g) into the cache now, so that runs with it start warm",
        no_arguments,
        compile_command,
        (gazetteers_option,),
    ),
    Command(
        ("gazetteers", "path"),
        "",
        "where the bundled gazetteers are installed",
        no_arguments,
        path_command,
    ),
)
GROUPS = {"gazetteers": "check, compare, inspect and compile gazetteer sets and stacks"}


def command_list(commands: Sequence[Command] = COMMANDS, width: int = 26) -> str:
    """The commands as `normalize --help` lists them: words and arguments, then the summary
    (on a line of its own when the words are long)."""
    lines = []
    for c in commands:
        left = f"  {' '.join(c.words)} {c.usage}"
        lines.append(f"{left:<{width}}{c.summary}" if len(left) < width else f"{left}\n{'':<{width}}{c.summary}")
    return "\n".join(lines)


def exit_code_list() -> str:
    """The exit codes as `normalize --help` lists them."""
    return "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES)


def parser() -> argparse.ArgumentParser:
    """The whole tree: `normalize` → run, explain, suggest, gazetteers → check, diff."""
    root = UsageParser(prog="normalize", description=DESCRIPTION)
    levels: dict[tuple[str, ...], Any] = {  # words so far → the subparsers action that takes the next
        (): root.add_subparsers(title="commands", metavar="COMMAND", required=True)
    }
    for c in COMMANDS:
        for i in range(1, len(c.words)):  # the groups on the way (`gazetteers`), once each
            if c.words[:i] not in levels:
                group = levels[c.words[: i - 1]].add_parser(
                    c.words[i - 1],
                    help=GROUPS.get(c.words[i - 1]),
                    description=GROUPS.get(c.words[i - 1]),
                    prog=f"normalize {' '.join(c.words[:i])}",
                )
                levels[c.words[:i]] = group.add_subparsers(title="commands", metavar="COMMAND", required=True)
        if c.words == ("run",):  # the default command: its help is `normalize --help`, with every command
            extra = {
                "prog": "normalize",
                "description": DESCRIPTION,
                "epilog": f"commands (normalize COMMAND --help for their options):\n{command_list()}\n\n"
                f"exit codes:\n{exit_code_list()}",
                "formatter_class": argparse.RawDescriptionHelpFormatter,
            }
        else:
            extra = {"prog": f"normalize {' '.join(c.words)}", "description": c.summary}
        leaf = levels[c.words[:-1]].add_parser(
            c.words[-1], parents=[make() for make in c.shared], help=c.summary, **extra
        )
        c.arguments(leaf)
        leaf.set_defaults(handler=c.handler)
    return root


def _group_usage(group: str) -> str:
    return " | ".join(f"normalize {' '.join(c.words)} {c.usage}" for c in COMMANDS if c.words[0] == group)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first_words = {c.words[0] for c in COMMANDS}
    if not argv or argv[0] not in first_words:
        argv = ["run", *argv]  # `normalize IN OUT`, and `normalize --help`: the run's page, listing every command
    if argv[0] in GROUPS:
        subcommands = {c.words[1] for c in COMMANDS if c.words[0] == argv[0]}
        if len(argv) < 2 or argv[1] not in (*subcommands, *HELP):
            return fail(f"usage: {_group_usage(argv[0])}")
    try:
        args = parser().parse_args(argv)
        # whatever a command compiles, a large set says that it does (`cache.NOTICE_MIN`), unless --quiet
        with notices(not getattr(args, "quiet", False)):
            return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
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
    os._exit(code)


if __name__ == "__main__":
    entry()

"""What a run wrote into OUT, so that OUT after a run holds exactly that run's outputs.

`run.json` lists the files the run wrote (`outputs`: the four tables in its format, `run.json`,
`report.html` when asked for). A run removes what an earlier run's list names and it does not
write itself: the report of a `--report` run before, the tables of another `--format`. Only
names normalize writes are ever removed (`OWN`), never a user's other files in OUT.

A run killed or failed while writing has removed `run.json` already (tables are changing), so
the list is also kept in the state folder, `OUT/.normalize/outputs.json`: before a run writes,
it holds what the earlier run wrote plus what this one will (`claim`); after it, this run's
outputs alone (`settle`). An OUT written by a version without the list: the tables in the
format its `run.json` names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from normalize import faults, write
from normalize.resume import state_dir

LEDGER = "outputs.json"
TABLES = ("documents", "mentions", "edits", "rejects")
# the only names a run may remove: what normalize itself writes into OUT
OWN = re.compile(rf"(?:{'|'.join(TABLES)})\.(?:{'|'.join(write.FORMATS)})|run\.json|report\.html")


def planned(fmt: str, report: bool) -> list[str]:
    """The files a run writes into OUT, in the order `run.json` lists them."""
    return [f"{t}.{fmt}" for t in TABLES] + (["report.html"] if report else []) + ["run.json"]


def _own(names: object) -> set[str]:
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and OWN.fullmatch(n)}


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def written_before(out: Path) -> set[str]:
    """What earlier runs wrote into OUT and no run has removed since (names in OUT)."""
    names = _own(_load(state_dir(out) / LEDGER).get("outputs"))
    report = _load(Path(out) / "run.json")
    if "outputs" in report:
        names |= _own(report["outputs"])
    elif report.get("format") in write.FORMATS:  # written before runs kept the list
        names |= {f"{t}.{report['format']}" for t in TABLES}
    return names


def claim(out: Path, names: Iterable[str]) -> set[str]:
    """Before a run writes: note what it will write beside what earlier runs wrote; returns the latter."""
    before = written_before(out)
    write.write_json({"outputs": sorted(before | set(names))}, state_dir(out), LEDGER)
    return before


def settle(out: Path, before: set[str], names: Iterable[str]) -> list[str]:
    """After a run wrote `names`: remove what earlier runs wrote and it did not; returns those removed."""
    names = set(names)
    gone = sorted(before - names)
    for name in gone:
        with faults.writing(Path(out) / name, "remove"):
            (Path(out) / name).unlink(missing_ok=True)
    write.write_json({"outputs": sorted(names)}, state_dir(out), LEDGER)
    return gone

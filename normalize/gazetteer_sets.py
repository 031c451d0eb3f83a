"""The set checks of the gazetteer validator, and `validate`: a set of files in, records and problems out.

After `gazetteer_validator` has read each file, these look across the whole set: duplicate ids,
a name claimed by two entities of one type, parents (dangling, cyclic, of the wrong type), what
each rule does to its examples and to ordinary words, and (advice only) names that are also
common words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from normalize import morph  # its pymorphy3 analyser is created once per process
from normalize.fix import RULE_TIMEOUT_S, compile_rule, fix_text
from normalize.gazetteer_model import ENTITY_ATTRIBUTES, Entity, GazetteerError, Location, Rule, gazetteer_files
from normalize.gazetteer_validator import Entry, Findings, Problem, read_file
from normalize.regex_safety import inside_word, nested_quantifier

# How the linker guards a name that is also a common word (kept here, in one place,
# so that the message follows the linker if its guard changes).
PERSON_GUARD = "linked only when capitalised and with evidence in the document: a full-name mention or a title"
OTHER_GUARD = "linked only when capitalised; make sure a capitalised common use (e.g. at a sentence start) is unlikely"

# Grammemes that mark a pymorphy3 parse as a proper name rather than a common word.
_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Geographic types, larger first: a country can hold a region, not the other way round.
_GEO_RANK = {"country": 0, "region": 1, "city": 2, "place": 3}

_WORD = regex.compile(r"^\p{Cyrillic}+(?:-\p{Cyrillic}+)*$")
_QUOTE_CHARS = "«»\"'„“”‘’"
_QUOTES = str.maketrans("", "", _QUOTE_CHARS)
_QUOTE = re.compile(f"[{_QUOTE_CHARS}]")  # the re module: five times quicker than regex to say "none"
_SPACE = regex.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The form under which two names count as the same: casefold, ё→е, no quotes or trailing dots."""
    # the translation and the regex only when they have something to do: a large set's names are
    # mostly plain words and single spaces (isprintable: no whitespace but the space)
    text = (name.translate(_QUOTES) if _QUOTE.search(name) else name).casefold().replace("ё", "е")
    if "  " in text or not text.isprintable():
        text = _SPACE.sub(" ", text)
    return text.strip().rstrip(".").strip()


class NameKeys(dict[str, str]):
    """`normalize_name` of each name asked for, worked out once: a merge compares every name in
    several checks (with a 100k-entity set, the same names four times over)."""

    def __missing__(self, name: str) -> str:
        key = self[name] = normalize_name(name)
        return key


def common_word(word: str) -> str | None:
    """If the linker takes `word` for a common lowercase word, what it is («бегун»: "NOUN"); else None.

    The decision is the linker's own (`morph.is_common_word`: pymorphy3 knows a parse
    without a proper-name tag), so the warning says exactly what the linker will guard;
    the description names the part of speech and, when it differs, the dictionary form
    («путин»: "NOUN, a form of «путина»").
    """
    if not morph.is_common_word(word):
        return None
    lower = word.lower()
    for p in morph.analyzer().parse(lower):
        if p.is_known and not (p.tag.grammemes & _NAME_GRAMMEMES):
            pos = str(p.tag.POS or p.tag).split(",")[0]
            return pos if p.normal_form == lower else f"{pos}, a form of «{p.normal_form}»"
    return "a dictionary word"


@dataclass(frozen=True)
class Name:
    """A name an entity entry gives, where, and as what ("name", "alias" or "surname")."""

    text: str
    line: int
    kind: str


def names(e: Entry) -> list[Name]:
    """The entry's canonical name and aliases, in file order."""
    return [Name(*named) for named in _named(e)]


def _named(e: Entry) -> list[tuple[str, int, str]]:
    """`names`, as (text, line, kind): a set's names are compared by the hundred thousand."""
    out = [(e.values["name"], e.line_of("name"), "name")] if "name" in e.values else []
    if "aliases" in e.values or "aliases" in e.item_lines:
        aliases = zip(e.values.get("aliases", ()), e.item_lines.get("aliases", ()), strict=True)
        out += [(text, line, "alias") for text, line in aliases]
    return out


# --- entities ------------------------------------------------------------------------------


class _Graph:
    """The entities of one set (or layer) by id, over those of the earlier layers (`below`)."""

    def __init__(self, first: Mapping[str, Entry], below: Mapping[str, Entity]) -> None:
        self.first = first
        self.below = below

    def __contains__(self, eid: str) -> bool:
        return eid in self.first or eid in self.below

    def type(self, eid: str | None) -> str | None:
        entry = self.first.get(eid) if eid is not None else None
        if entry is not None and "type" in entry.values:
            return entry.values["type"]
        return self.below[eid].type if eid in self.below else None

    def parent(self, eid: str) -> str | None:
        entry = self.first.get(eid)
        if entry is not None and "parent" in entry.values:
            return entry.values["parent"]
        return self.below[eid].parent if eid in self.below else None


def check_entities(
    entries: Sequence[Entry],
    found: Findings,
    below: Mapping[str, Entity] | None = None,
    name_keys: NameKeys | None = None,
) -> None:
    """Duplicate ids, names claimed twice, parents and drops, across one set.

    `below`: the entities of the earlier layers by id; an entry with one of their ids updates it,
    so its type, name and parent are that entity's unless it gives its own. `name_keys`: the names
    normalized so far (a merge shares them between its layers' checks and the merge itself).
    """
    below = below or {}
    first: dict[str, Entry] = {}
    for e in entries:
        eid = e.id
        if eid is None:
            continue
        if eid in first:
            found.add(e.path, e.line, "duplicate-id", f"duplicate entity id {eid!r} (first at {first[eid].where})")
        else:
            first[eid] = e
        if e.values.get("drop") and eid not in below:
            found.add(
                e.path,
                e.line_of("drop"),
                "drop-unknown",
                f"nothing to drop: no earlier layer has an entity {eid!r}",
            )
    graph = _Graph(first, below)
    _check_names(entries, graph, found, NameKeys() if name_keys is None else name_keys)
    _check_parents(entries, graph, found)


def _check_names(entries: Sequence[Entry], graph: _Graph, found: Findings, keys: NameKeys) -> None:
    owners: dict[tuple[str, str], tuple[Entry, tuple[str, int, str]]] = {}
    for e in entries:
        etype = graph.type(e.id) if "type" not in e.values else e.values["type"]
        if etype is None:
            continue
        for named in _named(e):
            key = (etype, keys[named[0]])
            if not key[1]:
                continue
            if key not in owners:
                owners[key] = (e, named)
                continue
            nm, (other, other_named) = Name(*named), owners[key]
            other_nm = Name(*other_named)
            if other is e:
                found.add(
                    e.path,
                    nm.line,
                    "duplicate-alias",
                    f"{nm.kind} {nm.text!r} of {e.id!r} repeats {other_nm.kind} {other_nm.text!r} "
                    f"(line {other_nm.line})",
                )
            elif other.id != e.id:  # same id: already a duplicate-id error
                found.add(
                    e.path,
                    nm.line,
                    "alias-collision",
                    f"{nm.kind} {nm.text!r} of {e.id!r} is also {other_nm.kind} {other_nm.text!r} of {other.id!r} "
                    f"({other.path}:{other_nm.line}); two {etype} entities cannot share a name",
                )
    for e in entries:  # adjectives: no two entities share one by design (the linker picks by type), repeats only
        if "adjectives" not in e.values and "adjectives" not in e.item_lines:
            continue
        seen: dict[str, int] = {}
        for text, line in zip(e.values.get("adjectives", ()), e.item_lines.get("adjectives", ()), strict=True):
            if text in seen:
                found.add(
                    e.path,
                    line,
                    "duplicate-alias",
                    f"adjective {text!r} of {e.id!r} repeats adjective {text!r} (line {seen[text]})",
                )
            seen.setdefault(text, line)


def _check_parents(entries: Sequence[Entry], graph: _Graph, found: Findings) -> None:
    position: dict[int, int] = {}  # each entry's place in file order, when a cycle needs it
    for e in entries:
        parent_id = e.values.get("parent")
        if parent_id is None or e.id is None:
            continue
        line = e.line_of("parent")
        if parent_id not in graph:
            found.add(e.path, line, "dangling-parent", f"parent {parent_id!r} of {e.id!r} is not defined")
            continue
        chain = [e.id]
        up: str | None = parent_id
        while up is not None and up in graph and up not in chain:
            chain.append(up)
            up = graph.parent(up)
        if up == e.id and graph.first.get(e.id) is e:
            # report a cycle once, at its first member (of this set) in file order
            position = position or {id(e): i for i, e in enumerate(entries)}
            members = [position[id(graph.first[m])] for m in chain if m in graph.first]
            if min(members) == position[id(e)]:
                found.add(e.path, line, "parent-cycle", f"{e.id!r} is its own parent: {' → '.join([*chain, e.id])}")
            continue
        etype, ptype = graph.type(e.id), graph.type(parent_id)
        bad = ptype == "person" or (ptype == "event" and etype != "event")
        if etype in _GEO_RANK and ptype in _GEO_RANK and _GEO_RANK[ptype] > _GEO_RANK[etype]:
            bad = True
        if bad:
            found.add(
                e.path,
                line,
                "parent-type",
                f"parent {parent_id!r} of {e.id!r} ({etype}) is a {ptype}, which cannot contain {etype} entities",
            )


def check_common_words(entries: Sequence[Entry], found: Findings) -> None:
    """Advice: names (and a person's surname, which the linker links alone) that are common words."""
    for e in entries:
        all_names = names(e)
        name = e.values.get("name")
        derived = False
        if e.values.get("type") == "person" and name is not None and len(name.split()) >= 2:
            surname = e.values.get("surname")
            # the word the linker links alone, as in «Бегун заявил»
            word = morph.person_parts(name, surname, e.values.get("gender")).surname
            all_names.append(Name(word, e.line_of("surname" if surname is not None else "name"), "surname"))
            derived = surname is None
        seen: set[str] = set()
        for nm in all_names:
            word = nm.text
            if not _WORD.match(word) or word.lower() in seen or any(c.isupper() for c in word[1:]):
                continue  # a capital inside (МУС, УзА) never reads as a common word to the linker
            seen.add(word.lower())
            pos = common_word(word)
            if pos is None:
                continue
            what = "surname (last word of the name)" if nm.kind == "surname" and derived else nm.kind
            guard = PERSON_GUARD if nm.kind == "surname" else OTHER_GUARD
            found.add(
                e.path,
                nm.line,
                "common-word",
                f"{what} {word!r} of {e.id!r} is also a common word «{word.lower()}» ({pos}); {guard}",
            )


# --- rules ---------------------------------------------------------------------------------


def check_rules(entries: Sequence[Entry], found: Findings) -> None:
    """Duplicate rule ids; then each rule that reads cleanly is run on its examples and a word sample."""
    first: dict[str, Entry] = {}
    for r in entries:
        if r.id is None:
            continue
        if r.id in first:
            f = first[r.id]
            found.add(r.path, r.line, "duplicate-rule-id", f"duplicate rule id {r.id!r} (first at {f.where})")
        else:
            first[r.id] = r
    for r in entries:
        if r.clean:
            _run_rule(r, rule_of(r), found)


def _run_rule(entry: Entry, rule: Rule, found: Findings) -> None:
    find_line = entry.line_of("find")

    def add(line: int, code: str, message: str) -> None:
        found.add(entry.path, line, code, message)

    try:
        pattern = compile_rule(rule).pattern
    except regex.error as exc:
        add(find_line, "regex-invalid", f"rule {rule.id!r}: regex does not compile: {exc}")
        return
    if rule.regex and (group := nested_quantifier(rule.find)) is not None:
        add(
            find_line,
            "regex-backtracking",
            f"rule {rule.id!r}: nested quantifiers in `{group}` risk catastrophic backtracking; "
            "make the inner or outer repetition atomic/possessive or rewrite it",
        )
    if not rule.examples:
        add(entry.line, "rule-no-examples", f"rule {rule.id!r} has no examples")
    for ex in rule.examples:
        line = ex.where.line if ex.where else entry.line
        try:
            actual = fix_text(ex.before, [rule])
            again = fix_text(ex.after, [rule])
        except Exception as exc:  # a timeout, a bad group reference in replace, ...
            add(line, "rule-example-failed", f"rule {rule.id!r} raised on {ex.before!r}: {exc}")
            continue
        if actual != ex.after:
            add(
                line,
                "rule-example-failed",
                f"rule {rule.id!r} turns {ex.before!r} into {actual!r}, expected {ex.after!r}",
            )
        elif again != ex.after:
            add(
                line,
                "rule-not-idempotent",
                f"rule {rule.id!r} rewrites its own output {ex.after!r} again, into {again!r}",
            )
    if not rule.regex:
        return
    try:
        hit = inside_word(pattern, [ex.before for ex in rule.examples], RULE_TIMEOUT_S)
    except TimeoutError:
        add(find_line, "regex-timeout", f"rule {rule.id!r}: regex ran past {RULE_TIMEOUT_S:g}s on a short test text")
        return
    if hit is not None:
        add(
            find_line,
            "rule-inside-word",
            f"rule {rule.id!r} fires inside a longer word: {hit}; guard the pattern with (?<!\\w) and (?!\\w) (or \\b)",
        )


# --- records and the whole walk ------------------------------------------------------------


def entity_of(entry: Entry) -> Entity:
    """The Entity an entry that read cleanly (and gives type and name) stands for."""
    return Entity(**{k: v for k, v in entry.values.items() if k in ENTITY_ATTRIBUTES}, where=entry.where)


def rule_of(entry: Entry) -> Rule:
    """The Rule an entry that read cleanly stands for."""
    return Rule(**entry.values, where=entry.where)


@dataclass(frozen=True)
class Validated:
    """A set of gazetteer files as the validator found it."""

    files: tuple[Path, ...]  # every file read, in walk order
    entities: tuple[Entry, ...]
    rules: tuple[Entry, ...]
    problems: tuple[Problem, ...]  # sorted by file (walk order) and line

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def raise_first_error(self) -> None:
        """Raise GazetteerError for the first error (file:line, one line), if there is one."""
        raise_first_error(self.problems)


def raise_first_error(problems: Sequence[Problem]) -> None:
    """Raise GazetteerError for the first error among `problems` (file:line, one line, saying how
    many more there are), if there is one: how the run refuses what `check` reports."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first, more = errors[0], len(errors) - 1
        tail = f" (and {more} more {'error' if more == 1 else 'errors'}: see `normalize gazetteers check`)"
        raise GazetteerError(Location(first.path, first.line), first.message + (tail if more else ""))


def set_files(paths: Sequence[Path | str], found: Findings, label: Callable[[Path], str] = str) -> list[Path]:
    """The gazetteer files under `paths` (dirs or files) taken as one set, in the order they are read, each
    once; a path that cannot be walked, or a folder without any, reported in `found` (each file's place in
    its order kept there too: problems are sorted by file as walked)."""
    files: list[Path] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        try:
            under = gazetteer_files([p])
        except GazetteerError as exc:
            found.add(label(p), 1, "unreadable", exc.message)
            continue
        if not under and p.is_dir():
            found.add(label(p), 1, "no-files", "no *.yaml or *.yml files in this directory")
        for f in under:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                found.file(label(f))
                files.append(f)
    return files


def validate(
    paths: Sequence[Path],
    *,
    label: Callable[[Path], str] = str,
    warnings: bool = True,
    below: Mapping[str, Entity] | None = None,
    found: Findings | None = None,
    name_keys: NameKeys | None = None,
) -> Validated:
    """Every problem in the gazetteer files under `paths` (dirs or files), taken as one set.

    `label` names a file in messages. Without `warnings`, only errors are looked for (the
    loader's way: the advice that needs the morphology dictionaries is skipped). `below`: the
    entities of the earlier layers, by id, when these files are a layer over them (layers.py).
    `found`: where to add the problems (one Findings for all the layers keeps them in order);
    `name_keys`: the names normalized so far (see `check_entities`). Bad data never raises.
    """
    found = found if found is not None else Findings()
    start = len(found.problems)
    files = set_files(paths, found, label)
    entities: list[Entry] = []
    rules: list[Entry] = []
    for f in files:
        ents, rls = read_file(f, label(f), found, below)
        entities += ents
        rules += rls
    check_entities(entities, found, below, name_keys)
    if warnings:
        check_common_words(entities, found)
    check_rules(rules, found)
    problems = Findings.sorted_in(found.problems[start:], found.order)
    if not warnings:
        problems = tuple(p for p in problems if p.severity == "error")
    return Validated(tuple(files), tuple(entities), tuple(rules), problems)

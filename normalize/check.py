"""`normalize gazetteers check`: the CI gate for gazetteer files.

Unlike `gazetteer.load`, which stops at the first problem, `check` walks the
line-tagged YAML tree itself and reports every problem in every file, each with
file:line, a severity and a stable code (see `CODES`). Errors fail the gate;
warnings are advice.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import regex
import yaml

from normalize import morph  # its pymorphy3 analyser is created once per process
from normalize.fix import RULE_TIMEOUT_S, compile_rule, fix_text
from normalize.gazetteer import (
    ENTITY_FIELDS,
    ENTITY_TYPES,
    RULE_FIELDS,
    Example,
    GazetteerError,
    Location,
    Node,
    Rule,
    bundled_dir,
    gazetteer_files,
    parse_yaml,
)

Severity = Literal["error", "warning"]
Format = Literal["text", "github"]

TOP_LEVEL_KEYS = ("entities", "rules")
EXAMPLE_FIELDS = ("in", "out")

#: Every problem code `check` can report, with its severity and meaning.
CODES: dict[str, tuple[Severity, str]] = {
    "unreadable": ("error", "a path that does not exist, or a file that cannot be read as UTF-8"),
    "yaml-syntax": ("error", "the file is not valid YAML"),
    "duplicate-key": ("error", "a mapping lists the same key twice (YAML keeps only the last)"),
    "bad-structure": ("error", "a value of the wrong shape (a list where a mapping belongs, ...)"),
    "unknown-key": ("error", "a top-level key other than entities and rules"),
    "unknown-field": ("error", "an entity, rule or example field the loader does not know"),
    "missing-field": (
        "error",
        "a required field is missing (entity: id, type, name; rule: id, find, replace)",
    ),
    "bad-value": ("error", "an empty or wrongly typed value (gender not m/f, regex not true/false, ...)"),
    "unknown-type": ("error", "an entity type outside ENTITY_TYPES"),
    "bad-wikidata": ("error", "a wikidata id that is not Q followed by digits"),
    "duplicate-id": ("error", "an entity id defined twice in the set"),
    "duplicate-rule-id": ("error", "a rule id defined twice in the set"),
    "alias-collision": ("error", "a name or alias claimed by two entities of one type (after normalization)"),
    "dangling-parent": ("error", "a parent id that no entity has"),
    "parent-cycle": ("error", "an entity that is (through parents) its own parent"),
    "surname-not-in-name": ("error", "a person's surname field that is not a word of the name (the linker ignores it)"),
    "regex-invalid": ("error", "a regex rule whose pattern does not compile"),
    "rule-example-failed": ("error", "a rule example whose `in` does not become its `out`"),
    "rule-not-idempotent": ("error", "a rule that rewrites its own corrected output again"),
    "rule-inside-word": ("error", "a regex rule that fires inside a longer word"),
    "regex-timeout": ("error", "a regex rule that runs past the time limit on a short test text"),
    "no-files": ("warning", "a directory with no *.yaml / *.yml files"),
    "duplicate-alias": ("warning", "an entity that lists the same name twice (after normalization)"),
    "parent-type": ("warning", "a parent of a type that cannot contain the entity"),
    "rule-no-examples": ("warning", "a rule without examples (nothing checks what it does)"),
    "regex-backtracking": ("warning", "nested unbounded quantifiers, at risk of catastrophic backtracking"),
    "common-word": ("warning", "a name, alias or surname that is also a common lowercase Russian word"),
}

# How the linker guards a name that is also a common word (kept here, in one place,
# so that the message follows the linker if its guard changes).
PERSON_GUARD = "linked only when capitalised and with evidence in the document: a full-name mention or a title"
OTHER_GUARD = "linked only when capitalised; make sure a capitalised common use (e.g. at a sentence start) is unlikely"

# Grammemes that mark a pymorphy3 parse as a proper name rather than a common word.
_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Geographic types, larger first: a country can hold a region, not the other way round.
_GEO_RANK = {"country": 0, "region": 1, "city": 2, "place": 3}

_WORD = regex.compile(r"^\p{Cyrillic}+(?:-\p{Cyrillic}+)*$")
_QUOTES = str.maketrans("", "", "«»\"'„“”‘’")
_SPACE = regex.compile(r"\s+")
_WIKIDATA = regex.compile(r"^Q[0-9]+$")

# Ordinary Russian news words (and look-alikes of common names and acronyms) that a
# regex rule must not rewrite from inside: a hit strictly inside one of them means the
# pattern lacks a word boundary.
SAMPLE_WORDS = """
    сотрудничество безопасность министерство правительство президент республика государство
    граница пограничный пограничники терроризм терроризма экстремизм наркотики наркотрафик
    задержан задержали сообщает сообщили пресс-служба ведомство заявил заявила встреча переговоры
    соглашение подписали учения военные оборона армия полиция милиция прокуратура суд уголовное
    дело следствие спецслужбы разведка контрабанда мигранты миграционный таможня таможенный
    министр замминистра глава генерал полковник председатель секретарь совет саммит визит
    делегация стороны обсудили вопросы региональной международной антитеррористический
    российский россиянин россияне китайский китаец китайцы киргизский кыргызский казахстанский
    казахский узбекский таджикский туркменский белорусский белорус армянский азербайджанский
    грузинский монгольский афганский иранский украинский американский европейский
    Россия России Китай Китая Киргизия Кыргызстан Казахстан Узбекистан Таджикистан Туркмения
    Туркменистан Беларусь Белоруссия Армения Азербайджан Грузия Монголия Афганистан Иран
    Москва Москве Пекин Бишкек Астана Алма-Ата Алматы Ташкент Душанбе Минск Ереван Баку Ош
    Шанхай Урумчи Синьцзян Нур-Султан Ашхабад Самарканд Фергана
    КНР КНДР РФ РК КР США ООН ОДКБ ШОС СНГ ЕАЭС СВР ФСБ МВД МИД МЧС ГКНБ КНБ ГУВД УВД
    понедельник вторник среда четверг пятница суббота воскресенье январь февраль март апрель
    май июнь июль август сентябрь октябрь ноябрь декабрь года году тысяч миллионов рублей
    сомов тенге юаней долларов процентов человек граждан жителей район области город села
    сказал отметил подчеркнул добавил пояснил напомнил рассказал также однако кроме поэтому
    который которые которая после перед между против около среди через вместе время работы
    """.split()
SAMPLE_TEXT = " ".join(SAMPLE_WORDS)


@dataclass(frozen=True)
class Problem:
    """One finding of the check, pointing at a file and line."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity} [{self.code}] {self.message}"


@dataclass
class _Name:
    text: str
    line: int
    kind: str  # "name", "alias" or "surname"


@dataclass
class _Entity:
    path: str
    line: int
    id: str | None
    type: str | None
    names: list[_Name] = field(default_factory=list)
    parent: str | None = None
    parent_line: int = 0
    derived_surname: bool = False  # the surname is the name's last word, not a listed field

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)


@dataclass
class _Rule:
    path: str
    line: int
    id: str | None
    find_line: int
    rule: Rule | None  # None when the record is too broken to run


def normalize_name(name: str) -> str:
    """The form under which two names count as the same: casefold, ё→е, no quotes or trailing dots."""
    text = name.translate(_QUOTES).casefold().replace("ё", "е")
    text = _SPACE.sub(" ", text).strip()
    return text.rstrip(".").strip()


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


def _fields(node: Node) -> dict[str, Node]:
    return {k: v for k, v in node.value.items() if not k.startswith("__line__:")}  # type: ignore[union-attr]


def _key_line(node: Node, key: str) -> int:
    marker = node.value.get("__line__:" + key)  # type: ignore[union-attr]
    return marker.line if marker is not None else node.line


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _cuts_word(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a match [start, end) cuts a word on its left and on its right."""
    left = start > 0 and start < len(text) and text[start - 1].isalnum() and text[start].isalnum()
    right = end > 0 and end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return left, right


@dataclass
class _Atom:
    """One atom of a regex with its quantifier (a tiny parse, enough for `nested_quantifier`)."""

    text: str  # the atom's source, without its quantifier
    quantified: str  # with its quantifier
    alts: list[list[_Atom]] | None = None  # a group's alternatives; [] for a backreference
    zero_width: bool = False  # anchors, lookarounds, inline flags
    atomic: bool = False
    min: int = 1
    unbounded: bool = False  # an unbounded quantifier that backtracks (not possessive)
    variable: bool = False  # a quantifier with room to give back: +, *, ?, {1,3} (not possessive)


def _quantifier(p: str, j: int) -> tuple[int, bool, bool, int]:
    """(min, unbounded, variable, length) of the quantifier at p[j]; (1, False, False, 0) if none.

    Unbounded and variable are for backtracking quantifiers: a possessive one is neither.
    """
    if p[j : j + 1] in ("+", "*", "?"):
        low, unbounded, variable, length = (1 if p[j] == "+" else 0), p[j] != "?", True, 1
    elif p[j : j + 1] == "{" and (m := regex.match(r"\{(\d*)(,(\d*))?\}", p[j:])):
        low, length = int(m.group(1) or 0), len(m.group())
        unbounded = bool(m.group(2)) and not m.group(3)
        variable = unbounded or (bool(m.group(2)) and int(m.group(3)) > low)
    else:
        return 1, False, False, 0
    if p[j + length : j + length + 1] == "+":  # possessive: never gives back
        return low, False, False, length + 1
    if p[j + length : j + length + 1] == "?":  # lazy: still backtracks
        length += 1
    return low, unbounded, variable, length


def _parse(p: str, i: int) -> tuple[list[list[_Atom]], int]:
    """Alternatives from p[i] up to the closing parenthesis (or the end); returns them and its index."""
    alts: list[list[_Atom]] = [[]]
    n = len(p)
    while i < n:
        c, start = p[i], i
        alts_in: list[list[_Atom]] | None = None
        zero = atomic = False
        if c == ")":
            return alts, i
        if c == "|":
            alts.append([])
            i += 1
            continue
        if c == "\\":
            kind = p[i + 1 : i + 2]
            i += 2
            if kind in ("p", "P", "N", "x", "u") and p[i : i + 1] == "{":
                close = p.find("}", i)
                i = close + 1 if close >= 0 else n
            elif kind.isdigit() or kind in ("g", "k"):
                alts_in = []  # a backreference: not a single character
            zero = kind in ("b", "B", "A", "Z", "z", "G", "m", "M")
        elif c == "[":
            i += 2 if p[i + 1 : i + 2] == "^" else 1
            if p[i : i + 1] == "]":
                i += 1
            depth = 1
            while i < n and depth:
                if p[i] == "\\":
                    i += 1
                elif p[i] == "[":
                    depth += 1
                elif p[i] == "]":
                    depth -= 1
                i += 1
        elif c == "(":
            if p.startswith("(?#", i):
                close = p.find(")", i)
                i = close + 1 if close >= 0 else n
                continue
            zero = any(p.startswith(h, i) for h in ("(?=", "(?!", "(?<=", "(?<!"))
            atomic = p.startswith("(?>", i)
            i += 1
            if p[i : i + 1] == "?":  # the group's kind: ?: ?= ?<= ?<name> ?P<name> ?i: ?> ?| ...
                i += 1
                if p[i : i + 1] == "P":
                    i += 1
                if p[i : i + 1] == "<" and p[i + 1 : i + 2] not in ("=", "!"):
                    close = p.find(">", i)
                    i = close + 1 if close >= 0 else n
                elif p[i : i + 1] == "<":
                    i += 2
                elif p[i : i + 1] and p[i] in ":=!>|":
                    i += 1
                else:
                    while i < n and (p[i].isalpha() or p[i] == "-"):
                        i += 1
                    if p[i : i + 1] == ")":  # inline flags, (?i)
                        zero = True
                    elif p[i : i + 1] == ":":
                        i += 1
            alts_in, i = _parse(p, i)
            i += 1  # the closing parenthesis
        else:
            zero = c in ("^", "$")
            i += 1
        text = p[start:i]
        low, unbounded, variable, length = _quantifier(p, i)
        i += length
        alts[-1].append(_Atom(text, p[start:i], alts_in, zero, atomic, low, unbounded, variable))
    return alts, i


def _variable_atoms(alts: list[list[_Atom]]) -> list[_Atom]:
    """Atoms (at any depth, outside atomic groups and lookarounds) that can match more or less."""
    out: list[_Atom] = []
    for alt in alts:
        for a in alt:
            if a.zero_width or a.atomic:
                continue
            if a.variable:
                out.append(a)
            if a.alts:
                out.extend(_variable_atoms(a.alts))
    return out


_PROBE = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x400, 0x460))) + "\t\n\xa0«»—–ё"


@lru_cache(maxsize=512)
def _chars(atom: str) -> frozenset[str] | None:
    """The probe characters a one-character atom matches (case-insensitively), or None if unknown."""
    try:
        pattern = regex.compile(atom, regex.V1 | regex.IGNORECASE)
    except regex.error:
        return None
    return frozenset(ch for ch in _PROBE if pattern.fullmatch(ch))


def _overlap(a: _Atom, b: _Atom) -> bool:
    if a.alts is not None or b.alts is not None:
        return True
    ca, cb = _chars(a.text), _chars(b.text)
    return ca is None or cb is None or bool(ca & cb)


def _repeat_is_safe(alts: list[list[_Atom]]) -> bool:
    r"""Whether repeating this group is unambiguous: each iteration starts with a mandatory
    character that nothing variable inside, and nothing at its end, can also match
    (as in `(\s\p{L}+)*` or `(\w+\s)+`)."""
    for alt in alts:
        items = [a for a in alt if not a.zero_width]
        if not items:
            continue
        first = items[0]
        if first.alts is not None or first.min < 1:
            return False
        if any(o is not first and _overlap(first, o) for o in _variable_atoms([items])):
            return False
        for a in reversed(items):  # what an iteration can end with
            if a is first:
                if a.variable:
                    return False
            elif _overlap(first, a):
                return False
            if a.min >= 1:
                break
    return True


def nested_quantifier(pattern: str) -> str | None:
    r"""The first repeated group that can match the same text in many ways, e.g. `(\w+\s?)+`.

    Such a group (an unbounded quantifier on a group with a variable quantifier inside,
    whose iterations are not separated by a character the inside cannot match) can make a
    backtracking engine take exponential time on a near-miss. Atomic groups and possessive
    quantifiers do not backtrack and are not reported. Returns the group's text, or None.
    """

    def walk(alts: list[list[_Atom]]) -> str | None:
        for alt in alts:
            for a in alt:
                if not a.alts or a.zero_width:
                    continue
                found = walk(a.alts)
                if found:
                    return found
                if a.unbounded and not a.atomic and _variable_atoms(a.alts) and not _repeat_is_safe(a.alts):
                    return a.quantified
        return None

    alts, i = _parse(pattern, 0)
    while i < len(pattern):  # a stray ")" (the pattern compiled, so rare): go on after it
        more, i = _parse(pattern, i + 1)
        alts.extend(more)
    return walk(alts)


class _Checker:
    """Collects problems over a whole set of files; cross-file checks run at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.entities: list[_Entity] = []
        self.rules: list[_Rule] = []
        self.files: list[str] = []
        self.order: dict[str, int] = {}  # paths in walk order, for sorting the report

    def add(self, path: str, line: int, code: str, message: str) -> None:
        self.order.setdefault(path, len(self.order))
        self.problems.append(Problem(path, line, CODES[code][0], code, message))

    # ---- one file -------------------------------------------------------------------

    def file(self, path: Path, label: str) -> None:
        self.files.append(label)
        self.order.setdefault(label, len(self.order))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.add(label, 1, "unreadable", f"not UTF-8: {exc.reason} at byte {exc.start}")
            return
        except OSError as exc:
            self.add(label, 1, "unreadable", f"cannot read: {exc.strerror}")
            return
        try:
            root = parse_yaml(text, label, repeated_keys=True)
        except GazetteerError as exc:
            line = exc.where.line if isinstance(exc.where, Location) else 1
            self.add(label, line, "yaml-syntax", exc.message)
            return
        self.duplicate_keys(text, label)
        if root is None:
            return
        if not isinstance(root.value, dict):
            self.add(label, root.line, "bad-structure", "top level must be a mapping with entities and/or rules")
            return
        for key, node in _fields(root).items():
            if key not in TOP_LEVEL_KEYS:
                self.add(
                    label,
                    _key_line(root, key),
                    "unknown-key",
                    f"unknown top-level key {key!r} (expected entities, rules)",
                )
                continue
            if node.value is None:
                continue
            if not isinstance(node.value, list):
                self.add(label, _key_line(root, key), "bad-structure", f"{key} must be a list")
                continue
            for item in node.value:
                if key == "entities":
                    self.entity(item, label)
                else:
                    self.rule(item, label)

    def duplicate_keys(self, text: str, label: str) -> None:
        """Keys repeated in one mapping: YAML silently keeps the last, losing the first."""
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:  # already reported by parse_yaml
            return
        todo = [root] if root is not None else []
        while todo:
            node = todo.pop()
            if isinstance(node, yaml.MappingNode):
                seen: dict[str, int] = {}
                for key, value in node.value:
                    name = str(key.value)
                    line = key.start_mark.line + 1
                    if name in seen:
                        self.add(
                            label,
                            line,
                            "duplicate-key",
                            f"key {name!r} repeated (first at line {seen[name]}); only the last one is kept",
                        )
                    else:
                        seen[name] = line
                    todo.append(value)
            elif isinstance(node, yaml.SequenceNode):
                todo.extend(node.value)

    def _text_field(self, node: Node, key: str, label: str, what: str) -> str | None:
        """A string field's stripped value; a problem (and None) if present but not usable."""
        fields = node.value
        if key not in fields:  # type: ignore[operator]
            return None
        value = fields[key].value  # type: ignore[index]
        if value is None and key not in ("id", "type", "name", "find"):
            return None
        if not _is_text(value):
            self.add(label, _key_line(node, key), "bad-value", f"{what} must be a non-empty string, not {value!r}")
            return None
        return str(value).strip()

    def _known_fields(self, node: Node, label: str, allowed: set[str] | tuple[str, ...], what: str) -> None:
        for key in _fields(node):
            if key not in allowed:
                self.add(
                    label,
                    _key_line(node, key),
                    "unknown-field",
                    f"unknown {what} field {key!r} (allowed: {', '.join(sorted(allowed))})",
                )

    def _required(self, node: Node, label: str, keys: tuple[str, ...], what: str, ident: str | None) -> None:
        for key in keys:
            if key not in node.value:  # type: ignore[operator]
                named = f" {ident!r}" if ident else ""
                self.add(label, node.line, "missing-field", f"{what}{named} is missing required field {key!r}")

    def entity(self, node: Node, label: str) -> None:
        if not isinstance(node.value, dict):
            self.add(label, node.line, "bad-structure", f"an entity must be a mapping, not {node.value!r}")
            return
        self._known_fields(node, label, ENTITY_FIELDS, "entity")
        eid = self._text_field(node, "id", label, "id")
        self._required(node, label, ("id", "type", "name"), "entity", eid)
        etype = self._text_field(node, "type", label, "type")
        if etype is not None and etype not in ENTITY_TYPES:
            self.add(
                label,
                _key_line(node, "type"),
                "unknown-type",
                f"unknown entity type {etype!r} (expected one of {', '.join(ENTITY_TYPES)})",
            )
            etype = None
        rec = _Entity(label, node.line, eid, etype)
        name = self._text_field(node, "name", label, "name")
        if name is not None:
            rec.names.append(_Name(name, _key_line(node, "name"), "name"))
        aliases = node.value.get("aliases")
        if aliases is not None and aliases.value is not None:
            if not isinstance(aliases.value, list):
                self.add(label, _key_line(node, "aliases"), "bad-structure", "aliases must be a list")
            else:
                for item in aliases.value:
                    if _is_text(item.value):
                        rec.names.append(_Name(str(item.value).strip(), item.line, "alias"))
                    else:
                        self.add(
                            label,
                            item.line,
                            "bad-value",
                            f"alias must be a non-empty string, not {item.value!r}",
                        )
        wikidata = node.value.get("wikidata")
        if wikidata is not None and wikidata.value is not None:
            value = wikidata.value
            if not isinstance(value, str) or not _WIKIDATA.match(value.strip()):
                self.add(
                    label,
                    _key_line(node, "wikidata"),
                    "bad-wikidata",
                    f"wikidata must look like Q123, not {value!r}",
                )
        rec.parent = self._text_field(node, "parent", label, "parent")
        rec.parent_line = _key_line(node, "parent")
        surname = self._text_field(node, "surname", label, "surname")
        if surname is not None and name is not None and surname not in name.split():
            self.add(
                label,
                _key_line(node, "surname"),
                "surname-not-in-name",
                f"surname {surname!r} is not a word of the name {name!r}; the linker would use {name.split()[-1]!r}",
            )
            surname = None
        gender = self._text_field(node, "gender", label, "gender")
        if gender is not None and gender not in ("m", "f"):
            self.add(label, _key_line(node, "gender"), "bad-value", f"gender must be 'm' or 'f', not {gender!r}")
            gender = None
        if etype == "person" and name is not None and len(name.split()) >= 2:
            # the word the linker links alone, as in «Бегун заявил»
            word = morph.person_parts(name, surname, gender).surname
            line = _key_line(node, "surname") if surname is not None else _key_line(node, "name")
            rec.names.append(_Name(word, line, "surname"))
            rec.derived_surname = surname is None
        self._text_field(node, "description", label, "description")
        self.entities.append(rec)

    def rule(self, node: Node, label: str) -> None:
        if not isinstance(node.value, dict):
            self.add(label, node.line, "bad-structure", f"a rule must be a mapping, not {node.value!r}")
            return
        before = len(self.problems)
        self._known_fields(node, label, RULE_FIELDS, "rule")
        rid = self._text_field(node, "id", label, "id")
        self._required(node, label, ("id", "find", "replace"), "rule", rid)
        find = self._text_field(node, "find", label, "find")
        replace: str | None = None
        if "replace" in node.value:
            value = node.value["replace"].value
            if value is None:
                replace = ""
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                replace = str(value)
            else:
                self.add(label, _key_line(node, "replace"), "bad-value", f"replace must be a string, not {value!r}")
        flags: dict[str, bool] = {}
        for key in ("regex", "ignore_case"):
            if key in node.value and node.value[key].value is not None:
                value = node.value[key].value
                if isinstance(value, bool):
                    flags[key] = value
                else:
                    self.add(
                        label,
                        _key_line(node, key),
                        "bad-value",
                        f"{key} must be true or false, not {value!r}",
                    )
        self._text_field(node, "description", label, "description")
        examples = self.examples(node, label)
        rule: Rule | None = None
        if len(self.problems) == before and rid and find and replace is not None and examples is not None:
            rule = Rule(
                id=rid,
                find=find,
                replace=replace,
                regex=flags.get("regex", False),
                ignore_case=flags.get("ignore_case", False),
                examples=tuple(examples),
                where=Location(label, node.line),
            )
        self.rules.append(_Rule(label, node.line, rid, _key_line(node, "find"), rule))

    def examples(self, node: Node, label: str) -> list[Example] | None:
        ex_node = node.value.get("examples")  # type: ignore[union-attr]
        if ex_node is None or ex_node.value is None:
            return []
        if not isinstance(ex_node.value, list):
            self.add(label, _key_line(node, "examples"), "bad-structure", "examples must be a list")
            return None
        out: list[Example] = []
        ok = True
        for ex in ex_node.value:
            if not isinstance(ex.value, dict):
                self.add(label, ex.line, "bad-structure", "an example must be a mapping {in: ..., out: ...}")
                ok = False
                continue
            self._known_fields(ex, label, EXAMPLE_FIELDS, "example")
            for key in EXAMPLE_FIELDS:
                if key not in ex.value:
                    self.add(label, ex.line, "missing-field", f"example is missing {key!r}")
                    ok = False
                elif not isinstance(ex.value[key].value, (str, int, float)) or isinstance(ex.value[key].value, bool):
                    self.add(label, _key_line(ex, key), "bad-value", f"example {key!r} must be a string")
                    ok = False
            if ok and len(_fields(ex)) == 2:
                out.append(Example(str(ex.value["in"].value), str(ex.value["out"].value), Location(label, ex.line)))
        return out if ok else None

    # ---- the whole set --------------------------------------------------------------

    def cross_entities(self) -> None:
        first: dict[str, _Entity] = {}
        for e in self.entities:
            if e.id is None:
                continue
            if e.id in first:
                self.add(
                    e.path,
                    e.line,
                    "duplicate-id",
                    f"duplicate entity id {e.id!r} (first at {first[e.id].where})",
                )
            else:
                first[e.id] = e
        # names claimed by two entities of one type
        owners: dict[tuple[str, str], tuple[_Entity, _Name]] = {}
        for e in self.entities:
            if e.type is None:
                continue
            for nm in e.names:
                if nm.kind == "surname":
                    continue
                key = (e.type, normalize_name(nm.text))
                if not key[1]:
                    continue
                if key not in owners:
                    owners[key] = (e, nm)
                    continue
                other, other_nm = owners[key]
                if other is e:
                    self.add(
                        e.path,
                        nm.line,
                        "duplicate-alias",
                        f"{nm.kind} {nm.text!r} of {e.id!r} repeats {other_nm.kind} {other_nm.text!r} "
                        f"(line {other_nm.line})",
                    )
                elif other.id != e.id:  # same id: already a duplicate-id error
                    self.add(
                        e.path,
                        nm.line,
                        "alias-collision",
                        f"{nm.kind} {nm.text!r} of {e.id!r} is also {other_nm.kind} {other_nm.text!r} of {other.id!r} "
                        f"({other.path}:{other_nm.line}); two {e.type} entities cannot share a name",
                    )
        # parents
        for e in self.entities:
            if e.parent is None or e.id is None:
                continue
            parent = first.get(e.parent)
            if parent is None:
                self.add(
                    e.path,
                    e.parent_line,
                    "dangling-parent",
                    f"parent {e.parent!r} of {e.id!r} is not defined",
                )
                continue
            chain = [e.id]
            node: _Entity | None = parent
            while node is not None and node.id is not None and node.id not in chain:
                chain.append(node.id)
                node = first.get(node.parent) if node.parent else None
            if node is not None and node.id == e.id and first.get(e.id) is e:
                # report a cycle once, at its first member in file order
                members = set(chain)
                if min(self.entities.index(first[m]) for m in members) == self.entities.index(e):
                    self.add(
                        e.path,
                        e.parent_line,
                        "parent-cycle",
                        f"{e.id!r} is its own parent: {' → '.join([*chain, e.id])}",
                    )
                continue
            bad = parent.type == "person" or (parent.type == "event" and e.type != "event")
            if e.type in _GEO_RANK and parent.type in _GEO_RANK and _GEO_RANK[parent.type] > _GEO_RANK[e.type]:
                bad = True
            if bad:
                self.add(
                    e.path,
                    e.parent_line,
                    "parent-type",
                    f"parent {e.parent!r} of {e.id!r} ({e.type}) is a {parent.type}, "
                    f"which cannot contain {e.type} entities",
                )

    def common_words(self) -> None:
        for e in self.entities:
            seen: set[str] = set()
            for nm in e.names:
                word = nm.text
                if not _WORD.match(word) or word.lower() in seen or any(c.isupper() for c in word[1:]):
                    continue  # a capital inside (МУС, УзА) never reads as a common word to the linker
                seen.add(word.lower())
                pos = common_word(word)
                if pos is None:
                    continue
                what = "surname (last word of the name)" if nm.kind == "surname" and e.derived_surname else nm.kind
                guard = PERSON_GUARD if nm.kind == "surname" else OTHER_GUARD
                self.add(
                    e.path,
                    nm.line,
                    "common-word",
                    f"{what} {word!r} of {e.id!r} is also a common word «{word.lower()}» ({pos}); {guard}",
                )

    def cross_rules(self) -> None:
        first: dict[str, _Rule] = {}
        for r in self.rules:
            if r.id is None:
                continue
            if r.id in first:
                f = first[r.id]
                self.add(
                    r.path,
                    r.line,
                    "duplicate-rule-id",
                    f"duplicate rule id {r.id!r} (first at {f.path}:{f.line})",
                )
            else:
                first[r.id] = r
        for r in self.rules:
            if r.rule is not None:
                self.run_rule(r, r.rule)

    def run_rule(self, rec: _Rule, rule: Rule) -> None:
        try:
            pattern = compile_rule(rule).pattern
        except regex.error as exc:
            self.add(rec.path, rec.find_line, "regex-invalid", f"rule {rule.id!r}: regex does not compile: {exc}")
            return
        if rule.regex:
            group = nested_quantifier(rule.find)
            if group is not None:
                self.add(
                    rec.path,
                    rec.find_line,
                    "regex-backtracking",
                    f"rule {rule.id!r}: nested quantifiers in `{group}` risk catastrophic backtracking; "
                    "make the inner or outer repetition atomic/possessive or rewrite it",
                )
        if not rule.examples:
            self.add(rec.path, rec.line, "rule-no-examples", f"rule {rule.id!r} has no examples")
        for ex in rule.examples:
            line = ex.where.line if ex.where else rec.line
            try:
                actual = fix_text(ex.before, [rule])
                again = fix_text(ex.after, [rule])
            except Exception as exc:  # a timeout, a bad group reference in replace, ...
                self.add(rec.path, line, "rule-example-failed", f"rule {rule.id!r} raised on {ex.before!r}: {exc}")
                continue
            if actual != ex.after:
                self.add(
                    rec.path,
                    line,
                    "rule-example-failed",
                    f"rule {rule.id!r} turns {ex.before!r} into {actual!r}, expected {ex.after!r}",
                )
            elif again != ex.after:
                self.add(
                    rec.path,
                    line,
                    "rule-not-idempotent",
                    f"rule {rule.id!r} rewrites its own output {ex.after!r} again, into {again!r}",
                )
        if rule.regex:
            try:
                hit = self.inside_word(pattern, rule)
            except TimeoutError:
                self.add(
                    rec.path,
                    rec.find_line,
                    "regex-timeout",
                    f"rule {rule.id!r}: regex ran past {RULE_TIMEOUT_S:g}s on a short test text",
                )
                return
            if hit is not None:
                self.add(
                    rec.path,
                    rec.find_line,
                    "rule-inside-word",
                    f"rule {rule.id!r} fires inside a longer word: {hit}; "
                    r"guard the pattern with (?<!\w) and (?!\w) (or \b)",
                )

    @staticmethod
    def inside_word(pattern: regex.Pattern[str], rule: Rule) -> str | None:
        """Describe a place where the regex cuts a word, or None.

        Runs the regex on a sample of ordinary Russian words, then on each example with a
        letter glued onto either side of each match. A side on which an example itself
        matches inside a word is taken as intended (a rule that fixes a stem) and not tested.
        """

        def matches(text: str) -> Iterator[Any]:
            return (m for m in pattern.finditer(text, timeout=RULE_TIMEOUT_S) if m.end() > m.start())

        def word_at(text: str, start: int, end: int) -> str:
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            while end < len(text) and text[end].isalnum():
                end += 1
            return text[start:end]

        left_ok = right_ok = True
        for ex in rule.examples:
            for m in matches(ex.before):
                cut_left, cut_right = _cuts_word(ex.before, m.start(), m.end())
                left_ok &= not cut_left
                right_ok &= not cut_right
        if not (left_ok or right_ok):
            return None
        for m in matches(SAMPLE_TEXT):
            cut_left, cut_right = _cuts_word(SAMPLE_TEXT, m.start(), m.end())
            if (cut_left and left_ok) or (cut_right and right_ok):
                return f"{m.group()!r} in the word {word_at(SAMPLE_TEXT, m.start(), m.end())!r}"
        for ex in rule.examples:
            text = ex.before
            for m in matches(text):
                s, e = m.start(), m.end()
                probes = []  # (probe text, where the glued letter stands, side)
                if left_ok:
                    probes += [(text[:s] + c + text[s:], s, "left") for c in _glue(text[s])]
                if right_ok:
                    probes += [(text[:e] + c + text[e:], e, "right") for c in _glue(text[e - 1])]
                for probe, glued, side in probes:
                    for m2 in matches(probe):
                        cut_left, cut_right = _cuts_word(probe, m2.start(), m2.end())
                        if (side == "left" and cut_left and m2.start() == glued + 1) or (
                            side == "right" and cut_right and m2.end() == glued
                        ):
                            word = word_at(probe, m2.start(), m2.end())
                            return f"{m2.group()!r} in {word!r} (an example with a letter glued on)"
        return None


def _glue(near: str) -> tuple[str, str]:
    """Letters to glue beside a match: the same script as the character they touch."""
    return ("о", "О") if regex.match(r"\p{Cyrillic}", near) else ("o", "O")


def _label(path: Path) -> str:
    """A file's name for messages: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _run(paths: Sequence[Path]) -> tuple[list[Problem], int]:
    checker = _Checker()
    seen: set[Path] = set()
    for p in map(Path, paths):
        try:
            files = gazetteer_files([p])
        except GazetteerError as exc:
            checker.add(_label(p), 1, "unreadable", exc.message)
            continue
        if not files and p.is_dir():
            checker.add(_label(p), 1, "no-files", "no *.yaml or *.yml files in this directory")
        for f in files:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                checker.file(f, _label(f))
    checker.cross_entities()
    checker.common_words()
    checker.cross_rules()
    checker.problems.sort(key=lambda pr: (checker.order[pr.path], pr.line))
    return checker.problems, len(checker.files)


def check(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the gazetteer files under `paths` (directories or files), taken as one set.

    Problems come sorted by file (in walk order) and line. Bad data never raises.
    """
    return _run(paths)[0]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(problems: Sequence[Problem], n_files: int | None = None) -> str:
    """`N errors, M warnings in K files` (K: files with problems unless n_files is given)."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = n_files if n_files is not None else len({p.path for p in problems})
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"


def format_problems(problems: Sequence[Problem], fmt: Format = "text", n_files: int | None = None) -> str:
    """Problems as text lines (`path:line: severity [code] message`) or GitHub Actions annotations.

    Ends with the summary line; `n_files` is the number of files checked, for that line.
    """
    if fmt not in ("text", "github"):
        raise ValueError(f"unknown format {fmt!r} (expected text or github)")
    lines: list[str] = []
    for p in problems:
        if fmt == "github":
            title = _escape_property(f"gazetteers check [{p.code}]")
            lines.append(
                f"::{p.severity} file={_escape_property(p.path)},line={p.line},title={title}::{_escape_data(p.message)}"
            )
        else:
            lines.append(str(p))
    lines.append(summary(problems, n_files))
    return "\n".join(lines)


def main(paths: Sequence[str] = (), fmt: str = "text") -> int:
    """Check gazetteer directories/files (default: the bundled set), print the report to stdout.

    Returns the exit code: 1 if any error, else 0 (2 for an unknown format).
    """
    if fmt not in ("text", "github"):
        print(f"normalize gazetteers check: unknown format {fmt!r} (expected text or github)", file=sys.stderr)
        return 2
    try:
        targets = [Path(p) for p in paths] or [bundled_dir()]
    except GazetteerError as exc:
        where = exc.where.path if isinstance(exc.where, Location) else str(exc.where)
        problems, n_files = [Problem(where, 1, "error", "unreadable", exc.message)], 0
    else:
        problems, n_files = _run(targets)
    print(format_problems(problems, fmt, n_files))  # type: ignore[arg-type]
    return 1 if any(p.severity == "error" for p in problems) else 0

"""`normalize suggest`: frequent names that no gazetteer entity covers, as YAML stubs.

Candidates are runs of capitalised words («Арман Оразалиев», «Ляньюньган»), a
capitalised adjective with its head noun («Координационного совета») and acronyms
(«ГУВД»), found in the cleaned text outside every linked mention. Sentence-initial
dictionary words are dropped («Кроме», «Министр»). Case forms are merged by their
pymorphy3 lemmas (Оразалиева / Оразалиеву → оразалиев), spellings by rapidfuzz
(Кыргызстан / Кыргыстан), and the clusters are ranked by frequency and printed as
gazetteer entity stubs ready to edit: an id, a guessed type, the nominative name,
the other spellings as aliases, and a comment with the counts and examples.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from normalize import morph

_TITLE = r"[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Zа-яёa-z][а-яёa-z]+)*"
_ACRONYM = r"[А-ЯЁA-Z]{2,8}"
_TOKEN = re.compile(rf"(?<![\w-])(?:(?P<acr>{_ACRONYM})|(?P<title>{_TITLE}))(?![\w-])")
_SENTENCE_END = set('.!?…\n«"“„(:—–-•*')
# lowercase heads that make a capitalised adjective a name: «Жамбылской области», «Координационного совета»
_HEADS = frozenset(
    "область край район округ республика союз совет комитет управление департамент служба министерство"
    " полиция агентство конференция академия университет организация форум банк партия фонд суд прокуратура".split()
)
_STOP = frozenset(
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь понедельник вторник"
    " среда четверг пятница суббота воскресенье фото видео источник читайте подробнее".split()
)
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_SURNAME = re.compile(r"^(.{2,}(?:ов|ев|ёв|ин|ын))(?:а|у|ым|ом|е|ой|ою|ых|ыми)?$")
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
        strict=True,
    )
)


@dataclass
class Candidate:
    """A cluster of unlinked occurrences that look like one name."""

    key: str
    words: int
    acronym: bool
    count: int = 0
    forms: Counter = field(default_factory=Counter)
    keys: Counter = field(default_factory=Counter)
    docs: set[str] = field(default_factory=set)
    examples: list[tuple[str, str]] = field(default_factory=list)
    name: str = ""
    type: str = "organization"
    why: str = ""
    aliases: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{id_prefix(self.type)}/{slug(self.name)}"


# an id starts as the bundled gazetteers' ids of that type do (gazetteers/organizations.yaml: org/…);
# a type not listed is its own prefix (country/…, person/…)
ID_PREFIXES = {"organization": "org"}


def id_prefix(entity_type: str) -> str:
    """The id prefix of an entity type, as in the bundled gazetteers."""
    return ID_PREFIXES.get(entity_type, entity_type)


def slug(name: str) -> str:
    out = "".join(_TRANSLIT.get(c, c) if c.isalpha() else "-" for c in name.lower()).replace("_", "")
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-") or "x"


@lru_cache(maxsize=200_000)
def _best_parse(word: str):
    ps = morph.parses(word.lower())
    if not ps:
        return None
    if word[:1].isupper():
        named = [p for p in ps if _NAME_TAGS & p.tag.grammemes]
        if named:
            return named[0]
    return ps[0]


def lemma(word: str) -> str:
    """The lemma of one word (name readings first for capitalised words); acronyms stay as they are."""
    if word.isupper() and len(word) > 1:
        return word
    if not re.fullmatch(r"[А-ЯЁа-яё-]+", word):
        return word.lower()
    m = _SURNAME.match(word.lower())
    if m and word[:1].isupper() and not morph.is_word_form(word):
        return m.group(1).replace("ё", "е")  # Оразалиева, Оразалиеву → оразалиев (pymorphy3 guesses «оразалий»)
    p = _best_parse(word)
    return (p.normal_form if p is not None else word.lower()).replace("ё", "е")


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _spans(text: str) -> list[tuple[int, int, list[str], bool]]:
    """(start, end, words, is_acronym) for every candidate run in a text."""
    runs: list[tuple[int, int, list[str], bool]] = []
    cur: list[re.Match] = []

    def flush() -> None:
        if cur:
            words = [m.group() for m in cur]
            runs.append((cur[0].start(), cur[-1].end(), words, False))
            cur.clear()

    for m in _TOKEN.finditer(text):
        word = m.group()
        if re.search(r"[A-Za-z]", word) and re.search(r"[А-ЯЁа-яё]", word):
            flush()  # «Telegram-канале»: a mixed-script compound is not a name
            continue
        if m.group("title") and len(word) <= 4 and text[m.end() : m.end() + 1] == ".":
            flush()  # «Корр.», «Рис.»: an abbreviation
            continue
        if m.group("acr"):
            flush()
            runs.append((m.start(), m.end(), [m.group()], True))
            continue
        if cur and text[cur[-1].end() : m.start()] != " ":
            flush()
        cur.append(m)
    flush()
    out = []
    for start, end, words, acr in runs:
        if acr:
            out.append((start, end, words, acr))
            continue
        # drop sentence-initial dictionary words: «Кроме», «Министр внутренних …»
        if _sentence_initial(text, start):
            while words and _dictionary_word(words[0]):
                start += len(words[0]) + 1
                words = words[1:]
        if not words:
            continue
        # extend a lone capitalised adjective with its lowercase head: «Жамбылской области»
        nxt = re.match(r" ([а-яё]+)", text[end:])
        if nxt and _is_adjective(words[-1]) and lemma(nxt.group(1)) in _HEADS:
            words = [*words, nxt.group(1)]
            end += len(nxt.group(0))
        out.append((start, end, words, False))
    return out


def _dictionary_word(word: str) -> bool:
    """A word whose likeliest reading is an ordinary word, not a name: «Кроме», «Тем», «Министр»."""
    ps = morph.parses(word.lower())
    return bool(ps) and ps[0].is_known and not (_NAME_TAGS & ps[0].tag.grammemes)


def _is_name_word(word: str) -> bool:
    p = _best_parse(word)
    return p is not None and bool(_NAME_TAGS & p.tag.grammemes)


def _is_adjective(word: str) -> bool:
    """Read first as an adjective (not as a surname: «Московского»)."""
    ps = morph.parses(word.lower())
    return bool(ps) and ps[0].tag.POS == "ADJF"


def _keep(words: list[str], acr: bool) -> bool:
    if acr:
        w = words[0]
        if _ROMAN.match(w):
            return False
        # a dictionary abbreviation that names no body or place: СМИ, УК, ДТП, ВВП
        return not any(
            p.is_known and "Abbr" in p.tag.grammemes and not ({"Orgn", "Geox"} & p.tag.grammemes)
            for p in morph.parses(w.lower())[:1]
        )
    if len(words) == 1:
        w = words[0]
        if len(w) < 3 or lemma(w) in _STOP or _is_adjective(w):  # a lone adjective: «Московского»
            return False
        # a lone dictionary word in capitals is an honorific or a quote's start («Президента»)
        return not (morph.is_word_form(w) and not _is_name_word(w))
    return not all(lemma(w) in _STOP for w in words)


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """The name in its line, marked with [ ] as `gazetteers diff` marks it: not «», which Russian
    text uses for names themselves («Координационного совета»)."""
    left = text[max(0, start - width) : start].split("\n")[-1]
    right = text[end : end + width].split("\n")[0]
    return f"…{left}[{text[start:end]}]{right}…".replace("\n", " ")


def _nominative(words: list[str]) -> str:
    """The name in the nominative: agreeing words before the head and the head inflect, dependents stay."""
    if len(words) == 1 or all(_is_name_word(w) for w in words):
        return " ".join(_nominative_word(w) for w in words)
    out: list[str] = []
    head_seen = False
    for w in words:
        p = _best_parse(w)
        if head_seen or p is None:
            out.append(w)
            continue
        if p.tag.POS == "NOUN":
            head_seen = True
        number = "plur" if "plur" in p.tag.grammemes else "sing"
        g = p.inflect({"nomn", number})
        out.append(morph.match_case(w, g.word) if g else w)
    return " ".join(out)


def _nominative_word(word: str, keep_nominative: bool = True) -> str:
    """The word in the nominative by its likeliest reading; with `keep_nominative`, a word that
    can be a nominative as it stands is kept."""
    if word.isupper() or not re.fullmatch(r"[А-ЯЁа-яё-]+", word):
        return word
    if keep_nominative and any(
        p.tag.POS == "NOUN" and "nomn" in p.tag.grammemes and ("sing" in p.tag.grammemes or "Pltm" in p.tag.grammemes)
        for p in morph.parses(word.lower())
    ):
        return word  # it can be the nominative (Акихито, Мурси, Нидерланды): never re-inflect a guess
    p = _best_parse(word)
    if p is None:
        return word
    g = p.inflect({"nomn"}) if "plur" not in p.tag.grammemes else p.inflect({"nomn", "plur"})
    return morph.match_case(word, g.word) if g else word


def _guess_type(c: Candidate, words: list[str]) -> tuple[str, str]:
    grams = [(_best_parse(w).tag.grammemes if _best_parse(w) else frozenset()) for w in words]
    if c.acronym:
        return ("place", "a place acronym") if "Geox" in grams[0] else ("organization", "an acronym")
    if len(words) == 1 and "Surn" in grams[0]:
        return "person", "a surname"
    lemmas = [lemma(w) for w in words]
    if 2 <= len(words) <= 3 and any({"Name", "Surn", "Patr"} & g for g in grams):
        return "person", "a first name or surname"
    if lemmas[-1] in {"область", "край", "район", "округ", "республика"}:
        return "region", f"«{lemmas[-1]}»"
    if any(
        lem in {"министерство", "комитет", "управление", "департамент", "служба", "полиция", "прокуратура"}
        for lem in lemmas
    ):
        return "agency", "a word for a state body"
    if any("Geox" in g for g in grams):
        return "place", "a place name"
    if all(re.fullmatch(r"[A-Za-z.-]+", w) for w in words):
        return "organization", "a Latin name (organization or media?)"
    return "organization", "no clue, check it"


def candidates(
    documents: pl.DataFrame,
    mentions: pl.DataFrame,
    compiled=None,
    min_count: int = 2,
    fuzzy: int = 88,
    max_examples: int = 3,
    limit: int | None = None,
) -> list[Candidate]:
    """Unlinked names in the cleaned texts, clustered and ranked by frequency."""
    from normalize.link import fold, has_key

    index = compiled.index if compiled is not None else None
    covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
    if mentions.height:
        for doc_id, start, end in mentions.select("doc_id", "start", "end").iter_rows():
            covered[doc_id].append((start, end))
    by_key: dict[str, Candidate] = {}
    for doc_id, text in documents.select("doc_id", "text").iter_rows():
        chars = list(text)
        for s, e in covered.get(doc_id, []):  # linked mentions split runs: «В Бишкеке| Марату Жумабекову»
            chars[s:e] = "|" * (e - s)
        masked = "".join(chars)
        for start, _end, words, acr in _spans(masked):
            if not _keep(words, acr):
                continue
            surface = " ".join(words)
            if index is not None and has_key(index, fold(surface)):
                continue  # a known name that linking declined here (a guard), not a new one
            key = " ".join(lemma(w) for w in words)
            c = by_key.get(key)
            if c is None:
                c = by_key[key] = Candidate(key, len(words), acr)
            c.count += 1
            c.forms[surface] += 1
            c.keys[key] += 1
            c.docs.add(doc_id)
            if len(c.examples) < max_examples and all(d != doc_id for d, _ in c.examples):
                c.examples.append((doc_id, _snippet(text, start, start + len(surface))))
    clusters = _merge_surnames(_cluster(sorted(by_key.values(), key=lambda c: (-c.count, c.key)), fuzzy))
    out = sorted((c for c in clusters if c.count >= min_count), key=lambda c: (-c.count, -len(c.docs), c.key))
    out = out[:limit] if limit is not None else out
    for c in out:
        _finish(c)
    return sorted(out, key=lambda c: (-c.count, -len(c.docs), c.name))


def quick(documents: pl.DataFrame, mentions: pl.DataFrame, compiled=None, limit: int = 8, max_chars: int = 300_000):
    """The top candidates for the run summary, from the first `max_chars` of the corpus (kept cheap)."""
    if documents.height:
        cum = documents["text"].str.len_chars().cum_sum()
        documents = documents.filter(cum - documents["text"].str.len_chars() < max_chars)
    return [(c.name, c.count) for c in candidates(documents, mentions, compiled, limit=limit)]


def _cluster(cands: list[Candidate], cutoff: int) -> list[Candidate]:
    """Merge spellings: same word count, same first letter, rapidfuzz ratio ≥ cutoff (not for acronyms)."""
    reps: list[Candidate] = []
    blocks: dict[tuple[int, str], tuple[list[Candidate], list[str]]] = defaultdict(lambda: ([], []))
    for c in cands:
        target = None
        block = blocks[(c.words, c.key[0])]  # compared only within a block: fast on big corpora
        if not c.acronym and len(c.key) >= 5 and block[1]:
            hit = process.extractOne(c.key, block[1], scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None:
                target = block[0][hit[2]]
        if target is None:
            reps.append(c)
            if not c.acronym:
                block[0].append(c)
                block[1].append(c.key)
            continue
        target.count += c.count
        target.forms.update(c.forms)
        target.keys.update(c.keys)
        target.docs |= c.docs
        for ex in c.examples:
            if len(target.examples) < 3:
                target.examples.append(ex)
    return reps


def _merge_surnames(cands: list[Candidate]) -> list[Candidate]:
    """A lone surname («Жумабекова») joins the one full name that ends with it («Марат Жумабеков»)."""
    people: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        first, last = c.key.split(" ")[0], c.key.split(" ")[-1]
        if 2 <= c.words <= 3 and not c.acronym and (_SURNAME.match(last) or morph.is_first_name(first)):
            people[c.key.split(" ")[-1]].append(c)
    out = []
    for c in cands:
        owners = people.get(c.key, []) if c.words == 1 else []
        if len(owners) == 1:
            o = owners[0]
            o.count += c.count
            o.forms.update(c.forms)
            o.docs |= c.docs
            continue
        out.append(c)
    return out


def _own_forms(c: Candidate) -> list[tuple[str, int]]:
    """The cluster's forms of its own length, most first: a full name's cluster also holds the lone
    surnames merged into it («Обамы»), which must not name it."""
    forms = c.forms.most_common()
    return [(f, n) for f, n in forms if f.count(" ") + 1 == c.words] or forms


def _finish(c: Candidate) -> None:
    surface, _ = _own_forms(c)[0]
    words = surface.split(" ")
    c.type, c.why = _guess_type(c, words)
    if c.acronym:
        c.name = surface
    elif c.type == "person":
        c.name = _person_name(c)
    else:
        c.name = _nominative(words)
    # other spellings (not case forms) become aliases, each in the nominative
    seen = {c.key}
    for key, _n in c.keys.most_common():
        if key in seen:
            continue
        seen.add(key)
        form = next(f for f in c.forms if " ".join(lemma(w) for w in f.split(" ")) == key)
        alias = form if c.acronym else _nominative(form.split(" "))
        if alias != c.name and alias not in c.aliases:
            c.aliases.append(alias)


def _person_name(c: Candidate) -> str:
    """The nominative: of the observed full forms and pymorphy3's nominative of each, the one whose
    case forms explain most occurrences, the lone surnames merged into the cluster included
    («Солженицына ×3, Солженицын, Солженицыну» make «Александр Солженицын» of «Александра Солженицына»)."""
    own = _own_forms(c)
    observed = dict(own)
    guesses = [form for form, _ in own] + [_nominative(form.split(" ")) for form, _ in own]
    # «Александра Солженицына» reads as a woman's nominative too: the likeliest readings, inflected
    guesses += [" ".join(_nominative_word(w, keep_nominative=False) for w in form.split(" ")) for form, _ in own]
    best, best_score = None, (0, 0)
    for form in dict.fromkeys(guesses):
        try:
            forms = {f.text for f in morph.person_forms(form)}
        except Exception:  # a form the name rules cannot decline
            continue
        if form not in forms:
            continue
        explained = forms | {f.rsplit(" ", 1)[-1] for f in forms}  # and its surname alone
        score = (sum(n for f, n in c.forms.items() if f in explained), observed.get(form, 0))
        if score > best_score:
            best, best_score = form, score
    return best or _nominative(own[0][0].split(" "))


def _q(s: str) -> str:
    """A YAML scalar: quoted when plain style would be misread."""
    if re.fullmatch(r"[\w][\w .()«»-]*", s) and s.lower() not in {"yes", "no", "true", "false", "null", "on", "off"}:
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_yaml(cands: Sequence[Candidate]) -> str:
    """Gazetteer entity stubs: a valid gazetteer file once the guesses are checked."""
    lines = [
        "# normalize suggest: names that no entity covers, most frequent first.",
        "# Check each guess (type, name, id) and add what you are sure of (wikidata, parent) before use.",
        "entities:",
    ]
    used: set[str] = set()
    for c in cands:
        eid, n = c.id, 2
        while eid in used:
            eid, n = f"{c.id}-{n}", n + 1
        used.add(eid)
        forms = ", ".join(f"{f} ×{k}" for f, k in c.forms.most_common(6))
        mn = f"{c.count} mention{'s' if c.count != 1 else ''}"
        dn = f"{len(c.docs)} document{'s' if len(c.docs) != 1 else ''}"
        lines.append(f"  # {mn} in {dn}: {forms}")
        for doc_id, snip in c.examples:
            lines.append(f"  #   {doc_id}: {snip}")
        lines.append(f"  - id: {eid}")
        lines.append(f"    type: {c.type}  # a guess: {c.why}")
        lines.append(f"    name: {_q(c.name)}")
        if c.aliases:
            lines.append(f"    aliases: [{', '.join(_q(a) for a in c.aliases)}]")
    if not cands:
        lines[-1] = "entities: []"
    return "\n".join(lines) + "\n"


def suggest(
    input_path: str | Path,
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
    min_count: int = 2,
    limit: int | None = 50,
    *,
    bundled: bool = True,
) -> list[Candidate]:
    """Candidate entities from a corpus (a folder or file, as `normalize IN OUT` reads it): the
    names seen at least `min_count` times that no entity of the gazetteers links, most first.

    The gazetteers stack on the bundled set (none if `bundled` is false), as in a run.
    Raises GazetteerError or read.InputError as a run would."""
    from normalize import pipeline, read

    compiled = pipeline.compile_gazetteers(gazetteers, bundled)
    # names only: near-duplicates are not looked for
    tables = pipeline.process(read.read(Path(input_path)), gazetteers, max(workers, 1), bundled=bundled, dedup=None)
    return candidates(tables.documents, tables.mentions, compiled, min_count=min_count, limit=limit)

"""Variants: the names a gazetteer implies but does not spell out, derived from the whole set.

A user writes every entity once, in the nominative: «Китайская Народная Республика», «Министерство
образования и науки Российской Федерации», «Кыргызская Республика». News call them «Китай»,
«китайский», «Минобрнауки», «РФ», «кыргызская сторона». This module derives those names as plain
data (`Derived`: extra names and adjectives per entity), each validated by pymorphy3's dictionary
or by the set itself, and kept only where no other entity of the set claims it:

- relational adjectives of places by Russian word formation with its alternations (Италия →
  итальянский, Чехия → чешский, Канны → каннский), the dictionary deciding which candidate is a word;
- a country's official names found as genitive tails of the set's names, by morphology against
  the set's countries («… Российской Федерации» → Россия is also «Российская Федерация», «РФ»;
  «… Кыргызской Республики» → Киргизия, by the Кыргыз/Киргиз spelling variant);
- short names of official names («Китайская Народная Республика» → «Китай», «Республика Казахстан»
  → «Казахстан») and of compound names («Великобритания» → «Британия»), where the dictionary knows
  the short name as a place whose adjective is the official name's;
- head phrases of names whose dependents name a place of the set («Исламское государство» of
  «Исламское государство Ирака и Леванта», with «ИГ»);
- abbreviations a body's name vouches for (РосБизнесКонсалтинг → РБК, Европейский союз → Евросоюз,
  Главное разведывательное управление ВС РФ → ГРУ);
- people's names in the other spellings of `names` (Садыр Жапаров → Садыр Джапаров).

`index.compile_index` adds them to the entity's own names (`with_derived`) before it generates keys,
so every mechanism applied to a name (case forms, acronyms, compound abbreviations, composed agency
names) applies to these too; the index's entities stay as the gazetteer gives them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link import names

# nouns that make a state's official name: «Российская Федерация», «Республика Казахстан»
STATE_NOUNS = frozenset(
    "республика федерация королевство княжество герцогство султанат эмират эмираты государство "
    "штаты конфедерация содружество джамахирия".split()
)

# Russian word formation of relational adjectives from place names, beyond morph.derived_adjective:
# (the name's ending, letters cut from the name, suffix). Every result must be an adjective the
# dictionary knows, so a rule that does not fit a name gives nothing.
ADJECTIVE_RULES: tuple[tuple[str, int, str], ...] = (
    ("ссия", 3, "ский"),  # Белоруссия → белорусский
    ("ия", 2, "ьянский"),  # Италия → итальянский
    ("ия", 2, "инский"),  # Грузия → грузинский
    ("ения", 4, "янский"),  # Армения → армянский
    ("хия", 3, "шский"),  # Чехия → чешский
    ("гия", 3, "жский"),  # Норвегия → норвежский
    ("ция", 3, "дский"),  # Швеция → шведский
    ("ция", 3, "ецкий"),  # Турция → турецкий
    ("ция", 3, "ческий"),  # Греция → греческий
    ("ция", 3, "цузский"),  # Франция → французский
    ("рия", 3, "ерский"),  # Венгрия → венгерский
    ("ша", 2, "ский"),  # Польша → польский
    ("ы", 1, "ский"),  # Нидерланды → нидерландский
)
# ordinary adjectives that are also relational ones of a place («Великобритания»'s «великий»): a name
# made of such an adjective's stem, «о» and a place name is also called by that place name
_COMPOUND_LINK = "о"
_VOWELS = set("аеёиоуыэюя")


def _key(name: str) -> str:
    """A name as the set compares names: lowercase, ё as е."""
    return name.lower().replace("ё", "е")


@dataclass(frozen=True)
class Derived:
    """What one entity is also called, derived from the set: names (nominative) and adjectives."""

    names: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()


def _known_adjective(word: str) -> bool:
    return any(p.is_known and p.tag.POS == "ADJF" and p.normal_form == word for p in morph.parses(word))


def _known_place(word: str) -> bool:
    """A noun the dictionary knows as a place name, in the nominative singular («китай», «британия»)."""
    return any(
        p.is_known and p.tag.POS == "NOUN" and "Geox" in p.tag and p.normal_form == word and "nomn" in p.tag
        for p in morph.parses(word)
    )


def place_adjectives(name: str) -> tuple[str, ...]:
    """Relational adjectives of a one-word place name the dictionary knows (Италия → итальянский)."""
    low = name.lower()
    if " " in low or not morph.NAME_WORD.match(low):
        return ()
    out: list[str] = []
    first = morph.derived_adjective(name)
    if first:
        out.append(first)
    head, dash, last = low.rpartition("-")
    for ending, cut, suffix in ADJECTIVE_RULES:
        if last.endswith(ending) and len(last) > cut + 1:
            adj = last[: len(last) - cut] + suffix
            if _known_adjective(adj):
                out.append(head + dash + adj)
    return tuple(dict.fromkeys(out))


def _adjective_lemma(word: str, case: str | None = None) -> str | None:
    """The adjective a word is a form of («Российской» → российский), optionally in one case."""
    for p in morph.parses(word.lower()):
        if p.tag.POS == "ADJF" and (case is None or case in p.tag):
            return p.normal_form
    return None


def _state_noun(word: str, case: str) -> bool:
    parsed = morph.parses(word.lower())
    return any(p.tag.POS == "NOUN" and p.normal_form in STATE_NOUNS and case in p.tag for p in parsed)


def _skeleton(word: str) -> str:
    """A word without its vowels: spellings that differ only in vowels (кыргызский / киргизский) share it."""
    return "".join(c for c in word if c not in _VOWELS)


def short_names(name: str) -> tuple[str, ...]:
    """Shorter names Russian gives a country's official name or a compound place name:
    «Китайская Народная Республика» → «Китай», «Республика Корея» → «Корея», «Великобритания» → «Британия»."""
    words = name.split()
    out: list[str] = []
    if len(words) >= 2 and _state_noun(words[-1], "nomn"):
        adjective = _adjective_lemma(words[0], "nomn")
        if adjective is not None:
            out.extend(_noun_of_adjective(adjective))
    elif len(words) == 2 and _state_noun(words[0], "nomn") and _is_noun(words[1]):
        out.append(words[1])
    elif len(words) == 1:
        low = name.lower()
        # «Велико|британия»: an adjective's stem, the linking «о», a place the dictionary knows
        for k in range(4, len(low) - 4):
            if low[k - 1] == _COMPOUND_LINK and _known_place(low[k:]):
                stem = low[: k - 1]
                if any(_known_adjective(stem + end) for end in ("ий", "ый", "ой")):
                    out.append(name[k].upper() + low[k + 1 :])
                break
    return tuple(out)


HEADED_TYPES = frozenset({"organization", "agency", "media", "event", "place"})


def head_phrase(name: str, places: frozenset[str]) -> str | None:
    """The adjectives and head noun of a name whose dependents name a place or a body of the set
    (`places`: their genitives, folded): «Исламское государство» of «Исламское государство Ирака и
    Леванта», «Верховная Рада» of «Верховная Рада Украины»; not «Высшая школа» of «Высшая школа
    экономики», a common phrase."""
    words = name.split()
    if len(words) < 3 or not all(morph.NAME_WORD.match(w.lower()) or morph.acronym(w) is None for w in words):
        return None
    forms = morph.phrase_forms(name, plural=False)
    tail = forms[0].tail if forms else len(name)
    head = name[:tail].strip()
    if tail >= len(name) or len(head.split()) < 2 or _adjective_lemma(words[0], "nomn") is None:
        return None
    rest = _key(name[tail:]).split()
    if not any(" ".join(rest[:k]) in places for k in (1, 2, 3)):
        return None
    return head


def _genitive_names(named: Iterable[tuple[str, tuple[str, ...]]]) -> frozenset[str]:
    """The folded genitives of the set's place names and its bodies' acronyms («украины», «оон»), of
    (type, names) pairs."""
    out: set[str] = set()
    for etype, ns in named:
        for name in ns:
            if name.isupper() and len(name) >= 2:
                out.add(_key(name))
            elif etype in names.PLACE_TYPES:
                out.update(_key(f.text) for f in morph.phrase_forms(name, plural=False) if f.case == "gent")
    return frozenset(out)


def _is_noun(word: str) -> bool:
    """A capitalised word whose first reading is a noun («Корея», not «Сербская»)."""
    parsed = morph.parses(word.lower())
    return word[:1].isupper() and bool(parsed) and parsed[0].tag.POS == "NOUN"


def _noun_of_adjective(adjective: str) -> list[str]:
    """Place names the dictionary knows whose adjective is `adjective` (китайский → Китай)."""
    out = []
    for suffix in ("ский", "ийский", "инский", "анский", "йский"):
        if not adjective.endswith(suffix):
            continue
        stem = adjective[: -len(suffix)]
        for ending in ("", "а", "ия", "я", "ь"):
            noun = stem + ending
            if len(noun) >= 3 and _known_place(noun) and adjective in place_adjectives(noun):
                out.append(noun[:1].upper() + noun[1:])
    return list(dict.fromkeys(out))


def _own_adjectives(e: Entity) -> list[tuple[str, int]]:
    """(adjective, rank) of a country: listed (0), from its one-word names (1), from its official names (2)."""
    out = [(a, 0) for a in e.adjectives]
    for name in e.names:
        words = name.split()
        if len(words) == 1:
            out.extend((a, 1) for a in place_adjectives(name))
        elif _state_noun(words[-1], "nomn"):
            adjective = _adjective_lemma(words[0], "nomn")
            if adjective is not None:
                out.append((adjective, 2))
    return out


def _country_by_adjective(countries: Sequence[tuple[int, Entity]]) -> dict[str, int]:
    """Adjective → the country it belongs to; an adjective two countries claim at one rank is nobody's."""
    best: dict[str, tuple[int, set[int]]] = {}
    for idx, e in countries:
        for adjective, rank in _own_adjectives(e):
            old = best.get(adjective)
            if old is None or rank < old[0]:
                best[adjective] = (rank, {idx})
            elif rank == old[0]:
                old[1].add(idx)
    return {a: next(iter(owners)) for a, (_rank, owners) in best.items() if len(owners) == 1}


_TAIL_WORD = re.compile(r"^[А-ЯЁ][а-яё-]+$")


def _official_tail(words: list[str], by_adjective: dict[str, int], by_name: dict[str, int]) -> tuple[int, str] | None:
    """(country, official name in the nominative) when a name ends in a country's official name in the
    genitive: «… Российской Федерации» (adjective + state noun), «… Республики Казахстан» (state noun + name)."""
    if len(words) < 3 or not (_TAIL_WORD.match(words[-2]) and _TAIL_WORD.match(words[-1])):
        return None
    first, last = words[-2], words[-1]
    if _state_noun(last, "gent"):
        adjective = _adjective_lemma(first, "gent")
        if adjective is None:
            return None
        country = by_adjective.get(adjective)
        if country is None:
            # a spelling that differs in vowels only: «Кыргызской» for киргизский
            near = {c for a, c in by_adjective.items() if _skeleton(a) == _skeleton(adjective) and a[0] == adjective[0]}
            country = near.pop() if len(near) == 1 else None
        if country is None:
            return None
        noun = _nominative_noun(last)
        gender = next((p.tag.gender for p in morph.parses(noun.lower()) if p.tag.POS == "NOUN"), None)
        adj = next((p for p in morph.parses(adjective) if p.tag.POS == "ADJF"), None)
        nomn = adj.inflect({"nomn", "sing", gender}) if adj is not None and gender else None
        if nomn is None:
            return None
        return country, f"{morph.match_case(first, nomn.word)} {noun}"
    if _state_noun(first, "gent"):
        country = by_name.get(last.lower().replace("ё", "е"))
        if country is not None:
            return country, f"{_nominative_noun(first)} {last}"
    return None


def _nominative_noun(word: str) -> str:
    p = next((p for p in morph.parses(word.lower()) if p.tag.POS == "NOUN"), None)
    return morph.match_case(word, p.normal_form) if p is not None else word


def official_acronym(name: str) -> str | None:
    """The initials of a two-word official name («Российская Федерация» → РФ, «Кыргызская Республика» → КР)."""
    words = name.split()
    if len(words) != 2 or not all(w[:1].isalpha() for w in words):
        return None
    # each part of a compound adjective gives its letter: «Христианско-демократический союз» → ХДС
    return "".join(part[0].upper() for w in words for part in w.split("-") if part[:1].isalpha())


# `names.person_spellings` respells a full name's last word by the rules that hold for any name only:
# a word none of them matches has no other spelling (most surnames), and is not even looked up
_ANY_NAME_RULES = tuple(re.compile(pattern) for pattern, _repl, any_name in names.SPELLING_RULES if any_name)


def _respellable(word: str) -> bool:
    return any(rule.search(word) for rule in _ANY_NAME_RULES)


def derive(entities: Sequence[Entity]) -> dict[int, Derived]:
    """What each entity (by position) is also called, derived from the whole set (see the module doc).

    A derived name is kept only when no entity of the set has it already and no other entity
    derives it too: a name two things could have is neither's.
    """
    # each entity's names made once, and the entities of each type: each pass below reads only the
    # types it derives names for (a large set is mostly persons and bodies, with few places)
    all_names = [e.names for e in entities]
    of_type: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entities):
        of_type[e.type].append(i)

    def of_types(types: Iterable[str]) -> list[int]:
        return sorted(i for t in types for i in of_type.get(t, ()))

    taken = {_key(n) for ns in all_names for n in ns}
    countries = [(i, entities[i]) for i in of_type.get("country", ())]
    by_adjective = _country_by_adjective(countries)
    by_name = {_key(n): i for i, e in countries for n in e.names}
    extra: dict[int, list[str]] = defaultdict(list)
    adjectives: dict[int, list[str]] = defaultdict(list)
    for idx, e in countries:
        one_word = any(" " not in n for n in e.names)
        for name in e.names:
            # a country called by one word already needs no short name from its adjective («Чешская
            # Республика» of Чехия is not «Чеша»)
            if " " in name and not one_word:
                extra[idx].extend(short_names(name))
            elif " " not in name:
                extra[idx].extend(short_names(name))
            if len(name.split()) == 1:
                adjectives[idx].extend(a for a in place_adjectives(name) if a not in e.adjectives)
            else:
                adjective = _adjective_lemma(name.split()[0], "nomn")
                if adjective is not None and _state_noun(name.split()[-1], "nomn"):
                    adjectives[idx].append(adjective)
    for idx in of_types(names.PLACE_TYPES - {"country"}):
        # «каннский», «европейский», «кавказский»: the adjectives of places' one-word names
        e = entities[idx]
        for name in all_names[idx]:
            if found := [a for a in place_adjectives(name) if a not in e.adjectives]:
                adjectives[idx].extend(found)
    for ns in all_names:
        for name in ns:
            words = name.split()
            tail = _official_tail(words, by_adjective, by_name) if len(words) >= 3 else None
            if tail is None:
                continue
            country, official = tail
            extra[country].append(official)
            if not any(" " not in n for n in entities[country].names):
                extra[country].extend(short_names(official))
            acr = official_acronym(official)
            if acr:
                extra[country].append(acr)
            adjective = _adjective_lemma(official.split()[0], "nomn")
            if adjective is not None:
                adjectives[country].append(adjective)
    places = _genitive_names(zip((e.type for e in entities), all_names, strict=True))
    country_tails = _genitive_names((e.type, e.names) for _i, e in countries)
    for idx in of_types(HEADED_TYPES):
        for name in all_names[idx]:
            head = head_phrase(name, places)
            if head:
                extra[idx].append(head)
                acr = official_acronym(head)
                # two letters are initials of what many countries have («НП»: a national police),
                # unless the body's name is not a country's body («ИГ» of «Исламское государство Ирака …»)
                if acr and (len(acr) > 2 or not _key(name).endswith(tuple(" " + t for t in country_tails))):
                    extra[idx].append(acr)
    for idx in of_type.get("person", ()):
        if not entities[idx].surname:
            for name in all_names[idx]:
                words = name.split()
                if words and _respellable(words[-1]) and (spelled := names.person_spellings(name)):
                    extra[idx].extend(spelled)
    for idx in of_types(names.BODY_TYPES):
        for name in all_names[idx]:
            if short := abbreviations(name):
                extra[idx].extend(short)
    claims: dict[str, set[int]] = defaultdict(set)
    for idx, ns in extra.items():
        for n in ns:
            claims[_key(n)].add(idx)
    # a short name two countries derive («Китай» of «Китайская Народная Республика» and of «Китайская
    # Республика») goes to the one the set's bodies belong to more often («МИД Китайской Народной
    # Республики»), else to neither
    dependents = _dependents(all_names, countries)
    for key, owners in claims.items():
        if len(owners) > 1:
            ranked = sorted(owners, key=lambda i: -dependents.get(i, 0))
            if dependents.get(ranked[0], 0) > dependents.get(ranked[1], 0):
                claims[key] = {ranked[0]}
    adjective_claims: dict[str, set[int]] = defaultdict(set)
    for idx, adjs in adjectives.items():
        for a in adjs:
            adjective_claims[a].add(idx)
    for idx, e in enumerate(entities):
        for a in e.adjectives:
            adjective_claims[a].add(idx)
    out: dict[int, Derived] = {}
    for idx in sorted(set(extra) | set(adjectives)):
        e = entities[idx]
        own = {_key(n) for n in all_names[idx]}
        kept = [n for n in dict.fromkeys(extra.get(idx, ())) if _key(n) not in own]
        kept = [n for n in kept if _key(n) not in taken and claims[_key(n)] == {idx}]
        adjs = [a for a in dict.fromkeys(adjectives.get(idx, ())) if a not in e.adjectives]
        adjs = [a for a in adjs if adjective_claims[a] == {idx}]
        if kept or adjs:
            out[idx] = Derived(tuple(kept), tuple(adjs))
    return out


def _dependents(all_names: Sequence[tuple[str, ...]], countries: Sequence[tuple[int, Entity]]) -> dict[int, int]:
    """Country → how many of the set's names (`all_names`: each entity's) end in one of its names in the genitive."""
    by_tail: dict[str, int] = {}
    for idx, e in countries:
        for name in e.names:
            for f in morph.phrase_forms(name, plural=False):
                if f.case == "gent":
                    by_tail.setdefault(_key(f.text), idx)
    # a tail ends in the name's last word: a name whose last word ends no tail has none (most of a large set)
    last_words = {tail.split()[-1] for tail in by_tail if tail.split()}
    out: dict[int, int] = defaultdict(int)
    for ns in all_names:
        for name in ns:
            words = _key(name).split()
            if not words or words[-1] not in last_words:
                continue
            for k in (1, 2, 3):
                country = by_tail.get(" ".join(words[-k:])) if len(words) > k else None
                if country is not None:
                    out[country] += 1
                    break
    return out


def with_derived(e: Entity, derived: Derived | None) -> Entity:
    """The entity with its derived names as aliases and derived adjectives as its own."""
    if derived is None:
        return e
    return replace(
        e,
        aliases=(*e.aliases, *derived.names),
        adjectives=(*e.adjectives, *(a for a in derived.adjectives if a not in e.adjectives)),
    )


_CAMEL_CAPITALS = re.compile(r"[А-ЯЁ]")


def abbreviations(name: str) -> tuple[str, ...]:
    """Short forms of a body's name the dictionary or the name itself vouches for: the capitals of a
    name written in camel case («РосБизнесКонсалтинг» → РБК); a compound with the linking «о» that the
    dictionary knows as a word («Европейский союз» → Евросоюз)."""
    out: list[str] = []
    words = name.split()
    # «Главное разведывательное управление ВС РФ» → ГРУ: the initials of the words before a tail of acronyms
    k = len(words)
    while k > 0 and words[k - 1].isupper() and len(words[k - 1]) > 1:
        k -= 1
    if 3 <= k < len(words):
        initials = morph.acronym(" ".join(words[:k]))
        if initials:
            out.append(initials)
    if len(words) == 1 and not name.isupper():
        capitals = "".join(_CAMEL_CAPITALS.findall(name))
        if len(capitals) >= 3:
            out.append(capitals)
    # the linking stem first: most adjectives have none, and then neither word need be parsed
    stem = _linked_stem(words[0].lower()) if len(words) == 2 else None
    if stem and _adjective_lemma(words[0], "nomn") and morph.NAME_WORD.match(words[1].lower()):
        noun = next((p for p in morph.parses(words[1].lower()) if p.tag.POS == "NOUN" and "nomn" in p.tag), None)
        if noun is not None:
            compound = stem + noun.word
            # a word the dictionary does not know has no known parse: not parsed (most compounds tried)
            known = morph.is_known(compound)
            if known and any(
                p.is_known and p.tag.POS == "NOUN" and p.normal_form == compound for p in morph.parses(compound)
            ):
                out.append(compound[:1].upper() + compound[1:])
    return tuple(out)


def _linked_stem(adjective: str) -> str | None:
    """An adjective cut after its first «о» that follows a consonant (европейский → евро), the way
    compounds join a truncated adjective to a noun."""
    m = re.match(r"^[а-яё]*?[бвгджзклмнпрстфхцчшщ]о", adjective)
    return m.group(0) if m and 3 <= len(m.group(0)) < len(adjective) - 3 else None

"""The fuzzy tier: typos of one-word names («Кыргызтан»), and people's names whose surname the text
spells another way («Теодор Маккаррик» for Теодор Маккэррик); with the nearest-key lookup that the
transliteration tier shares."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from normalize import morph
from normalize.link.folding import fold
from normalize.link.guards import at_boundary, sentence_start
from normalize.link.index import Index
from normalize.link.memo import Memo, remember
from normalize.link.records import FUZZY_MIN_LEN, Found
from normalize.link.spans import Spans

FUZZY_CUTOFF = 88.0
NAME_FUZZY_CUTOFF = 80.0
_WORD_RE = re.compile(r"[А-ЯЁA-Z][а-яёa-z]{5,}")
# two capitalised words with a space between (the second one looked ahead, so that pairs overlap)
_NAME_PAIR = re.compile(r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s{1,2}(?=([А-ЯЁ][а-яё]{3,}(?:-[А-ЯЁ][а-яё]+)?))")
_UNSEEN = (-1, 0.0)


def nearest_key(
    word: str, index: Index, memo: Memo, cutoff: float, by_letter: bool = False, max_diff: int | None = None
) -> tuple[str, float, int] | None:
    """The indexed one-word key closest to `word` (rapidfuzz ratio ≥ cutoff, same first two
    letters, or first letter `by_letter`), its score and its entity, when the keys at that score all
    name one entity."""
    return remember(
        memo.nearest, (word, cutoff, by_letter, max_diff), _nearest_key, word, index, memo, cutoff, by_letter, max_diff
    )


def reachable_lengths(n: int, cutoff: float, max_diff: int | None = None) -> range:
    """The key lengths that can reach `cutoff` with a word of `n` letters (rapidfuzz's ratio is
    2·matches / (len a + len b)), and differ from it by at most `max_diff`."""
    r = cutoff / 100
    lengths = range(max(1, math.ceil(n * r / (2 - r))), math.floor(n * (2 - r) / r) + 1)
    if max_diff is not None:
        lengths = range(max(lengths.start, n - max_diff), min(lengths.stop, n + max_diff + 1))
    return lengths


def _nearest_key(
    word: str, index: Index, memo: Memo, cutoff: float, by_letter: bool, max_diff: int | None
) -> tuple[str, float, int] | None:
    lengths = reachable_lengths(len(word), cutoff, max_diff)
    prefix = word[:1] if by_letter else word[:2]
    block_key = (prefix, lengths.start, lengths.stop, by_letter)
    block = memo.blocks.get(block_key)
    if block is None:
        # the keys of each block and length range, gathered once (a few thousand ranges at most)
        block = memo.blocks[block_key] = index.near.block(prefix, lengths, by_letter)
    best = index.near.nearest(word, block, cutoff)
    if not best or len({entity for _k, score, entity in best if score == best[0][1]}) != 1:
        return None
    return best[0]


def typos(text: str, found: list[Found], index: Index, memo: Memo) -> list[Found]:
    """Typos of one-word names: a capitalised unknown word close to exactly one key."""
    if not index.near.n_typo:
        return []
    taken = Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    known = memo.typos
    for m in _WORD_RE.finditer(text):
        # what the word itself allows is the same wherever it stands: judged once per distinct word,
        # and only where it stands free (most words are nothing, and known at once the second time)
        typo = known.get(m.group(), _UNSEEN)
        if typo is None:
            continue
        s, e = m.span()
        if not at_boundary(text, s, e) or sentence_start(text, s) or taken.overlaps(s, e):
            continue
        if typo is _UNSEEN:
            typo = remember(known, m.group(), _typo_of, m.group(), index, memo)
        if typo is not None:
            out.append(Found(s, e, typo[0], "fuzzy", typo[1]))
    return out


def _typo_of(surface: str, index: Index, memo: Memo) -> tuple[int, float] | None:
    """(entity, score) when a capitalised word is a typo of exactly one one-word key."""
    if surface.isascii():
        return None  # a Latin name is copied, not typed: a near spelling is another name (Facebook, Faceboook)
    word = fold(surface)
    if morph.is_known(word):
        # a dictionary word or a known name is itself, not a typo: two capitalised words in three are, and
        # this is cheaper than the nearest key in a large set's blocks (thousands of keys)
        return None
    near = nearest_key(word, index, memo, FUZZY_CUTOFF, max_diff=1)
    # same ending: a different inflection («Ниязбековой» for «Ниязбековым») is another word, not a typo;
    # a typo changes a letter or two, not the length by more than one («Арлингтонском» is an adjective)
    if near is None or near[0][-2:] != word[-2:] or abs(len(near[0]) - len(word)) > 1 or len(near[0]) < FUZZY_MIN_LEN:
        return None
    return near[2], round(0.85 * near[1] / 100, 3)


@lru_cache(maxsize=20_000)
def surname_word_forms(word: str, gender: str | None) -> tuple[str, ...]:
    """The case forms of a word used as a surname."""
    return tuple(morph.word_forms(word, gender, "surname"))


def _surname_candidates(index: Index, idx: int) -> list[tuple[str, tuple[str, ...]]]:
    """(nominative, case forms) of the words a person may be called by alone: the surname, and the
    first of a Spanish double surname («Гарсиа» of «Алан Гарсиа Перес»)."""
    parts = index.persons[idx]
    if morph.is_russian_surname(parts.surname):
        return []  # Russian surnames are spelled one way: a near spelling is another family
    out = [(parts.surname, index.surname_forms[idx])]
    if parts.roles == ("first", "other", "surname"):
        out.append((parts.words[1], surname_word_forms(parts.words[1], parts.gender)))
    return out


def closest_surname(word: str, index: Index, memo: Memo, idx: int, cutoff: float) -> tuple[float, str, str] | None:
    """(score, nominative, form) of the person's surname form spelled closest to `word` (folded)."""
    from rapidfuzz import fuzz, process

    if idx not in memo.surnames:
        pairs = [(nominative, form) for nominative, forms in _surname_candidates(index, idx) for form in forms]
        memo.surnames[idx] = ([fold(f) for _n, f in pairs], pairs)
    choices, meta = memo.surnames[idx]
    hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff) if choices else None
    return (hit[1], *meta[hit[2]]) if hit else None


def spelled_as(token: str, nominative: str, form: str) -> str:
    """The nominative of a surname as the text spells it: `token` is `form` (a case form of
    `nominative`) spelled another way, so it takes the same ending (Маккаррика ~ Маккэррика → Маккаррик)."""
    k = 0
    while k < min(len(form), len(nominative)) and form[k].lower() == nominative[k].lower():
        k += 1
    stem = token[: len(token) - (len(form) - k)] if len(form) > k else token
    return stem + nominative[k:]


def fuzzy_names(text: str, found: list[Found], index: Index, memo: Memo) -> list[Found]:
    """«Теодор Маккаррик» for Теодор Маккэррик, «Алан Гарсия» for Алан Гарсиа Перес: a first name of a
    person in the gazetteer, then a word spelled close to that person's surname (foreign surnames are
    transliterated several ways). Only one person may fit, and the word must be no dictionary word."""
    if not index.first_persons:
        return []
    taken = Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    first_persons = index.first_persons
    for m in _NAME_PAIR.finditer(text):
        persons = first_persons.get(m.group(1).lower().replace("ё", "е"))
        if not persons:
            continue
        s, e = m.start(), m.end() + len(m.group(2))
        if not at_boundary(text, s, e) or taken.overlaps(s, e):
            continue
        surname = m.group(2)
        word = fold(surname)
        scored = [(c[0], idx) for idx in persons if (c := closest_surname(word, index, memo, idx, NAME_FUZZY_CUTOFF))]
        if not scored:
            continue
        top = max(sc for sc, _ in scored)
        winners = {idx for sc, idx in scored if sc == top}
        if top >= 100 or len(winners) != 1 or morph.is_word_form(surname) or morph.is_russian_surname(word):
            continue  # the exact name was left unlinked on purpose (ambiguous, or needs context)
        out.append(Found(s, e, winners.pop(), "fuzzy", round(0.85 * top / 100, 3)))
        taken.add(s, e)
    return out

"""Link: find every mention of a gazetteer entity and link it to the entity.

The gazetteer is compiled once into an index (`index`): every case form of every name,
alias, derived acronym and composed agency name («МВД Кыргызстана»), folded to
lowercase with ё→е (`keys`, `composed`, `adjective`), in one Aho–Corasick automaton for a small set
(`smallindex`) or one hashed key table for a large one (`keytable`),
with the names the set implies but does not spell out («РФ», «Китай», «КНБ»: `variants`)
and the forms news give names the dictionary does not (`names`). A document is scanned
once (`scan`); hits are kept at word boundaries and where their letter case fits the
name's («КР» never matches «кр», «Бегун» never «бегун»). Overlaps are settled by the
longest match, with nested mentions allowed only inside a name's dependents («МВД
[Беларуси]») or as a country inside a body's name («Единая [Россия]»; not an adjective:
«Кыргызская ассоциация юристов»). Ambiguous names are resolved by the document's other
mentions or left unlinked (`resolve`, `guards`). People named in full are then found
again by surname, first name and initials (`coref`); typos and Latin spellings last
(`fuzzy`, `translit`). A `Linker` runs the tiers in order (`linker`) and keeps what it
learns about words for the next documents (`memo`).
"""

from importlib import import_module

# "on" or "off": every index a key table, or none, whatever its size (`index.use_key_table`; tests and
# benchmarks). Here, not in `index`: the cache key reads it in a process that loads no linking code.
KEY_TABLE_ENV = "NORMALIZE_KEY_TABLE"

# Each name is imported from its submodule when first used (PEP 562), not with the package: a process
# that needs one record type or score table (the main process of a run: `tables`, `cache`) then loads
# no automaton, morphology or fuzzy matching code. A submodule imported directly loads only what it uses.
_EXPORTS = {  # name -> the submodule that defines it
    "ABBREVIATED_TYPES": "composed",
    "ADJECTIVE_TYPES": "adjective",
    "Candidate": "records",
    "FUZZY_CUTOFF": "fuzzy",
    "FUZZY_MIN_LEN": "records",
    "Found": "records",
    "GLOSS_CUTOFF": "translit",
    "Index": "index",
    "Key": "records",
    "Linker": "linker",
    "MEMO_SIZE": "memo",
    "NAME_FUZZY_CUTOFF": "fuzzy",
    "Needs": "records",
    "PLURAL_TYPES": "keys",
    "SCORES": "records",
    "TRANSLIT_CUTOFF": "translit",
    "TRANSLIT_MIN_LEN": "records",
    "compile_index": "index",
    "find_mentions": "linker",
    "fold": "folding",
    "has_key": "index",
    "leftmost_longest": "coref",
    "transliterate": "translit",
}


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'normalize.link' has no attribute {name!r}")
    value = getattr(import_module(f"normalize.link.{_EXPORTS[name]}"), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


__all__ = [
    "ABBREVIATED_TYPES",
    "ADJECTIVE_TYPES",
    "FUZZY_CUTOFF",
    "FUZZY_MIN_LEN",
    "GLOSS_CUTOFF",
    "MEMO_SIZE",
    "NAME_FUZZY_CUTOFF",
    "PLURAL_TYPES",
    "SCORES",
    "TRANSLIT_CUTOFF",
    "TRANSLIT_MIN_LEN",
    "Candidate",
    "Found",
    "Index",
    "Key",
    "Linker",
    "Needs",
    "compile_index",
    "find_mentions",
    "fold",
    "has_key",
    "leftmost_longest",
    "transliterate",
]

"""Link: find every mention of a gazetteer entity and link it to the entity.

The gazetteer is compiled once into an index (`index`): every case form of every name,
alias, derived acronym and composed agency name («МВД Кыргызстана»), folded to
lowercase with ё→е, in one hashed key table (`keytable`; keys: `keys`, `composed`, `adjective`),
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

from normalize.link.adjective import ADJECTIVE_TYPES
from normalize.link.composed import ABBREVIATED_TYPES
from normalize.link.coref import leftmost_longest
from normalize.link.folding import fold
from normalize.link.fuzzy import FUZZY_CUTOFF, NAME_FUZZY_CUTOFF
from normalize.link.index import FUZZY_MIN_LEN, TRANSLIT_MIN_LEN, Index, compile_index, has_key
from normalize.link.keys import PLURAL_TYPES
from normalize.link.linker import Linker, find_mentions
from normalize.link.memo import MEMO_SIZE
from normalize.link.records import SCORES, Candidate, Found, Key, Needs
from normalize.link.translit import GLOSS_CUTOFF, TRANSLIT_CUTOFF, transliterate

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

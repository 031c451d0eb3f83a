"""Values pickled one by one (`normalize.pickled`): they read back as the sequence and mapping they were."""

import pickle

import pytest

from normalize.pickled import Pickled, PickledMap

# more values than a chunk holds, so that reads cross chunks
VALUES = [("Кубраков", "m"), None, "", 0, ("Иван",) * 3, {"a": 1}] * 7 + [1, 2, 3]


@pytest.mark.parametrize("protocol", [4, 5])
def test_a_sequence_reads_back_as_the_tuple_it_was(protocol):
    seq = pickle.loads(pickle.dumps(Pickled.of(VALUES), protocol=protocol))
    assert len(seq) == len(VALUES) and list(seq) == VALUES and seq == tuple(VALUES)
    assert [seq[-1], seq[1:3], seq[::-2]] == [VALUES[-1], tuple(VALUES[1:3]), tuple(VALUES[::-2])]
    with pytest.raises(IndexError):
        seq[len(VALUES)]
    assert Pickled.of([]) == () and not Pickled.of([])


@pytest.mark.parametrize("protocol", [4, 5])
def test_a_mapping_reads_back_as_the_dict_it_was(protocol):
    mapping = {7: ("Кубраков",), 3: ("Иванов", "Иванова"), 1_000_000: ()} | {k: (str(k),) for k in range(10, 90)}
    got = pickle.loads(pickle.dumps(PickledMap.of(mapping), protocol=protocol))
    assert dict(got) == mapping and list(got) == sorted(mapping) and len(got) == len(mapping)
    assert [k in got for k in (3, 4, "3", None)] == [True, False, False, False]
    assert got.get(4) is None and got[7] == ("Кубраков",)
    with pytest.raises(KeyError):
        got[8]

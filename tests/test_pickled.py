"""Values pickled one by one (`normalize.pickled`): they read back as the sequence and mapping they were."""

import pickle

import pytest

from normalize.pickled import CHUNK, Pickled, PickledMap, pack_chunks

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


@pytest.mark.parametrize(("cut", "lo", "hi"), [(0, 0, 45), (32, 3, 40), (64, 31, 33), (32, 45, 45), (64, 0, 0)])
def test_runs_of_chunks_packed_apart_join_into_one_sequence(cut, lo, hi):
    """Chunks packed in runs (a run a multiple of `CHUNK` values but the last) read as one; a run of values
    read at once (`run`, and a slice) is what reading them one by one gives, and none is kept."""
    joined = Pickled.joined([pack_chunks(VALUES[:cut]), pack_chunks(VALUES[cut:])], len(VALUES))
    assert list(joined) == VALUES and joined == Pickled.of(VALUES)
    fresh = Pickled.joined([pack_chunks(VALUES)], len(VALUES))
    assert fresh.run(lo, hi) == VALUES[lo:hi] and fresh[lo:hi] == tuple(VALUES[lo:hi]) and not fresh._read


def test_chunks_that_do_not_add_up_to_the_values_are_refused():
    with pytest.raises(ValueError, match="chunks for"):
        Pickled.joined([pack_chunks(VALUES)], len(VALUES) + CHUNK)

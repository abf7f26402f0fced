from hypothesis import given
from hypothesis import strategies as st

from indexer.lsn import int_to_lsn, lsn_to_int


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_lsn_round_trip(value: int) -> None:
    assert lsn_to_int(int_to_lsn(value)) == value


def test_lsn_order_follows_integer_order() -> None:
    assert lsn_to_int("0/1924D10") < lsn_to_int("0/1924E48") < lsn_to_int("1/0")
    assert int_to_lsn(lsn_to_int("16/B374D848")) == "16/B374D848"

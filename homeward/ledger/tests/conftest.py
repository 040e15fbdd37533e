import pytest

from homeward.ledger import services as ledger


@pytest.fixture(autouse=True)
def ledger_is_sound_afterwards(db, request):
    """Every money test ends with the ledger check passing (except the one that tampers)."""
    yield
    if not request.node.get_closest_marker("tampers_with_ledger"):
        assert ledger.problems() == []

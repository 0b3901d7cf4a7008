import pytest

from insights.periods import Quarter


@pytest.fixture
def quarter():
    return Quarter.containing().shift(-1)  # a whole quarter in the past: meetings in it have ended

import pytest

import sinabs_abi


@pytest.fixture(scope="session")
def lib():
    return sinabs_abi.load()

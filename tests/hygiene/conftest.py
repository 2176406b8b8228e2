import pytest

from tests.applications.conftest import (  # noqa: F401  (fixtures)
    api,
    beijing,
    candidate,
    complete,
    degree,
    draft,
    exam,
    other_candidate,
    sections,
    shanghai,
    unit,
)
from tests.files.helpers import load_shanghai_slots, use_private_storage


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    use_private_storage(settings, tmp_path / "private")


@pytest.fixture
def slots(shanghai):  # noqa: F811  (imported fixture)
    return {slot.code: slot for slot in load_shanghai_slots(shanghai)}


from tests.review.conftest import api_as, world  # noqa: E402, F401  (fixtures)

import pytest

from tests.applications.conftest import (  # noqa: F401  (fixtures)
    api,
    beijing,
    candidate,
    degree,
    draft,
    exam,
    other_candidate,
    sections,
    shanghai,
    token_client,
    unit,
)
from tests.files.helpers import load_shanghai_slots, use_private_storage


@pytest.fixture(autouse=True)
def _private_storage(request, settings, tmp_path):
    # A live worker is another process: it and the test share the configured storage instead.
    if request.node.get_closest_marker("live_worker") is None:
        use_private_storage(settings, tmp_path / "private")


@pytest.fixture
def slots(shanghai):  # noqa: F811  (imported fixture)
    """Shanghai's 30 material slots from the reference file."""
    return {slot.code: slot for slot in load_shanghai_slots(shanghai)}


@pytest.fixture
def application_id(draft, slots):  # noqa: F811  (imported fixture)
    return draft["id"]

"""The Redis cache reuses one redis-py client per connection pool instead of building one per call."""

import threading
import uuid

import pytest
from django.conf import settings

from wecan.redis_cache import SharedClientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")


@pytest.fixture
def redis_cache():
    return SharedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_every_call_goes_through_the_same_client(redis_cache):
    first = redis_cache._cache.get_client(write=True)

    redis_cache.set("answer", {"code": "42"}, 30)

    assert redis_cache._cache.get_client() is first
    assert redis_cache.get("answer") == {"code": "42"}
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": {"code": "42"}}


def test_threads_share_the_client_safely(redis_cache):
    def worker(number: int) -> None:
        for round_ in range(50):
            redis_cache.set(f"key-{number}", round_, 30)
            assert redis_cache.get(f"key-{number}") == round_

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert redis_cache.get_many([f"key-{number}" for number in range(8)]) == {f"key-{n}": 49 for n in range(8)}

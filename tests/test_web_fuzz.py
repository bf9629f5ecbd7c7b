"""Schemathesis against the OpenAPI spec, over a real uvicorn: no input gives a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from clusternews.adapters.store import Store
from clusternews.knowledge.base import KnowledgeBase
from clusternews.web.app import create_app

from .web_sample import fill
from .web_server import serving

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'f.db'}")
    fill(store, KnowledgeBase.load())
    with serving(create_app(store)) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")
    store.close()


def test_no_server_errors(api_schema) -> None:  # type: ignore[no-untyped-def]
    """Every operation of the spec, with generated (valid and invalid) inputs."""
    tested = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(timeout=10)
            case.validate_response(response, checks=[not_a_server_error])

        call()
        tested += 1
    assert tested >= 6

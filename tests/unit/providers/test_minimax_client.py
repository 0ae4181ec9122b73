"""The MiniMax client: retries, backoff, timeouts and error mapping, on a mock transport."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from voicesmith.errors import ProviderError, ProviderRateLimitedError
from voicesmith.providers.minimax.client import MiniMaxClient, MiniMaxConfig

Handler = Callable[[httpx.Request], httpx.Response]
OK = {"status_code": 0, "status_msg": "success"}


def make(handler: Handler, **config: object) -> tuple[MiniMaxClient, list[float]]:
    sleeps: list[float] = []
    settings = {"api_key": "k", "base_url": "http://minimax.test", "max_retries": 2,
                "backoff_s": 0.1, **config}
    client = MiniMaxClient(MiniMaxConfig(**settings),  # type: ignore[arg-type]
                           transport=httpx.MockTransport(handler), sleep=sleeps.append)
    return client, sleeps


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = responses[min(len(seen), len(responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def audio_answer(data: bytes = b"\x01\x02") -> httpx.Response:
    return httpx.Response(200, json={"data": {"audio": data.hex(), "status": 2}, "base_resp": OK})


def code(status: int) -> httpx.Response:
    return httpx.Response(200, json={"base_resp": {"status_code": status, "status_msg": "no"}})


def test_speech_is_retried_after_a_server_error_with_growing_backoff() -> None:
    handler, seen = sequence(httpx.Response(500), code(1000), audio_answer(b"\xaa"))
    client, sleeps = make(handler)
    assert client.t2a({"model": "m", "text": "hi"}) == b"\xaa"
    assert len(seen) == 3
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2  # exponential, jittered
    assert json.loads(seen[0].content)["stream"] is False
    assert seen[0].headers["authorization"] == "Bearer k"


def test_creating_calls_are_not_retried_after_a_server_error() -> None:
    # The first attempt may have made the voice: a retry could make a second one.
    handler, seen = sequence(httpx.Response(502))
    client, _ = make(handler)
    with pytest.raises(ProviderError, match="HTTP 502"):
        client.voice_design("a calm voice", "hello")
    assert len(seen) == 1


def test_a_connect_error_is_retried_even_for_creating_calls_then_reported() -> None:
    handler, seen = sequence(httpx.ConnectError("refused"))
    client, sleeps = make(handler)
    with pytest.raises(ProviderError, match="unreachable") as caught:
        client.voice_design("a calm voice", "hello")
    assert len(seen) == 3 and len(sleeps) == 2
    assert not isinstance(caught.value, ProviderRateLimitedError)


def test_a_timeout_is_retried_for_speech_but_not_for_a_design() -> None:
    handler, seen = sequence(httpx.ReadTimeout("slow"))
    client, _ = make(handler)
    with pytest.raises(ProviderError, match="in time"):
        client.t2a({"model": "m", "text": "hi"})
    assert len(seen) == 3
    handler, seen = sequence(httpx.ReadTimeout("slow"))
    client, _ = make(handler)
    with pytest.raises(ProviderError, match="in time"):
        client.voice_design("p", "t")
    assert len(seen) == 1


def test_rate_limit_code_is_retried_then_becomes_429_with_retry_after() -> None:
    handler, seen = sequence(code(1002))
    client, _ = make(handler)
    with pytest.raises(ProviderRateLimitedError) as caught:
        client.voice_design("p", "t")  # refused before any work: safe to retry
    assert len(seen) == 3 and caught.value.retry_after == 1


def test_http_429_keeps_minimax_retry_after() -> None:
    handler, _ = sequence(httpx.Response(429, headers={"Retry-After": "7"}))
    client, _ = make(handler, max_retries=0)
    with pytest.raises(ProviderRateLimitedError) as caught:
        client.t2a({"model": "m", "text": "hi"})
    assert caught.value.retry_after == 7


@pytest.mark.parametrize(("status", "words"), [(1004, "API key"), (2049, "API key"),
                                               (1008, "balance"), (2013, "status 2013")])
def test_errors_a_retry_cannot_fix_are_not_retried(status: int, words: str) -> None:
    handler, seen = sequence(code(status))
    client, _ = make(handler)
    with pytest.raises(ProviderError, match=words):
        client.t2a({"model": "m", "text": "hi"})
    assert len(seen) == 1


def test_group_id_is_sent_as_a_query_parameter() -> None:
    handler, seen = sequence(audio_answer())
    client, _ = make(handler, group_id="g-123")
    client.t2a({"model": "m", "text": "hi"})
    assert seen[0].url.params["GroupId"] == "g-123"


def sse(*events: dict[str, object]) -> httpx.Response:
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return httpx.Response(200, content=body.encode(),
                          headers={"content-type": "text/event-stream"})


def test_stream_yields_decoded_pieces_and_skips_the_end_event() -> None:
    handler, seen = sequence(sse(
        {"data": {"audio": "0102", "status": 1}, "base_resp": OK},
        {"data": {"audio": "03", "status": 1}, "base_resp": OK},
        {"data": {"audio": "010203", "status": 2}, "base_resp": OK}))
    client, _ = make(handler)
    assert list(client.t2a_stream({"model": "m", "text": "hi"})) == [b"\x01\x02", b"\x03"]
    body = json.loads(seen[0].content)
    assert body["stream"] is True and body["stream_options"] == {"exclude_aggregated_audio": True}


def test_stream_is_retried_before_its_first_audio_but_not_after() -> None:
    handler, seen = sequence(httpx.ConnectError("down"), sse(
        {"data": {"audio": "0102", "status": 1}, "base_resp": OK},
        {"base_resp": {"status_code": 1000, "status_msg": "unknown error"}}))
    client, _ = make(handler)
    pieces = client.t2a_stream({"model": "m", "text": "hi"})
    assert next(pieces) == b"\x01\x02"
    with pytest.raises(ProviderError, match="1000"):
        next(pieces)
    assert len(seen) == 2


def test_an_error_answer_to_a_stream_request_is_mapped() -> None:
    handler, _ = sequence(code(1004))
    client, _ = make(handler)
    with pytest.raises(ProviderError, match="API key"):
        list(client.t2a_stream({"model": "m", "text": "hi"}))

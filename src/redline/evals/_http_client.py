"""An HTTP client for OpenAI-compatible models that retries a gateway's error page.

A gateway or proxy in front of a model server sometimes answers 200 with an HTML
error page, labelled `application/json`. The OpenAI SDK then fails to parse the
body and Inspect, which retries 429 and 5xx, gives up on that sample at once. The
page is the gateway's failure, not the model's answer, so the client reads it as
the 502 it stands for, and Inspect retries it as it retries any 5xx.

Inspect has no hook for classifying such answers; its OpenAI providers do take the
httpx client as the `http_client` model argument, which is the seam used here.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

# Providers whose model API takes `http_client` (Inspect's OpenAI and
# OpenAI-compatible providers).
_OPENAI_PROVIDERS = ("openai/", "openai-api/")
BAD_GATEWAY = 502


async def _gateway_page_as_bad_gateway(response: httpx2.Response) -> None:
    """Turn a 200 whose JSON-labelled body is not JSON into a 502, before the SDK reads it."""
    if response.status_code != httpx2.codes.OK:
        return
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        # Streams (text/event-stream), JSON Lines (batch files) and other bodies are
        # the SDK's to judge.
        return
    body = await response.aread()
    try:
        json.loads(body)
    except ValueError:
        response.status_code = BAD_GATEWAY


def retrying_http_client() -> httpx2.AsyncClient:
    """The SDK's client with Inspect's connection defaults and the gateway-page check."""
    from inspect_ai._util.http_defaults_httpx2 import default_client_kwargs
    from openai import DefaultAsyncHttpxClient

    # Built from the same defaults Inspect gives the clients it makes itself, so the
    # connect deadline, keep-alive limits and event-loop scoping stay as they were.
    return DefaultAsyncHttpxClient(
        **default_client_kwargs(
            event_hooks={"response": [_gateway_page_as_bad_gateway]}
        )
    )


def with_retrying_client(model: str, model_args: dict[str, Any]) -> dict[str, Any]:
    """Model args with the gateway-page-retrying client, for OpenAI-compatible models.

    A caller's own `http_client` is kept; other providers get the args unchanged.
    """
    if not model.startswith(_OPENAI_PROVIDERS) or "http_client" in model_args:
        return model_args
    return {**model_args, "http_client": retrying_http_client()}

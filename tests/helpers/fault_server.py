"""An OpenAI-compatible chat server on 127.0.0.1 that injects API faults on purpose.

Each distinct prompt is given a fault class in turn as it first arrives, so every class
gets its share and a test can check each sample against its class:
- `always_500`: every attempt gets HTTP 500 (retries cannot help);
- `transient_429`: the first attempts get HTTP 429, then an answer;
- `slow_once`: the first attempt stalls past the client's timeout, then an answer;
- `healthy`: answered at once;
- `html_once` (on request): the first attempt gets HTTP 200 with a gateway's HTML
  error page instead of JSON, then an answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULT_CLASSES = ("always_500", "transient_429", "slow_once", "healthy")
ANSWER = (
    "Sure. Here is a clear, friendly answer to your question with a few practical tips."
)


@dataclass
class FaultServer:
    transient_failures: int = 1
    stall_seconds: float = 4.0
    html_content_type: str = "text/html"
    """What `html_once` says its page is (gateways mislabel them as JSON too)."""
    kinds: tuple[str, ...] = FAULT_CLASSES
    """Fault classes handed out in turn; one class makes every prompt fail alike."""
    attempts: Counter[str] = field(default_factory=Counter)
    classes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FaultServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                body: dict[str, Any],
                headers: dict[str, str] | None = None,
            ) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                # The client may have given up on a stalled answer already.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            def do_POST(self) -> None:
                request = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                )
                prompt = "\n".join(
                    str(m.get("content"))
                    for m in request.get("messages", [])
                    if m.get("role") == "user"
                )
                with owner.lock:
                    owner.attempts[prompt] += 1
                    attempt = owner.attempts[prompt]
                    kind = owner.classes.setdefault(
                        prompt, owner.kinds[len(owner.classes) % len(owner.kinds)]
                    )
                if kind == "always_500":
                    self._send(
                        500,
                        {
                            "error": {
                                "message": "injected server error",
                                "type": "server_error",
                            }
                        },
                    )
                    return
                if kind == "transient_429" and attempt <= owner.transient_failures:
                    self._send(
                        429,
                        {
                            "error": {
                                "message": "injected rate limit",
                                "type": "rate_limit",
                            }
                        },
                        {"Retry-After": "0"},
                    )
                    return
                if kind == "html_once" and attempt == 1:
                    page = b"<html><body>502 Bad Gateway (upstream)</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", owner.html_content_type)
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if kind == "slow_once" and attempt == 1:
                    time.sleep(owner.stall_seconds)
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{attempt}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", "fault-model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": ANSWER},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": 10,
                            "completion_tokens": 15,
                            "total_tokens": 25,
                        },
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

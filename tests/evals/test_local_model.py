"""The embedded model, through Inspect's model API, on the real GGUF file."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model
from inspect_ai.tool import ToolInfo, ToolParams

import redline.evals._registry  # noqa: F401
from redline.errors import ConfigError
from redline.evals._local_model import (
    LocalModelAPI,
    _load,
    default_gguf_path,
    default_threads,
    parse_tool_calls,
    resolve_gguf_path,
)


def _generate(model: str, prompt: str, **config: object) -> object:
    return asyncio.run(
        get_model(model).generate(
            [ChatMessageUser(content=prompt)], config=GenerateConfig(**config)
        )
    )  # type: ignore[arg-type]


def test_default_model_is_read_in_place_from_the_installed_package() -> None:
    path = default_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "site-packages" in str(path) or "dist-packages" in str(path)
    assert path.stat().st_size > 50_000_000


def test_generates_with_usage_and_honours_max_tokens() -> None:
    output = _generate(
        "redline/local",
        "Write a long story about a lighthouse.",
        max_tokens=12,
        temperature=0.0,
    )
    assert output.completion.strip()  # type: ignore[attr-defined]
    assert output.usage.output_tokens <= 12  # type: ignore[attr-defined]
    assert output.usage.input_tokens > 5  # type: ignore[attr-defined]
    assert output.stop_reason == "max_tokens"  # type: ignore[attr-defined]


def test_temperature_zero_is_deterministic() -> None:
    first = _generate(
        "redline/local", "Name three fruits.", max_tokens=20, temperature=0.0
    )
    second = _generate(
        "redline/local", "Name three fruits.", max_tokens=20, temperature=0.0
    )
    assert first.completion == second.completion  # type: ignore[attr-defined]


def test_seed_makes_sampling_reproducible_and_differs_across_seeds() -> None:
    def sample(seed: int) -> str:
        return str(
            _generate(
                "redline/local",
                "Invent a name for a cat.",
                max_tokens=16,
                temperature=1.2,
                seed=seed,
            ).completion
        )  # type: ignore[attr-defined]

    assert sample(11) == sample(11)
    assert len({sample(s) for s in (1, 2, 3, 4)}) > 1


def test_stop_sequences_end_generation() -> None:
    prompt = "Write two sentences about the sea."
    free = str(
        _generate("redline/local", prompt, max_tokens=40, temperature=0.0).completion
    )  # type: ignore[attr-defined]
    assert len(free) > 20
    stop = free[12:17]
    stopped = str(
        _generate(
            "redline/local", prompt, max_tokens=40, temperature=0.0, stop_seqs=[stop]
        ).completion
    )  # type: ignore[attr-defined]
    # Deterministic decoding: the same text, cut where the stop sequence begins.
    assert stopped == free[: free.index(stop)]


def test_concurrent_calls_never_overlap_and_all_succeed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # llama.cpp's context is not thread-safe: one call inside it at a time. The
    # real model runs; its entry point is only observed, to count callers inside.
    llama = _load(default_gguf_path(), 4096, None).llama
    real = llama.create_chat_completion
    inside, most, entered = 0, 0, 0
    guard = threading.Lock()

    def observed(**request: object) -> object:
        nonlocal inside, most, entered
        with guard:
            inside += 1
            entered += 1
            most = max(most, inside)
        try:
            time.sleep(0.05)  # widen the window an overlap would need
            return real(**request)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(llama, "create_chat_completion", observed)
    api = LocalModelAPI("local")

    async def many() -> list[str]:
        outputs = await asyncio.gather(
            *[
                api.generate(
                    [ChatMessageUser(content=f"Say the number {i}.")],
                    [],
                    "none",
                    GenerateConfig(max_tokens=8, temperature=0.0),
                )
                for i in range(6)
            ]
        )
        return [output.completion for output, _call in outputs]

    completions = asyncio.run(many())
    assert entered == 6
    assert most == 1
    assert len(completions) == 6
    assert all(c.strip() for c in completions)


def test_model_is_loaded_once_per_process() -> None:
    path = default_gguf_path()
    assert _load(path, 4096, None) is _load(path, 4096, None)
    api = LocalModelAPI("local")
    assert api._model is _load(path, 4096, None)


def test_llama_threads_leave_a_core_to_the_python_side() -> None:
    cores = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(cores)})
        assert default_threads() == 1
    finally:
        os.sched_setaffinity(0, cores)
    assert 1 <= default_threads() <= max(1, len(cores) - 1)
    # Another context size is another load, made with the default threads.
    llama = LocalModelAPI("local", n_ctx=2048)._model.llama
    assert llama.n_threads == llama.n_threads_batch == default_threads()


def test_any_gguf_path_is_accepted(tmp_path: Path) -> None:
    link = tmp_path / "copy-free-link.gguf"
    link.symlink_to(default_gguf_path())
    output = _generate(f"redline/local/{link}", "Say hello.", max_tokens=5)
    assert output.completion.strip()  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["local/does/not/exist.gguf", "elsewhere"])
def test_unknown_local_model_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError):
        resolve_gguf_path(name)


def test_token_counting_is_offline_and_uses_the_gguf_tokenizer() -> None:
    count = asyncio.run(
        LocalModelAPI("local").count_text_tokens("hello world, hello world")
    )
    assert 3 <= count <= 12


def test_tool_calls_are_parsed_from_generated_text() -> None:
    tools = [
        ToolInfo(name="bash", description="run a command", parameters=ToolParams())
    ]
    prose, calls = parse_tool_calls(
        'Let me look.\n<tool_call>{"name": "bash", "arguments": {"cmd": "ls"}}</tool_call>',
        tools,
    )
    assert prose == "Let me look."
    assert [(c.function, c.arguments) for c in calls] == [("bash", {"cmd": "ls"})]
    prose, calls = parse_tool_calls(
        '<tool_call>{"name": "rm_rf", "arguments": {}}</tool_call>', tools
    )
    assert calls == []
    assert "rm_rf" in prose


def test_model_call_records_the_time_spent_in_llama_cpp() -> None:
    api = LocalModelAPI("local")
    started = time.perf_counter()
    _, call = asyncio.run(
        api.generate(
            [ChatMessageUser(content="Say hello.")],
            [],
            "none",
            GenerateConfig(max_tokens=4),
        )
    )
    assert call.time is not None
    assert 0 < call.time <= time.perf_counter() - started


def test_counting_tokens_waits_off_the_event_loop() -> None:
    # While a call decodes with the model's lock held, a token count waits for the lock
    # in a worker thread: the event loop meanwhile goes on running other samples.
    api = LocalModelAPI("local")

    async def scenario() -> tuple[int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        decoding = asyncio.create_task(
            api.generate(
                [ChatMessageUser(content="Describe a forest in detail.")],
                [],
                "none",
                GenerateConfig(max_tokens=48, temperature=0.0),
            )
        )
        while not api._model.lock.locked():
            await asyncio.sleep(0.001)
        before = ticks
        count = await api.count_text_tokens("hello there")
        during = ticks - before
        await decoding
        ticking.cancel()
        return during, count

    during, count = asyncio.run(scenario())
    assert count > 0
    assert during >= 3, "the event loop stood still while the count waited"

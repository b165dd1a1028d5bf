#!/usr/bin/env bash
# trend-acceptance.sh checks change-point detection end to end on the
# built-in simulator (real sweeps, real history files): a history of
# STEADY_RUNS nightly runs at one speed followed by SLOW_RUNS runs with
# --sim-slowdown SLOWDOWN must name the first slow run's commit for median
# TPOT or output throughput, and a history of STEADY_RUNS+SLOW_RUNS runs at
# one speed must show no change point. Each run gets its own commit SHA
# (GITHUB_SHA), and is accepted with `vllm-bench baseline update`, as the
# nightly workflow does.
#
# Usage: scripts/trend-acceptance.sh     (from anywhere; needs go)
# Knobs (environment): STEADY_RUNS=8 SLOW_RUNS=6 SLOWDOWN=1.10 SPEEDUP=10
#   NUM_PROMPTS=64 OUTPUT_LEN=64 PORT=18491 WORK=<temp dir>
#   DASHBOARD=<dir>   also write the step history's dashboard there
set -euo pipefail

STEADY_RUNS=${STEADY_RUNS:-8}
SLOW_RUNS=${SLOW_RUNS:-6}
SLOWDOWN=${SLOWDOWN:-1.10}
SPEEDUP=${SPEEDUP:-10}
NUM_PROMPTS=${NUM_PROMPTS:-64}
OUTPUT_LEN=${OUTPUT_LEN:-64}
PORT=${PORT:-18491}
WORK=${WORK:-$(mktemp -d -t trend-acceptance.XXXXXX)}

repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
bin=$WORK/vllm-bench
(cd "$repo" && go build -o "$bin" ./cmd/vllm-bench)
cd "$WORK" # not a git checkout: each run's commit comes from GITHUB_SHA
echo "trend-acceptance: work directory $WORK" >&2
start=$(date +%s)

# config NAME SLOWDOWN: two points on one simulated server.
config() {
	cat >"$WORK/$1.yaml" <<YAML
runs:
  - name: trend-acceptance
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: $PORT
      max_model_len: 4096
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: ["--sim-speedup", "$SPEEDUP", "--sim-slowdown", "$2"]
      startup_timeout: 2m
    bench:
      context_size: [512]
      concurrency: [8, 32]
      num_prompts: [$NUM_PROMPTS]
      output_len: [$OUTPUT_LEN]
YAML
	echo "$WORK/$1.yaml"
}

# sha N: a stable 40-hex commit id for run N of a scenario.
sha() { printf '%s-run-%d' "$1" "$2" | sha1sum | cut -c1-40; }

# night SCENARIO N CONFIG: one nightly run, accepted into the history.
night() {
	local out=$WORK/$1/results-$2
	GITHUB_SHA=$(sha "$1" "$2") "$bin" run -c "$3" --out "$out" >>"$WORK/$1/run.log" 2>&1
	"$bin" baseline update --results "$out" --baselines "$WORK/$1/baselines" -c "$3" >>"$WORK/$1/run.log"
}

steady=$(config steady 1)
slow=$(config slow "$SLOWDOWN")
total=$((STEADY_RUNS + SLOW_RUNS))
mkdir -p "$WORK/step" "$WORK/flat"
for ((n = 1; n <= total; n++)); do
	cfg=$steady
	((n > STEADY_RUNS)) && cfg=$slow
	echo "trend-acceptance: night $n of $total (step history$([[ $cfg == "$slow" ]] && echo ", slowed down"))" >&2
	night step "$n" "$cfg"
	echo "trend-acceptance: night $n of $total (flat history)" >&2
	night flat "$n" "$steady"
done

status=0
first_slow=$(sha step $((STEADY_RUNS + 1)))
echo
echo "== step history: $STEADY_RUNS runs, then $SLOW_RUNS with --sim-slowdown $SLOWDOWN (first slow run ${first_slow:0:7})"
"$bin" trend --baselines "$WORK/step/baselines" | tee "$WORK/step/trend.txt"
"$bin" trend --baselines "$WORK/step/baselines" --format json >"$WORK/step/trend.json"
if grep -E "(median_tpot_ms|output_throughput) .*first changed run: ${first_slow:0:7} " "$WORK/step/trend.txt" >/dev/null; then
	echo "PASS: the first slow run ${first_slow:0:7} is named for TPOT or throughput"
else
	echo "FAIL: no TPOT or throughput change point names ${first_slow:0:7}"
	status=1
fi
echo
echo "== flat history: $total runs at one speed"
"$bin" trend --baselines "$WORK/flat/baselines" | tee "$WORK/flat/trend.txt"
if grep -q "^trend: no change point" "$WORK/flat/trend.txt"; then
	echo "PASS: no change point"
else
	echo "FAIL: change points in a flat history"
	status=1
fi
if [[ -n ${DASHBOARD:-} ]]; then
	"$bin" dashboard --baselines "$WORK/step/baselines" --out "$DASHBOARD" --repo https://github.com/vllm-bench-action/vllm-bench-action
fi
echo
echo "trend-acceptance: $((2 * total)) sweeps in $(($(date +%s) - start)) s; histories in $WORK/{step,flat}/baselines"
exit $status

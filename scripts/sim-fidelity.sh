#!/usr/bin/env bash
# sim-fidelity.sh measures, through the CLI as a user runs it, how faithful
# the built-in simulator is: `vllm-bench bench` against `vllm-bench sim`
# (separate processes), each figure repeated RUNS times and printed as a
# min-max range. The README's simulator section quotes its output.
#
# Usage: scripts/sim-fidelity.sh [timing|preemption|drift|all]   (needs go, jq, curl)
# Knobs (environment): RUNS=5 SPEEDUPS="1 10 20" STREAMS="8 64" PORT=18491
#
#   timing:     median ITL and median TPOT at each speedup and stream count
#               (512-token prompts, 128 output tokens, 8 requests per stream),
#               their ratio, the model's mean time between tokens from the
#               server's vllm:inter_token_latency_seconds (simulated seconds
#               / speedup) and the share of steps the server released late
#               (sim:late_steps_total / sim:steps_total). Tokens leave at
#               their steps' times when ITL/TPOT matches speedup 1's.
#   preemption: a quick-start point (8 streams, 2,048-token prompts, 128
#               output tokens, --max-model-len 4096, speedup 10) with the
#               GPU's KV cache and with --sim-kv-tokens 4096: median TTFT,
#               median TPOT and vllm:num_preemptions_total.
#   drift:      --sim-drift 2 (step times double over an hour of simulated
#               time) at speedup 10: a short point at start and again 30 s
#               (300 simulated seconds) later; the ratio of the server's mean
#               time between tokens (vllm:inter_token_latency_seconds, in
#               simulated seconds) and of the client's median TPOT, next to
#               the ratio the drift predicts for the two points' times.
set -euo pipefail

WHAT=${1:-all}
RUNS=${RUNS:-5}
SPEEDUPS=${SPEEDUPS:-"1 10 20"}
STREAMS=${STREAMS:-"8 64"}
PORT=${PORT:-18491}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
bin=$work/vllm-bench
server=
cleanup() {
	if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
(cd "$root" && go build -o "$bin" ./cmd/vllm-bench)
url=http://127.0.0.1:$PORT

# start_sim FLAGS...: starts the simulator and waits for /health.
start_sim() {
	"$bin" sim m --host 127.0.0.1 --port "$PORT" --sim-load-time 0 "$@" 2>>"$work/sim.log" &
	server=$!
	for _ in $(seq 200); do
		curl -sf "$url/health" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "sim-fidelity: the simulator did not become healthy; its log:" >&2
	tail -20 "$work/sim.log" >&2
	exit 1
}

stop_sim() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	server=
}

# bench OUT CONTEXT STREAMS PROMPTS OUTPUT_LEN: one point.
bench() {
	"$bin" bench --base-url "$url" --context-size "$2" --concurrency "$3" --num-prompts "$4" \
		--output-len "$5" --out "$1" >/dev/null 2>>"$work/bench.log"
}

# metric NAME: the sum over series of a /metrics sample.
metric() {
	curl -sf "$url/metrics" | awk -v n="$1" 'index($0, n "{") == 1 { s += $NF } END { printf "%.9g", s }'
}

# range: min-max of the numbers on stdin, with printf format $1.
range() {
	sort -g | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "-" f, lo, hi }'
}

timing() {
	echo "timing: $RUNS runs per row; 512-token prompts, 128 output tokens"
	printf '%-8s %-8s %-16s %-16s %-14s %-16s %s\n' speedup streams "ITL p50 ms" "TPOT p50 ms" "ITL/TPOT" "model ITL ms" "late steps %"
	for sp in $SPEEDUPS; do
		for c in $STREAMS; do
			: >"$work/rows"
			for _ in $(seq "$RUNS"); do
				start_sim --sim-speedup "$sp"
				bench "$work/r.json" 512 "$c" $((8 * c)) 128
				model=$(echo "$(metric vllm:inter_token_latency_seconds_sum) $(metric vllm:inter_token_latency_seconds_count) $sp" |
					awk '{ printf "%.6g", 1000 * $1 / $2 / $3 }')
				late=$(echo "$(metric sim:late_steps_total) $(metric sim:steps_total)" | awk '{ printf "%.4g", 100 * $1 / $2 }')
				stop_sim
				jq -r --arg m "$model" --arg l "$late" \
					'[.median_itl_ms, .median_tpot_ms, (.median_itl_ms / .median_tpot_ms), ($m | tonumber), ($l | tonumber)] | @tsv' \
					"$work/r.json" >>"$work/rows"
			done
			printf '%-8s %-8s' "$sp" "$c"
			for col in 1 2 3 4 5; do
				printf ' %-16s' "$(cut -f"$col" "$work/rows" | range '%.3g')"
			done
			echo
		done
	done
}

preemption() {
	echo "preemption: $RUNS runs per row; 8 streams, 2,048-token prompts, 128 output tokens, speedup 10"
	printf '%-22s %-18s %-16s %s\n' "KV cache" "TTFT p50 ms" "TPOT p50 ms" preemptions
	for kv in gpu 4096; do
		: >"$work/rows"
		flags=(--sim-speedup 10 --max-model-len 4096)
		[[ $kv == gpu ]] || flags+=(--sim-kv-tokens "$kv")
		for _ in $(seq "$RUNS"); do
			start_sim "${flags[@]}"
			bench "$work/r.json" 2048 8 32 128
			pre=$(metric vllm:num_preemptions_total)
			stop_sim
			jq -r --arg p "$pre" '[.median_ttft_ms, .median_tpot_ms, ($p | tonumber)] | @tsv' "$work/r.json" >>"$work/rows"
		done
		label="GPU's"
		[[ $kv == gpu ]] || label="--sim-kv-tokens $kv"
		printf '%-22s' "$label"
		for col in 1 2 3; do
			printf ' %-16s' "$(cut -f"$col" "$work/rows" | range '%.4g')"
		done
		echo
	done
}

drift() {
	echo "drift: $RUNS runs; --sim-drift 2 at speedup 10; 8 streams, 512-token prompts, 64 output tokens"
	: >"$work/rows"
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		start_sim --sim-speedup 10 --sim-drift 2 --sim-run-cv 0
		bench "$work/warm.json" 512 8 16 64 # a fresh process is slow at first
		s0=$(metric vllm:inter_token_latency_seconds_sum) n0=$(metric vllm:inter_token_latency_seconds_count)
		a=$(date +%s.%N)
		bench "$work/a.json" 512 8 32 64
		sa=$(metric vllm:inter_token_latency_seconds_sum) na=$(metric vllm:inter_token_latency_seconds_count)
		sleep 30
		b=$(date +%s.%N)
		bench "$work/b.json" 512 8 32 64
		sb=$(metric vllm:inter_token_latency_seconds_sum) nb=$(metric vllm:inter_token_latency_seconds_count)
		stop_sim
		# The factor the drift predicts between the two points' simulated
		# start times: (1 + tb/3600) / (1 + ta/3600).
		want=$(echo "$t0 $a $b" | awk '{ ta = 10 * ($2 - $1); tb = 10 * ($3 - $1); printf "%.4f", (1 + tb / 3600) / (1 + ta / 3600) }')
		server=$(echo "$s0 $n0 $sa $na $sb $nb" | awk '{ printf "%.4f", (($5 - $3) / ($6 - $4)) / (($3 - $1) / ($4 - $2)) }')
		client=$(jq -rn --slurpfile a "$work/a.json" --slurpfile b "$work/b.json" '$b[0].median_tpot_ms / $a[0].median_tpot_ms')
		printf '%s\t%s\t%s\n' "$server" "$client" "$want" >>"$work/rows"
	done
	echo "later point / first point: server mean ITL (simulated) $(cut -f1 "$work/rows" | range '%.3f'), client median TPOT $(cut -f2 "$work/rows" | range '%.3f'); drift predicts $(cut -f3 "$work/rows" | range '%.3f')"
}

case $WHAT in
timing) timing ;;
preemption) preemption ;;
drift) drift ;;
all) timing; preemption; drift ;;
*)
	echo "sim-fidelity: unknown part '$WHAT' (want timing, preemption, drift or all)" >&2
	exit 2
	;;
esac

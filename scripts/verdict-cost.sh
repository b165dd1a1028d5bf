#!/usr/bin/env bash
# verdict-cost.sh measures on the built-in simulator what a verdict costs in
# GPU time: the simulated GPU-seconds of the server starts behind one
# answer of the gate, for (a) a PR check against a stored baseline
# (`vllm-bench run` + `compare`) and (b) paired A/B (`vllm-bench ab`), on
# identical builds (A/A) and on a slowdown, each "before" and "after":
#
#   before: every point runs all num_prompts; ab measures every point in
#           every round (ab.remeasure_settled: true);
#   after:  bench.precision PRECISION with bench.min_prompts MIN_PROMPTS
#           (a point stops once its gated medians and throughputs say enough); ab measures
#           only the points still undecided (the default).
#
# With the cost it counts the A/A false alarms (the gate failed) and the
# slowdowns caught (the gate failed) per configuration, and prints a
# markdown table; docs/verdict-cost.md describes the procedure.
#
# Usage: scripts/verdict-cost.sh            (from anywhere; needs go and jq)
# Knobs (environment): SPEEDUP=10 REPS=5 NUM_PROMPTS=400 OUTPUT_LEN=128
#   SLOWDOWN=1.10 PRECISION=auto (or a number such as 0.02) MIN_PROMPTS=100 AB_ROUNDS=4
#   COLD_START_S=90 WARM_START_S=25 CACHE=kept (or fresh)
#   CHECKS="stored ab" SETTINGS="before after" PORT=18493 WORK=<temp dir>
#
# The start: the simulator loads for COLD_START_S simulated seconds
# (--sim-load-time) on an empty compile cache and WARM_START_S
# (--sim-warm-load-time) when its cache holds an earlier start of the same
# arguments, as vLLM does with torch.compile's cache; like every simulated
# time they pass in wall time divided by SPEEDUP. CACHE=kept gives each
# configuration a cache of its own, warmed before measuring by one
# throwaway start per build (the action keeps serve.cache_dir across jobs);
# CACHE=fresh starts every verdict on an empty cache (each build's first
# start is cold).
#
# Cost: the accounting in summary.json (for ab, both sides' summary.json
# together), gpu_seconds x SPEEDUP: the GPU time the same starts would hold
# on the modelled GPU. The stored check's baseline run is measured once
# per configuration and not counted: many PR checks share it.
set -euo pipefail

SPEEDUP=${SPEEDUP:-10}
REPS=${REPS:-5}
NUM_PROMPTS=${NUM_PROMPTS:-400}
OUTPUT_LEN=${OUTPUT_LEN:-128}
SLOWDOWN=${SLOWDOWN:-1.10}
PRECISION=${PRECISION:-auto}
MIN_PROMPTS=${MIN_PROMPTS:-100}
AB_ROUNDS=${AB_ROUNDS:-4}
COLD_START_S=${COLD_START_S:-90}
WARM_START_S=${WARM_START_S:-25}
CACHE=${CACHE:-kept}
CHECKS=${CHECKS:-"stored ab"}
SETTINGS=${SETTINGS:-"before after"}
PORT=${PORT:-18493}
WORK=${WORK:-$(mktemp -d -t verdict-cost.XXXXXX)}

command -v jq >/dev/null || { echo "verdict-cost: needs jq" >&2; exit 2; }
case $CACHE in
kept | fresh) ;;
*) echo "verdict-cost: CACHE must be kept or fresh, got $CACHE" >&2; exit 2 ;;
esac
if ! [[ $REPS =~ ^[1-9][0-9]*$ ]]; then
	echo "verdict-cost: REPS must be a positive integer, got $REPS" >&2
	exit 2
fi
for c in $CHECKS; do
	[[ $c == stored || $c == ab ]] || { echo "verdict-cost: CHECKS: unknown check $c (stored, ab)" >&2; exit 2; }
done
for s in $SETTINGS; do
	[[ $s == before || $s == after ]] || { echo "verdict-cost: SETTINGS: unknown setting $s (before, after)" >&2; exit 2; }
done
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
bin=$WORK/vllm-bench
(cd "$repo" && go build -o "$bin" ./cmd/vllm-bench)
start=$(date +%s)
echo "verdict-cost: work directory $WORK" >&2

# config FILE SETTING SLOWDOWN CACHE_DIR [warm]: a 6-point sweep on the
# simulator whose candidate runs with --sim-slowdown SLOWDOWN, with an ab
# section whose reference build has none; SETTING before or after (see the
# header). With warm, one point of one prompt: the throwaway start that
# fills the compile cache.
config() {
	local file=$1 setting=$2 slow=$3 cache=$4
	local sim="\"--sim-speedup\", \"$SPEEDUP\", \"--sim-load-time\", \"$COLD_START_S\", \"--sim-warm-load-time\", \"$WARM_START_S\""
	local grid="context_size: [512, 1024, 2048]
      concurrency: [8, 32]
      num_prompts: [$NUM_PROMPTS]"
	if [[ ${5:-} == warm ]]; then
		grid="context_size: [512]
      concurrency: [1]
      num_prompts: [1]"
	fi
	cat >"$file" <<YAML
runs:
  - name: verdict-cost
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: $PORT
      max_model_len: 4096
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: [$sim, "--sim-slowdown", "$slow"]
      startup_timeout: 10m
      cache_dir: $cache
    bench:
      $grid
      output_len: [$OUTPUT_LEN]
YAML
	if [[ $setting == after && ${5:-} != warm ]]; then
		printf '      precision: %s\n      min_prompts: %s\n' "$PRECISION" "$MIN_PROMPTS" >>"$file"
	fi
	printf '    ab:\n      rounds: %d\n      remeasure_settled: %s\n      baseline:\n        extra_args: [%s, "--sim-slowdown", "1"]\n' \
		"$AB_ROUNDS" "$([[ $setting == before ]] && echo true || echo false)" "$sim" >>"$file"
}

# cache_for DIR: the compile cache of one verdict under DIR: the
# configuration's own (CACHE=kept) or an empty one (CACHE=fresh).
cache_for() {
	if [[ $CACHE == kept ]]; then
		echo "$1/cache"
	else
		mktemp -d "$1/cache.XXXXXX"
	fi
}

# prewarm DIR SETTING: with CACHE=kept, one throwaway start of each build
# (no slowdown and SLOWDOWN) fills DIR/cache.
prewarm() {
	[[ $CACHE == kept ]] || return 0
	local slow
	for slow in 1 "$SLOWDOWN"; do
		config "$1/warm.yaml" "$2" "$slow" "$1/cache" warm
		"$bin" run -c "$1/warm.yaml" --out "$1/warm" >>"$1/warm.log" 2>&1 ||
			{ echo "verdict-cost: the warm-up start failed (log: $1/warm.log)" >&2; exit 3; }
		rm -rf "$1/warm"
	done
}

# cost DIR...: the simulated GPU-seconds and starts of the summary.json in
# each DIR together, as "GPU_SECONDS STARTS".
cost() {
	local d
	for d in "$@"; do
		jq -r '[.accounting.totals.gpu_seconds // 0, .accounting.totals.starts // 0] | @tsv' "$d/summary.json"
	done | awk -v k="$SPEEDUP" '{ g += $1; s += $2 } END { printf "%.1f\t%d\n", g * k, s }'
}

# verdicts CHECK SETTING DIR: REPS verdicts of each kind (aa: identical
# builds; slow: the candidate SLOWDOWN slower), each from DIR/KIND.yaml by
# verdict_CHECK DIR KIND K, its line appended to DIR/KIND.tsv.
verdicts() {
	local check=$1 setting=$2 dir=$3 kind slow k
	for kind in aa slow; do
		slow=1
		[[ $kind == slow ]] && slow=$SLOWDOWN
		echo "verdict-cost: $check, $setting: $REPS verdicts, --sim-slowdown $slow" >&2
		for ((k = 1; k <= REPS; k++)); do
			config "$dir/$kind.yaml" "$setting" "$slow" "$(cache_for "$dir")"
			"verdict_$check" "$dir" "$kind" "$k" >>"$dir/$kind.tsv"
		done
	done
}

# verdict_stored DIR KIND K: one PR check, `vllm-bench run` gated against
# DIR/baselines; prints "RC GPU_SECONDS STARTS 0".
verdict_stored() {
	local dir=$1 out=$1/$2-$3 rc=0
	"$bin" run -c "$dir/$2.yaml" --out "$out" >>"$dir/run.log" 2>&1 ||
		{ echo "verdict-cost: a PR run failed (log: $dir/run.log)" >&2; exit 3; }
	"$bin" compare --results "$out" --baselines "$dir/baselines" --format json >"$out.json" || rc=$?
	(( rc <= 1 )) || { echo "verdict-cost: compare exited $rc" >&2; exit "$rc"; }
	printf '%d\t%s\t0\n' "$rc" "$(cost "$out")"
}

# verdict_ab DIR KIND K: one paired A/B comparison; prints "RC GPU_SECONDS
# STARTS ROUNDS".
verdict_ab() {
	local dir=$1 out=$1/$2-$3 rc=0
	"$bin" ab -c "$dir/$2.yaml" --out "$out" --format json --report "$out.json" >>"$dir/ab.log" 2>&1 || rc=$?
	(( rc <= 1 )) || { echo "verdict-cost: ab exited $rc (log: $dir/ab.log)" >&2; exit "$rc"; }
	printf '%d\t%s\t%d\n' "$rc" "$(cost "$out/baseline" "$out/candidate")" "$(jq '.paired.rounds' "$out.json")"
}

# stored SETTING: the PR check against a stored baseline: one reference
# run into the baselines, then the verdicts gated against it.
stored() {
	local dir=$WORK/stored-$1
	mkdir -p "$dir"
	prewarm "$dir" "$1"
	echo "verdict-cost: stored, $1: the baseline run" >&2
	config "$dir/base.yaml" "$1" 1 "$(cache_for "$dir")"
	"$bin" run -c "$dir/base.yaml" --out "$dir/base" >>"$dir/run.log" 2>&1 ||
		{ echo "verdict-cost: the baseline run failed (log: $dir/run.log)" >&2; exit 3; }
	# The baseline is whatever this machine measured: promote suspect
	# points too (compare still marks the PR run's suspect cells).
	"$bin" baseline update --allow-suspect --results "$dir/base" --baselines "$dir/baselines" >/dev/null
	verdicts stored "$1" "$dir"
}

# paired SETTING: the paired A/B comparisons.
paired() {
	local dir=$WORK/ab-$1
	mkdir -p "$dir"
	prewarm "$dir" "$1"
	verdicts ab "$1" "$dir"
}

for setting in $SETTINGS; do
	for check in $CHECKS; do
		rm -f "$WORK/$check-$setting"/*.tsv
		if [[ $check == stored ]]; then stored "$setting"; else paired "$setting"; fi
	done
done

# failed FILE: "k/n" of the verdicts whose gate failed.
failed() {
	awk -F'\t' '{ n++; k += ($1 == 1) } END { printf "%d/%d", k, n }' "$1"
}

# mean COLUMN FILE: the mean of a column, "-" for rounds of a stored check.
mean() {
	awk -F'\t' -v c="$1" -v f="%.${3:-0}f" '{ n++; k += $c } END { if (k == 0 && c == 4) print "-"; else printf f, k / n }' "$2"
}

elapsed=$(($(date +%s) - start))
echo
echo "Verdict cost on the simulator ($(date -u +%Y-%m-%d), ${elapsed}s): 6 points CTX{512,1024,2048} x C{8,32}, P$NUM_PROMPTS O$OUTPUT_LEN,"
echo "--sim-speedup $SPEEDUP, starts of ${COLD_START_S}s cold and ${WARM_START_S}s warm (simulated), compile cache $CACHE; $REPS verdicts per cell;"
echo "slowdown x$SLOWDOWN; after: bench.precision $PRECISION, bench.min_prompts $MIN_PROMPTS, ab skipping settled points; ab at most $AB_ROUNDS rounds."
echo "GPU-seconds are simulated (accounted x $SPEEDUP), per verdict, mean."
echo
echo "| check | setting | GPU-s per verdict, A/A | GPU-s per verdict, x$SLOWDOWN | starts (A/A, x$SLOWDOWN) | rounds (A/A, x$SLOWDOWN) | A/A false alarms | x$SLOWDOWN caught |"
echo "|---|---|---|---|---|---|---|---|"
for check in $CHECKS; do
	for setting in $SETTINGS; do
		d=$WORK/$check-$setting
		label="stored baseline"
		[[ $check == ab ]] && label="paired A/B"
		echo "| $label | $setting | $(mean 2 "$d/aa.tsv") | $(mean 2 "$d/slow.tsv") | $(mean 3 "$d/aa.tsv" 1), $(mean 3 "$d/slow.tsv" 1) |" \
			"$(mean 4 "$d/aa.tsv" 2), $(mean 4 "$d/slow.tsv" 2) | $(failed "$d/aa.tsv") | $(failed "$d/slow.tsv") |"
	done
done
echo
echo "Per verdict: $WORK/<check>-<setting>/{aa,slow}.tsv (gate failed, simulated GPU-seconds, starts, rounds); reports beside them."

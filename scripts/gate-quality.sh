#!/usr/bin/env bash
# gate-quality.sh measures the regression gate on the built-in simulator
# (DESIGN.md §9): its false-alarm rate on A/A comparisons (nothing changed)
# and its power against an injected slowdown, with the simulator's default
# run-to-run noise and with a noisy runner, each without and with history
# (baselines/<run>/history.jsonl of >= 5 accepted runs). It prints the figures
# at the end; docs/gate-quality.md records a measurement.
#
# Usage: scripts/gate-quality.sh            (from anywhere; needs go and jq)
# Knobs (environment): SPEEDUP=10 AA_RUNS=7 SLOW_RUNS=3 SLOWDOWN=1.10
#   NOISY_CV=0.05 OUTPUT_LEN=128 NUM_PROMPTS=100 PORT=18391 WORK=<temp dir>
#   LEVELS="default noisy"
#
# Per noise level it runs AA_RUNS sweeps of the same server (one
# `vllm-bench calibrate`, each sweep on a fresh simulator process) and
# SLOW_RUNS sweeps with --sim-slowdown SLOWDOWN, then gates:
#   A/A, no history:    every pair i<j of A runs (baseline i, current j);
#   slow, no history:   every A run as baseline against every slow run;
#   A/A, history:       for every pair {a,b} of A runs, the other AA_RUNS-2
#                       runs accepted in order (history; the last is the
#                       baseline), current a and current b;
#   slow, history:      the same baselines against every slow run.
set -euo pipefail

SPEEDUP=${SPEEDUP:-10}
AA_RUNS=${AA_RUNS:-7}
SLOW_RUNS=${SLOW_RUNS:-3}
SLOWDOWN=${SLOWDOWN:-1.10}
NOISY_CV=${NOISY_CV:-0.05}
OUTPUT_LEN=${OUTPUT_LEN:-128}
NUM_PROMPTS=${NUM_PROMPTS:-100}
PORT=${PORT:-18391}
LEVELS=${LEVELS:-"default noisy"}
WORK=${WORK:-$(mktemp -d -t gate-quality.XXXXXX)}

command -v jq >/dev/null || { echo "gate-quality: needs jq" >&2; exit 2; }
if (( AA_RUNS < 7 )); then
	echo "gate-quality: AA_RUNS must be >= 7 (history needs 5 runs besides the pair judged)" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
bin=$WORK/vllm-bench
(cd "$repo" && go build -o "$bin" ./cmd/vllm-bench)
start=$(date +%s)
echo "gate-quality: work directory $WORK" >&2

# config NAME RUN_CV SLOWDOWN: a 6-point sweep on the simulator.
config() {
	cat >"$WORK/$1.yaml" <<YAML
runs:
  - name: gate-quality
    engine: sim
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: $PORT
      max_model_len: 4096
      tp_dp_pairs: [{tp: 1, dp: 1}]
      extra_args: ["--sim-speedup", "$SPEEDUP", "--sim-run-cv", "$2", "--sim-slowdown", "$3"]
      startup_timeout: 2m
    bench:
      context_size: [512, 1024, 2048]
      concurrency: [8, 32]
      num_prompts: [$NUM_PROMPTS]
      output_len: [$OUTPUT_LEN]
YAML
	echo "$WORK/$1.yaml"
}

# judge TAG CURRENT BASELINE...: accepts the baseline directories in order
# into a fresh baselines directory, gates CURRENT against it and appends one
# line to $WORK/<level>/TAG.tsv: gate failed (0/1), any cell flagged (0/1),
# TPOT or throughput regression (0/1), then the flagged cells.
judge() {
	local tag=$1 cur=$2
	shift 2
	local base b
	base=$(mktemp -d "$WORK/$level/baselines.XXXXXX")
	for b in "$@"; do
		"$bin" baseline update --results "$b" --baselines "$base" >/dev/null
	done
	local rc=0
	"$bin" compare --results "$cur" --baselines "$base" --format json >"$base/report.json" || rc=$?
	if (( rc > 1 )); then
		echo "gate-quality: compare exited $rc" >&2
		exit "$rc"
	fi
	jq -r --arg rc "$rc" '
		[.points[] | . as $p | .cells[] | select(.verdict == "regression" or .verdict == "improvement")
			| {m: .metric, v: .verdict, t: .test, c: .change, tol: .tolerance, pt: ($p.point | "CTX\(.context_size)C\(.concurrency)")}] as $f
		| [ (if $rc == "1" then 1 else 0 end),
		    (if ($f | length) > 0 then 1 else 0 end),
		    (if ([$f[] | select(.v == "regression" and (.m == "median_tpot_ms" or .m == "output_throughput"))] | length) > 0 then 1 else 0 end),
		    ([$f[] | "\(.pt):\(.m):\(.v):\(.t):\(.c * 1000 | round / 10)%/tol\(.tol * 1000 | round / 10)%"] | join(" "))
		  ] | @tsv' "$base/report.json" >>"$WORK/$level/$tag.tsv"
	rm -rf "$base"
}

for level in $LEVELS; do
	case $level in
	default) cv=0.01 ;;
	noisy) cv=$NOISY_CV ;;
	*) echo "gate-quality: unknown level $level" >&2; exit 2 ;;
	esac
	mkdir -p "$WORK/$level"
	rm -f "$WORK/$level"/*.tsv
	echo "gate-quality: $level runner (--sim-run-cv $cv): $AA_RUNS A/A sweeps" >&2
	"$bin" calibrate -c "$(config "$level-aa" "$cv" 1)" --repeats "$AA_RUNS" \
		--out "$WORK/$level/aa" >"$WORK/$level/calibration.txt" 2>"$WORK/$level/calibrate.log"
	echo "gate-quality: $level runner: $SLOW_RUNS sweeps with --sim-slowdown $SLOWDOWN" >&2
	slowcfg=$(config "$level-slow" "$cv" "$SLOWDOWN")
	for ((s = 1; s <= SLOW_RUNS; s++)); do
		"$bin" run -c "$slowcfg" --out "$WORK/$level/slow/rep-$s" >>"$WORK/$level/slow.log" 2>&1
	done
	aa=$WORK/$level/aa
	for ((i = 1; i <= AA_RUNS; i++)); do
		for ((j = i + 1; j <= AA_RUNS; j++)); do
			judge aa-nohist "$aa/rep-$j" "$aa/rep-$i"
		done
		for ((s = 1; s <= SLOW_RUNS; s++)); do
			judge slow-nohist "$WORK/$level/slow/rep-$s" "$aa/rep-$i"
		done
	done
	for ((a = 1; a <= AA_RUNS; a++)); do
		for ((b = a + 1; b <= AA_RUNS; b++)); do
			hist=()
			for ((i = 1; i <= AA_RUNS; i++)); do
				(( i == a || i == b )) || hist+=("$aa/rep-$i")
			done
			judge aa-hist "$aa/rep-$a" "${hist[@]}"
			judge aa-hist "$aa/rep-$b" "${hist[@]}"
			for ((s = 1; s <= SLOW_RUNS; s++)); do
				judge slow-hist "$WORK/$level/slow/rep-$s" "${hist[@]}"
			done
		done
	done
done

# share COLUMN FILE: "k/n (p%)" of the lines whose column is 1.
share() {
	awk -F'\t' -v c="$1" '{ n++; k += $c } END { printf "%d/%d (%.0f%%)", k, n, n ? 100 * k / n : 0 }' "$2"
}

# flagged FILE: the flagged cells by metric, verdict and test, most first.
flagged() {
	awk -F'\t' '{ n = split($4, f, " "); for (i = 1; i <= n; i++) { split(f[i], p, ":"); k[p[2] " " p[3] " (" p[4] ")"]++ } }
		END { for (x in k) printf "      %4d  %s\n", k[x], x }' "$1" | sort -rn
}

elapsed=$(($(date +%s) - start))
echo
echo "Gate quality on the simulator ($(date -u +%Y-%m-%d), ${elapsed}s): 6 points CTX{512,1024,2048} x C{8,32}, P$NUM_PROMPTS O$OUTPUT_LEN, --sim-speedup $SPEEDUP;"
echo "$AA_RUNS A/A sweeps and $SLOW_RUNS sweeps at --sim-slowdown $SLOWDOWN per runner; gate defaults (median_ttft_ms, median_tpot_ms, output_throughput; tolerance 5%, alpha 0.05)."
echo
printf '%-30s %-9s %-18s %-18s %-22s %-18s\n' "runner" "history" "A/A gate fails" "A/A any flag" "slow: TPOT/tput reg." "slow: gate fails"
for level in $LEVELS; do
	label="default (--sim-run-cv 0.01)"
	[[ $level == noisy ]] && label="noisy (--sim-run-cv $NOISY_CV)"
	for h in nohist hist; do
		hl="none"
		[[ $h == hist ]] && hl="$((AA_RUNS - 2)) runs"
		printf '%-30s %-9s %-18s %-18s %-22s %-18s\n' "$label" "$hl" \
			"$(share 1 "$WORK/$level/aa-$h.tsv")" "$(share 2 "$WORK/$level/aa-$h.tsv")" \
			"$(share 3 "$WORK/$level/slow-$h.tsv")" "$(share 1 "$WORK/$level/slow-$h.tsv")"
	done
done
echo
echo "Flagged A/A cells (metric, verdict, test):"
for level in $LEVELS; do
	for h in nohist hist; do
		echo "  $level, $h:"
		flagged "$WORK/$level/aa-$h.tsv"
	done
done
echo
echo "Slow runs: TPOT and throughput cells not flagged as a regression are in $WORK/<runner>/slow-*.tsv;"
echo "per-cell run-to-run CV: $WORK/<runner>/calibration.txt"

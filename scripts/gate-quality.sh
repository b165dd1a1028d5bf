#!/usr/bin/env bash
# gate-quality.sh measures the regression gate on the built-in simulator
# (DESIGN.md §9): its false-alarm rate on A/A comparisons (nothing changed)
# and its power against injected slowdowns, for (a) a stored baseline
# without history, (b) a stored baseline with a history of accepted runs,
# (c) paired A/B (`vllm-bench ab`), each on the default (quiet) runner, on a
# busy one and on one that drifts. It prints the figures at the end;
# docs/gate-quality.md records a measurement.
#
# Usage: scripts/gate-quality.sh            (from anywhere; needs go and jq)
# Knobs (environment): SPEEDUP=10 AA_RUNS=7 SLOW_RUNS=3 SLOWDOWNS="1.10 1.20"
#   AB_AA=6 AB_SLOW=3 AB_ROUNDS=4 DRIFT_PER_MIN=0.03 NOISY_CV=0.05
#   OUTPUT_LEN=128 NUM_PROMPTS=100 PORT=18391 WORK=<temp dir>
#   LEVELS="default busy" (also: drift, noisy)   PARTS="stored ab"
#   BUSY_PROCS=2
#
# The busy runner: the script starts BUSY_PROCS processes that spin on the
# CPU (`while :; do :; done`), beside every sweep and comparison of that
# runner, and stops them when it is done (or interrupted): a second job on
# the same machine, as on a shared CI runner.
#
# Per runner it runs AA_RUNS sweeps of the same server (one
# `vllm-bench calibrate`, each sweep on a fresh simulator process) and
# SLOW_RUNS sweeps per slowdown, then gates:
#   A/A, no history:    every pair i<j of A runs (baseline i, current j);
#   slow, no history:   every A run as baseline against every slow run;
#   A/A, history:       for every pair {a,b} of A runs, the other AA_RUNS-2
#                       runs accepted in order (history; the last is the
#                       baseline), current a and current b;
#   slow, history:      the same baselines against every slow run;
#   paired A/B:         AB_AA runs of `vllm-bench ab` with identical builds
#                       and AB_SLOW per slowdown with --sim-slowdown on the
#                       candidate, at most AB_ROUNDS rounds each.
#
# The drifting runner: the simulator's --sim-drift restarts with every
# server process, so it cannot make one start slower than the one before.
# This script starts the simulator through a wrapper that multiplies its
# step time by 1 + DRIFT_PER_MIN x (wall minutes since the measurement of
# the runner began): 3 %/min at --sim-speedup 10 is about 0.5 % per server
# start, what 5 %/h is on a GPU whose start and sweep take 6 minutes. A
# stored baseline measured earlier is then faster than the current run by
# the drift between them; a paired comparison sees the drift in both builds.
set -euo pipefail

SPEEDUP=${SPEEDUP:-10}
AA_RUNS=${AA_RUNS:-7}
SLOW_RUNS=${SLOW_RUNS:-3}
SLOWDOWNS=${SLOWDOWNS:-"1.10 1.20"}
AB_AA=${AB_AA:-6}
AB_SLOW=${AB_SLOW:-3}
AB_ROUNDS=${AB_ROUNDS:-4}
DRIFT_PER_MIN=${DRIFT_PER_MIN:-0.03}
NOISY_CV=${NOISY_CV:-0.05}
OUTPUT_LEN=${OUTPUT_LEN:-128}
NUM_PROMPTS=${NUM_PROMPTS:-100}
PORT=${PORT:-18391}
LEVELS=${LEVELS:-"default busy"}
BUSY_PROCS=${BUSY_PROCS:-2}
PARTS=${PARTS:-"stored ab"}
WORK=${WORK:-$(mktemp -d -t gate-quality.XXXXXX)}

command -v jq >/dev/null || { echo "gate-quality: needs jq" >&2; exit 2; }
if [[ " $PARTS " == *" stored "* ]] && (( AA_RUNS < 7 )); then
	echo "gate-quality: AA_RUNS must be >= 7 (history needs 5 runs besides the pair judged)" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
bin=$WORK/vllm-bench
(cd "$repo" && go build -o "$bin" ./cmd/vllm-bench)
start=$(date +%s)
echo "gate-quality: work directory $WORK" >&2

# busy_start: starts BUSY_PROCS busy-looping processes (the busy runner's
# load); busy_stop stops them. Their ids are in busy_pids.
busy_pids=()
busy_start() {
	local k
	for ((k = 0; k < BUSY_PROCS; k++)); do
		bash -c 'while :; do :; done' &
		busy_pids+=("$!")
	done
	echo "gate-quality: busy runner: $BUSY_PROCS busy-looping processes (${busy_pids[*]})" >&2
}
busy_stop() {
	local pid
	for pid in "${busy_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	busy_pids=()
}
trap busy_stop EXIT

# drift_wrapper: writes $WORK/drift-sim, the simulator on a drifting
# runner (see the header), its origin reset to now.
drift_wrapper() {
	date +%s.%N >"$WORK/drift-origin"
	cat >"$WORK/drift-sim" <<SH
#!/usr/bin/env bash
# The simulator on a runner that slows down by $DRIFT_PER_MIN per wall
# minute since $WORK/drift-origin: takes \`vllm serve\` arguments.
slow=1
args=()
while (( \$# > 0 )); do
	if [[ \$1 == --sim-slowdown ]]; then slow=\$2; shift 2; continue; fi
	args+=("\$1"); shift
done
factor=\$(awk -v s="\$slow" -v r="$DRIFT_PER_MIN" -v t0="\$(cat "$WORK/drift-origin")" -v t="\$(date +%s.%N)" \\
	'BEGIN { printf "%.6f", s * (1 + r * (t - t0) / 60) }')
exec "$bin" sim "\${args[@]}" --sim-slowdown "\$factor"
SH
	chmod +x "$WORK/drift-sim"
}

# config NAME RUN_CV SLOWDOWN [AB]: a 6-point sweep on the simulator (on the
# drifting runner for level drift); with AB, an ab section whose reference
# build is the same server without the slowdown.
config() {
	local engine="engine: sim" command=""
	if [[ $level == drift ]]; then
		engine="engine: vllm"
		command="      command: [\"$WORK/drift-sim\"]"
	fi
	local sim="\"--sim-speedup\", \"$SPEEDUP\", \"--sim-run-cv\", \"$2\""
	cat >"$WORK/$1.yaml" <<YAML
runs:
  - name: gate-quality
    $engine
    serve:
      model_path: meta-llama/Llama-2-7b-hf
      port: $PORT
      max_model_len: 4096
      tp_dp_pairs: [{tp: 1, dp: 1}]
$command
      extra_args: [$sim, "--sim-slowdown", "$3"]
      startup_timeout: 2m
    bench:
      context_size: [512, 1024, 2048]
      concurrency: [8, 32]
      num_prompts: [$NUM_PROMPTS]
      output_len: [$OUTPUT_LEN]
YAML
	if [[ ${4:-} == ab ]]; then
		printf '    ab:\n      rounds: %d\n      baseline:\n        extra_args: [%s]\n' "$AB_ROUNDS" "$sim" >>"$WORK/$1.yaml"
	fi
	echo "$WORK/$1.yaml"
}

# flags JQ_REPORT RC: one TSV line for a JSON report: gate failed (0/1), any
# cell flagged (0/1), TPOT or throughput regression ("caught", 0/1), the
# flagged cells, the rounds of a paired report (0 otherwise), whether the
# report said "unchanged" (every gated cell unchanged, 0/1), and whether
# every TPOT and throughput cell could detect 10 % (its detectable <= 0.10,
# 0/1), and whether any cell was suspect (set aside, not counted: a busy
# host, a saturated client, a simulator behind; 0/1). A paired
# comparison stops at its first regression, so a slowdown may fail the gate
# on TTFT before TPOT or throughput are decided: "gate fails" counts it.
flags() {
	jq -r --arg rc "$2" '
		[.points[] | . as $p | (.cells // [])[] | select(.verdict == "regression" or .verdict == "improvement")
			| {m: .metric, v: .verdict, t: .test, c: .change, tol: .tolerance, pt: ($p.point | "CTX\(.context_size)C\(.concurrency)")}] as $f
		| [ (if $rc == "1" then 1 else 0 end),
		    (if ($f | length) > 0 then 1 else 0 end),
		    (if ([$f[] | select(.v == "regression" and (.m == "median_tpot_ms" or .m == "output_throughput"))] | length) > 0 then 1 else 0 end),
		    ([$f[] | "\(.pt):\(.m):\(.v):\(.t):\(.c * 1000 | round / 10)%/tol\(.tol * 1000 | round / 10)%"] | join(" ")),
		    (.paired.rounds // 0),
		    ([.points[] | (.cells // [])[] | select(.verdict != "new" and .verdict != "skipped" and (.suspect | not))] as $g
		      | if ($g | length) > 0 and ([$g[] | select(.verdict != "unchanged")] | length) == 0 then 1 else 0 end),
		    ([.points[] | (.cells // [])[] | select(.metric == "median_tpot_ms" or .metric == "output_throughput")] as $d
		      | if ($d | length) > 0 and ([$d[] | select((.detectable | type) != "number" or .detectable > 0.10)] | length) == 0 then 1 else 0 end),
		    (if ([.points[] | (.cells // [])[] | select(.suspect)] | length) > 0 then 1 else 0 end)
		  ] | @tsv' "$1"
}

# judge TAG CURRENT BASELINE...: accepts the baseline directories in order
# into a fresh baselines directory, gates CURRENT against it and appends one
# line (see flags) to $WORK/<level>/TAG.tsv.
judge() {
	local tag=$1 cur=$2
	shift 2
	local base b
	base=$(mktemp -d "$WORK/$level/baselines.XXXXXX")
	# The baselines are whatever runs the situation calls for, busy or
	# not: promote suspect points too. compare still marks the current
	# run's suspect cells, and the busy runner's figures show that.
	for b in "$@"; do
		VLLM_BENCH_ALLOW_SUSPECT=1 "$bin" baseline update --results "$b" --baselines "$base" >/dev/null
	done
	local rc=0
	"$bin" compare --results "$cur" --baselines "$base" --format json >"$base/report.json" || rc=$?
	if (( rc > 1 )); then
		echo "gate-quality: compare exited $rc" >&2
		exit "$rc"
	fi
	flags "$base/report.json" "$rc" >>"$WORK/$level/$tag.tsv"
	rm -rf "$base"
}

# pair TAG CONFIG K: one paired A/B comparison into $WORK/<level>/ab/TAG-K,
# one line (see flags) appended to $WORK/<level>/TAG.tsv.
pair() {
	local dir=$WORK/$level/ab/$1-$3 rc=0
	"$bin" ab -c "$2" --out "$dir" --format json --report "$dir.json" >>"$WORK/$level/ab.log" 2>&1 || rc=$?
	if (( rc > 1 )); then
		echo "gate-quality: ab exited $rc (log: $WORK/$level/ab.log)" >&2
		exit "$rc"
	fi
	flags "$dir.json" "$rc" >>"$WORK/$level/$1.tsv"
	rm -rf "$dir"
}

stored() {
	echo "gate-quality: $level runner: $AA_RUNS A/A sweeps" >&2
	"$bin" calibrate -c "$(config "$level-aa" "$cv" 1)" --repeats "$AA_RUNS" \
		--out "$WORK/$level/aa" >"$WORK/$level/calibration.txt" 2>"$WORK/$level/calibrate.log" ||
		{ echo "gate-quality: calibrate failed: $(tail -1 "$WORK/$level/calibrate.log")" >&2; exit 3; }
	local sd s i j a b
	for sd in $SLOWDOWNS; do
		echo "gate-quality: $level runner: $SLOW_RUNS sweeps with --sim-slowdown $sd" >&2
		for ((s = 1; s <= SLOW_RUNS; s++)); do
			"$bin" run -c "$(config "$level-slow$sd" "$cv" "$sd")" --out "$WORK/$level/slow$sd/rep-$s" >>"$WORK/$level/slow.log" 2>&1 ||
				{ echo "gate-quality: a slow sweep failed (log: $WORK/$level/slow.log)" >&2; exit 3; }
		done
	done
	echo "gate-quality: $level runner: judging stored baselines" >&2
	aa=$WORK/$level/aa
	for ((i = 1; i <= AA_RUNS; i++)); do
		for ((j = i + 1; j <= AA_RUNS; j++)); do
			judge aa-nohist "$aa/rep-$j" "$aa/rep-$i"
		done
		for sd in $SLOWDOWNS; do
			for ((s = 1; s <= SLOW_RUNS; s++)); do
				judge "slow$sd-nohist" "$WORK/$level/slow$sd/rep-$s" "$aa/rep-$i"
			done
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
			for sd in $SLOWDOWNS; do
				for ((s = 1; s <= SLOW_RUNS; s++)); do
					judge "slow$sd-hist" "$WORK/$level/slow$sd/rep-$s" "${hist[@]}"
				done
			done
		done
	done
}

paired() {
	local k sd
	echo "gate-quality: $level runner: $AB_AA paired A/A comparisons" >&2
	for ((k = 1; k <= AB_AA; k++)); do
		pair aa-ab "$(config "$level-ab-aa" "$cv" 1 ab)" "$k"
	done
	for sd in $SLOWDOWNS; do
		echo "gate-quality: $level runner: $AB_SLOW paired comparisons with --sim-slowdown $sd" >&2
		for ((k = 1; k <= AB_SLOW; k++)); do
			pair "slow$sd-ab" "$(config "$level-ab-slow$sd" "$cv" "$sd" ab)" "$k"
		done
	done
}

for level in $LEVELS; do
	case $level in
	default | drift | busy) cv=0.01 ;;
	noisy) cv=$NOISY_CV ;;
	*) echo "gate-quality: unknown level $level" >&2; exit 2 ;;
	esac
	mkdir -p "$WORK/$level"
	rm -f "$WORK/$level"/*.tsv
	[[ $level == drift ]] && drift_wrapper
	[[ $level == busy ]] && busy_start
	[[ " $PARTS " == *" stored "* ]] && stored
	[[ " $PARTS " == *" ab "* ]] && paired
	[[ $level == busy ]] && busy_stop
done

# detectable_caught FILE: "k/n" of the comparisons whose TPOT and
# throughput cells could all detect 10 % that caught the slowdown.
detectable_caught() {
	[[ -s $1 ]] || { printf -- "-"; return; }
	awk -F'\t' '$7 == 1 { n++; k += $3 } END { printf "%d/%d", k, n }' "$1"
}

# share COLUMN FILE: "k/n (p%)" of the lines whose column is 1.
share() {
	[[ -s $2 ]] || { printf -- "-"; return; }
	awk -F'\t' -v c="$1" '{ n++; k += $c } END { printf "%d/%d (%.0f%%)", k, n, n ? 100 * k / n : 0 }' "$2"
}

# rounds FILE: the mean rounds of paired comparisons.
rounds() {
	[[ -s $1 ]] || { printf -- "-"; return; }
	awk -F'\t' '{ n++; k += $5 } END { printf "%.2f", n ? k / n : 0 }' "$1"
}

# flagged FILE: the flagged cells by metric, verdict and test, most first.
flagged() {
	[[ -s $1 ]] || return 0
	awk -F'\t' '{ n = split($4, f, " "); for (i = 1; i <= n; i++) { split(f[i], p, ":"); k[p[2] " " p[3] " (" p[4] ")"]++ } }
		END { for (x in k) printf "      %4d  %s\n", k[x], x }' "$1" | sort -rn
}

elapsed=$(($(date +%s) - start))
echo
echo "Gate quality on the simulator ($(date -u +%Y-%m-%d), ${elapsed}s): 6 points CTX{512,1024,2048} x C{8,32}, P$NUM_PROMPTS O$OUTPUT_LEN, --sim-speedup $SPEEDUP;"
echo "stored: $AA_RUNS A/A sweeps and $SLOW_RUNS sweeps per slowdown ($SLOWDOWNS); paired: $AB_AA A/A and $AB_SLOW per slowdown, at most $AB_ROUNDS rounds;"
echo "gate defaults (median_ttft_ms, median_tpot_ms, output_throughput; tolerance 5%, alpha 0.05); drift $DRIFT_PER_MIN per wall minute; busy: $BUSY_PROCS busy-looping processes."
echo
header=$(printf '%-9s %-20s %-16s %-16s %-16s' "runner" "gate" "A/A gate fails" "A/A any flag" "A/A suspect")
for sd in $SLOWDOWNS; do header+=$(printf ' %-18s %-18s %-18s %-18s %-18s' "x$sd caught" "x$sd gate fails" "x$sd unchanged" "x$sd caught, det<=10%" "x$sd suspect"); done
header+=$(printf ' %s' "mean rounds (A/A")
for sd in $SLOWDOWNS; do header+=", x$sd"; done
echo "$header)"
for level in $LEVELS; do
	for g in nohist hist ab; do
		case $g in
		nohist) label="stored, no history" ;;
		hist) label="stored, $((AA_RUNS - 2)) history" ;;
		ab) label="paired A/B" ;;
		esac
		[[ -s $WORK/$level/aa-$g.tsv ]] || continue
		line=$(printf '%-9s %-20s %-16s %-16s %-16s' "$level" "$label" "$(share 1 "$WORK/$level/aa-$g.tsv")" "$(share 2 "$WORK/$level/aa-$g.tsv")" "$(share 8 "$WORK/$level/aa-$g.tsv")")
		r="-"
		[[ $g == ab ]] && r=$(rounds "$WORK/$level/aa-$g.tsv")
		for sd in $SLOWDOWNS; do
			line+=$(printf ' %-18s %-18s %-18s %-18s %-18s' "$(share 3 "$WORK/$level/slow$sd-$g.tsv")" "$(share 1 "$WORK/$level/slow$sd-$g.tsv")" \
				"$(share 6 "$WORK/$level/slow$sd-$g.tsv")" "$(detectable_caught "$WORK/$level/slow$sd-$g.tsv")" "$(share 8 "$WORK/$level/slow$sd-$g.tsv")")
			[[ $g == ab ]] && r+=", $(rounds "$WORK/$level/slow$sd-$g.tsv")"
		done
		echo "$line $r"
	done
done
echo
echo "Flagged A/A cells (metric, verdict, test):"
for level in $LEVELS; do
	for g in nohist hist ab; do
		[[ -s $WORK/$level/aa-$g.tsv ]] || continue
		echo "  $level, $g:"
		flagged "$WORK/$level/aa-$g.tsv"
	done
done
echo
echo "Per comparison: $WORK/<runner>/<comparison>.tsv (gate failed, flagged, TPOT/throughput regression, cells, rounds, reported unchanged, detectable <= 10%, any suspect);"
echo "per-cell run-to-run CV: $WORK/<runner>/calibration.txt"

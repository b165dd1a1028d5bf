package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// simCell is one cell of the synthetic comparison: its metric, load group,
// start-to-start CV (log units) and direction.
type simCell struct {
	metric        string
	concurrency   int
	context       int
	cv            float64
	lowerIsBetter bool
}

// simGrid is shaped like the simulator's gate-quality sweep (6 points,
// context 512/1024/2048 x concurrency 8/32, three gated metrics) with the
// per-start CVs that `vllm-bench calibrate` reports there; contexts picks
// which of the three context sizes (0, 1, 2) are in the grid. uniformCV,
// when positive, replaces every cell's CV (a quiet machine).
func simGrid(uniformCV float64, contexts []int, measured bool) []simCell {
	cv := map[string][2][3]float64{
		"median_ttft_ms":    {{0.01, 0.015, 0.02}, {0.06, 0.09, 0.12}},
		"median_tpot_ms":    {{0.01, 0.01, 0.01}, {0.03, 0.04, 0.05}},
		"output_throughput": {{0.01, 0.01, 0.01}, {0.02, 0.02, 0.03}},
	}
	if measured {
		// The run-to-run CVs calibrate measured on the simulator
		// (docs/gate-quality.md): noise differs within a load by up to a
		// factor of four (TPOT at concurrency 8: 0.7 %, 0.6 %, 2.3 %).
		cv = map[string][2][3]float64{
			"median_ttft_ms":    {{0.052, 0.022, 0.066}, {0.183, 0.05, 0.136}},
			"median_tpot_ms":    {{0.007, 0.006, 0.023}, {0.056, 0.08, 0.036}},
			"output_throughput": {{0.035, 0.009, 0.004}, {0.005, 0.005, 0.006}},
		}
	}
	var cells []simCell
	for ci, conc := range []int{8, 32} {
		for _, ctx := range contexts {
			for _, m := range []string{"median_ttft_ms", "median_tpot_ms", "output_throughput"} {
				c := simCell{metric: m, concurrency: conc, context: ctx, cv: cv[m][ci][ctx], lowerIsBetter: m != "output_throughput"}
				if uniformCV > 0 {
					c.cv = uniformCV
				}
				cells = append(cells, c)
			}
		}
	}
	return cells
}

// simScenario describes a synthetic paired comparison.
type simScenario struct {
	slowdown float64 // candidate step time factor - 1
	// driftPerStart is the log speed lost per server start (5 %/h at 10
	// minutes a start is 0.0083).
	driftPerStart float64
	sharedCV      float64 // per-start speed factor shared by all cells
	uniformCV     float64
	maxRounds     int
	priorDF       float64
	// byMetric pools a whole metric instead of a metric at one load.
	byMetric bool
	// contexts are the context sizes of the grid (indices 0-2); nil means
	// all three.
	contexts []int
	// measured uses the CVs measured on the simulator instead of the
	// model's round figures.
	measured bool
	// remeasure measures every point in every round, settled or not;
	// otherwise a point whose cells are all settled is measured no more.
	remeasure bool
	// slowContexts, when not nil, are the only contexts the slowdown
	// touches.
	slowContexts []int
}

// simOutcome summarises many synthetic comparisons.
type simOutcome struct {
	reports, flagged, regression, rounds int
	// measured counts the points measured, a point per build and round:
	// the cost of the comparisons.
	measured int
}

func (o simOutcome) flaggedShare() float64 { return float64(o.flagged) / float64(o.reports) }
func (o simOutcome) regressionShare() float64 {
	return float64(o.regression) / float64(o.reports)
}
func (o simOutcome) meanRounds() float64 { return float64(o.rounds) / float64(o.reports) }

// meanMeasured is the mean number of points measured per build.
func (o simOutcome) meanMeasured() float64 { return float64(o.measured) / float64(o.reports) }

// simulate runs reports synthetic comparisons with the sequential design:
// the builds alternate A B, B A, ... on starts 0, 1, 2, ...; a start's log
// statistic is its cell's noise plus the shared speed factor plus drift.
func simulate(seed uint64, reports int, sc simScenario) simOutcome {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	contexts := sc.contexts
	if contexts == nil {
		contexts = []int{0, 1, 2}
	}
	grid := simGrid(sc.uniformCV, contexts, sc.measured)
	cells := make([]PairedCell, len(grid))
	for i, g := range grid {
		group := fmt.Sprintf("%s/c%d", g.metric, g.concurrency)
		if sc.byMetric {
			group = g.metric
		}
		cells[i] = PairedCell{Group: group, LowerIsBetter: g.lowerIsBetter, Point: fmt.Sprintf("ctx%d/c%d", g.context, g.concurrency)}
	}
	opts := SequentialOptions{Alpha: 0.05, Tolerance: 0.05, MaxRounds: sc.maxRounds, PriorDF: sc.priorDF}
	var out simOutcome
	for range reports {
		for i := range cells {
			cells[i].LogRatios, cells[i].Kept = cells[i].LogRatios[:0], nil
		}
		var look SequentialLook
		rounds := 0
		for k := range opts.withDefaults().MaxRounds {
			rounds++
			startA, startB := float64(2*k), float64(2*k+1)
			if k%2 == 1 {
				startA, startB = startB, startA
			}
			speedA := rng.NormFloat64()*sc.sharedCV + sc.driftPerStart*startA
			speedB := rng.NormFloat64()*sc.sharedCV + sc.driftPerStart*startB
			measured := map[string]bool{}
			for i, g := range grid {
				a := rng.NormFloat64()*g.cv + speedA
				b := rng.NormFloat64()*g.cv + speedB
				if sc.slowContexts == nil || slices.Contains(sc.slowContexts, g.context) {
					b += math.Log1p(sc.slowdown)
				}
				if !g.lowerIsBetter {
					a, b = -a, -b
				}
				if cells[i].Kept == nil {
					cells[i].LogRatios = append(cells[i].LogRatios, b-a)
					measured[cells[i].Point] = true
				}
			}
			out.measured += len(measured)
			if k == 0 {
				continue
			}
			look = Sequential(cells, opts)
			if look.Stop {
				break
			}
			if !sc.remeasure {
				keep(cells, look)
			}
		}
		out.rounds += rounds
		out.reports++
		flagged, regression := false, false
		for _, c := range look.Cells {
			flagged = flagged || c.Verdict == Regression || c.Verdict == Improvement
			regression = regression || c.Verdict == Regression
		}
		if flagged {
			out.flagged++
		}
		if regression {
			out.regression++
		}
	}
	return out
}

// keep passes the cells of the points settled at look their result to keep
// in later looks, as a comparison that measures only what is undecided does.
func keep(cells []PairedCell, look SequentialLook) {
	for _, p := range look.SettledPoints(cells) {
		for i := range cells {
			if cells[i].Point == p {
				r := look.Cells[i]
				cells[i].Kept = &r
			}
		}
	}
}

// monteCarloCase is one scenario of the Monte Carlo check with its target.
type monteCarloCase struct {
	name          string
	sc            simScenario
	maxFlagged    float64 // A/A: at most this share of reports flagged
	minCaught     float64 // slowdown: at least this share a regression
	maxMeanRounds float64
}

// monteCarloCases are the gate's targets: A/A false alarms <= 5 % of
// reports and >= 90 % of 10 % slowdowns caught, with and without drift, an
// obvious regression decided in about two rounds, and a no-change on a
// quiet machine too.
func monteCarloCases() []monteCarloCase {
	const drift = 0.05 / 6 // 5 %/h, 10 minutes a start
	return []monteCarloCase{
		{name: "A/A", sc: simScenario{sharedCV: 0.01}, maxFlagged: 0.05, maxMeanRounds: 4},
		{name: "A/A, drift", sc: simScenario{sharedCV: 0.01, driftPerStart: drift}, maxFlagged: 0.05, maxMeanRounds: 4},
		{name: "A/A, quiet machine", sc: simScenario{sharedCV: 0.005, uniformCV: 0.005}, maxFlagged: 0.05, maxMeanRounds: 2.5},
		{name: "10% slowdown", sc: simScenario{sharedCV: 0.01, slowdown: 0.10}, minCaught: 0.90, maxMeanRounds: 2.6},
		{name: "10% slowdown, drift", sc: simScenario{sharedCV: 0.01, slowdown: 0.10, driftPerStart: drift}, minCaught: 0.90, maxMeanRounds: 2.8},
		{name: "20% slowdown", sc: simScenario{sharedCV: 0.01, slowdown: 0.20}, minCaught: 0.99, maxMeanRounds: 2.1},
		{name: "A/A, quick-start grid", sc: simScenario{sharedCV: 0.01, contexts: []int{0, 2}}, maxFlagged: 0.05, maxMeanRounds: 4},
		{name: "10% slowdown, quick-start grid", sc: simScenario{sharedCV: 0.01, slowdown: 0.10, contexts: []int{0, 2}}, minCaught: 0.90, maxMeanRounds: 3},
		{name: "A/A, measured CVs", sc: simScenario{sharedCV: 0.005, measured: true}, maxFlagged: 0.05, maxMeanRounds: 4},
		{name: "A/A, measured CVs, drift", sc: simScenario{sharedCV: 0.005, measured: true, driftPerStart: drift}, maxFlagged: 0.05, maxMeanRounds: 4},
		{name: "10% slowdown, measured CVs", sc: simScenario{sharedCV: 0.005, measured: true, slowdown: 0.10}, minCaught: 0.90, maxMeanRounds: 3},
		{name: "20% slowdown, drift", sc: simScenario{sharedCV: 0.01, slowdown: 0.20, driftPerStart: drift}, minCaught: 0.99, maxMeanRounds: 2.1},
	}
}

// TestSequentialMonteCarlo checks the paired sequential design against
// monteCarloCases on synthetic data shaped like the simulator (400 reports
// per case, seed 1). BenchmarkSequentialMonteCarlo prints the figures of
// Sequential's doc comment.
func TestSequentialMonteCarlo(t *testing.T) {
	for _, tt := range monteCarloCases() {
		t.Run(tt.name, func(t *testing.T) {
			got := simulate(1, 400, tt.sc)
			t.Logf("%-22s flagged %5.1f %%, regression %5.1f %%, mean rounds %.2f", tt.name,
				100*got.flaggedShare(), 100*got.regressionShare(), got.meanRounds())
			if tt.sc.slowdown == 0 && got.flaggedShare() > tt.maxFlagged {
				t.Errorf("A/A: %.1f %% of reports flagged, want <= %.0f %%", 100*got.flaggedShare(), 100*tt.maxFlagged)
			}
			if tt.sc.slowdown > 0 && got.regressionShare() < tt.minCaught {
				t.Errorf("slowdown %.0f %%: %.1f %% caught, want >= %.0f %%", 100*tt.sc.slowdown, 100*got.regressionShare(), 100*tt.minCaught)
			}
			if got.meanRounds() > tt.maxMeanRounds {
				t.Errorf("mean rounds %.2f, want <= %.2f", got.meanRounds(), tt.maxMeanRounds)
			}
		})
	}
}

// BenchmarkSequentialMonteCarlo reports, per case, the share of 2000
// synthetic reports flagged and the mean rounds (seed 1):
//
//	go test ./internal/stats -run '^$' -bench SequentialMonteCarlo -benchtime 1x
func BenchmarkSequentialMonteCarlo(b *testing.B) {
	for _, tt := range monteCarloCases() {
		b.Run(tt.name, func(b *testing.B) {
			var got simOutcome
			for b.Loop() {
				got = simulate(1, 2000, tt.sc)
			}
			b.ReportMetric(100*got.flaggedShare(), "flagged%")
			b.ReportMetric(100*got.regressionShare(), "regression%")
			b.ReportMetric(got.meanRounds(), "rounds")
		})
	}
}

// TestSequentialMonteCarloAlternatives records why the variance is
// moderated within load groups: pooling a whole metric without the cell's
// own variance lets the quiet cells understate the noisy ones' variance.
func TestSequentialMonteCarloAlternatives(t *testing.T) {
	const reports = 400
	own := simulate(1, reports, simScenario{sharedCV: 0.01, slowdown: 0.10, priorDF: -1})
	t.Logf("own variance only: 10%% slowdown caught %.1f %%, mean rounds %.2f", 100*own.regressionShare(), own.meanRounds())
	pooled := simulate(1, reports, simScenario{sharedCV: 0.01, byMetric: true, priorDF: math.MaxFloat64})
	t.Logf("whole metric pooled: A/A flagged %.1f %%", 100*pooled.flaggedShare())
	if pooled.flaggedShare() <= 0.05 {
		t.Errorf("pooling a whole metric flags %.1f %% of A/A reports; the design rests on it flagging more than 5 %%", 100*pooled.flaggedShare())
	}
	if moderated := simulate(1, reports, simScenario{sharedCV: 0.01, slowdown: 0.10}); moderated.meanRounds() >= own.meanRounds() {
		t.Errorf("moderated variance needs %.2f rounds, own variance %.2f: moderation should stop sooner", moderated.meanRounds(), own.meanRounds())
	}
}

// TestSequentialMonteCarloDropping checks that measuring only what is
// undecided keeps the targets and spends less: an A/A comparison flags at
// most 5 % of reports while it measures fewer points than re-measuring
// every point, and a slowdown at one context of three (its other points
// settle as unchanged and drop out) is still caught (400 reports, seed 1).
func TestSequentialMonteCarloDropping(t *testing.T) {
	const reports = 400
	aa := simScenario{sharedCV: 0.005, measured: true}
	drop := simulate(1, reports, aa)
	aa.remeasure = true
	all := simulate(1, reports, aa)
	t.Logf("A/A, measured CVs: dropping flags %.1f %%, %.1f points per build; re-measuring %.1f %%, %.1f points",
		100*drop.flaggedShare(), drop.meanMeasured(), 100*all.flaggedShare(), all.meanMeasured())
	if drop.flaggedShare() > 0.05 {
		t.Errorf("A/A: %.1f %% of reports flagged, want <= 5 %%", 100*drop.flaggedShare())
	}
	if drop.meanMeasured() >= 0.9*all.meanMeasured() {
		t.Errorf("dropping settled points measures %.1f points per build, re-measuring %.1f: want at least 10 %% fewer", drop.meanMeasured(), all.meanMeasured())
	}
	one := simulate(1, reports, simScenario{sharedCV: 0.005, measured: true, slowdown: 0.10, slowContexts: []int{2}})
	t.Logf("10 %% slowdown at context 2048 only: caught %.1f %%, %.1f points per build", 100*one.regressionShare(), one.meanMeasured())
	if one.regressionShare() < 0.90 {
		t.Errorf("10 %% slowdown at one context: %.1f %% caught, want >= 90 %%", 100*one.regressionShare())
	}
}

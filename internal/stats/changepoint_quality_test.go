package stats

import (
	"flag"
	"fmt"
	"testing"
)

// changePointTrials sets how many series TestEDivisiveQuality draws per
// cell; docs/trend-quality.md records a run with -changepoint.trials 200.
var changePointTrials = flag.Int("changepoint.trials", 0, "series per cell of the change-point quality table (0: a quick check)")

// qualityCell is one configuration of the quality study.
type qualityCell struct {
	cv   float64 // run-to-run coefficient of variation
	runs int     // length of the series
	step float64 // relative step at the middle; 0 for noise only
}

// qualityOutcome counts what EDivisive reported over the trials of a cell.
type qualityOutcome struct {
	trials   int
	flagged  int // series with any change point
	detected int // series with a change point within detectSlack of the step
}

// detectSlack is how far from the true step a change point may lie and
// still count as finding it.
const detectSlack = 2

func runQualityCell(t testing.TB, c qualityCell, trials int) qualityOutcome {
	out := qualityOutcome{trials: trials}
	at := c.runs / 2
	for s := range trials {
		var xs []float64
		if c.step == 0 {
			xs = noisySteps(uint64(1000+s), c.runs, c.cv, nil, nil)
		} else {
			xs = noisySteps(uint64(1000+s), c.runs, c.cv, []int{at}, []float64{c.step})
		}
		cps, err := EDivisive(xs, EDivisiveOptions{Seed: uint64(s)})
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) > 0 {
			out.flagged++
		}
		for _, cp := range cps {
			if c.step != 0 && cp.Index >= at-detectSlack && cp.Index <= at+detectSlack {
				out.detected++
				break
			}
		}
	}
	return out
}

func pct(k, n int) string { return fmt.Sprintf("%d/%d (%.1f %%)", k, n, 100*float64(k)/float64(n)) }

// TestEDivisiveQuality measures the false change-point rate on noise-only
// series and the detection rate of 3 % and 5 % steps at the middle of
// series of 30 and 100 runs, with Gaussian run-to-run noise at the
// coefficients of variation that `vllm-bench calibrate` measures on the
// simulator (docs/gate-quality.md): 1 % (its per-process speed factor, which
// throughput follows), 4 % (median TPOT) and 9 % (median TTFT).
//
// Without -changepoint.trials it runs a few series per cell and checks the
// clear cases; with it, it prints the table of docs/trend-quality.md:
//
//	go test ./internal/stats/ -run TestEDivisiveQuality -v -changepoint.trials 200
func TestEDivisiveQuality(t *testing.T) {
	trials := *changePointTrials
	if trials <= 0 {
		quick := []struct {
			cell       qualityCell
			maxFlagged int // noise only: at most this many series flagged
			minFound   int // with a step: at least this many detected
		}{
			{qualityCell{cv: 0.04, runs: 30}, 2, 0},
			{qualityCell{cv: 0.09, runs: 100}, 2, 0},
			{qualityCell{cv: 0.01, runs: 30, step: 0.05}, 30, 19},
			{qualityCell{cv: 0.01, runs: 100, step: 0.03}, 30, 19},
		}
		for _, q := range quick {
			o := runQualityCell(t, q.cell, 20)
			if q.cell.step == 0 && o.flagged > q.maxFlagged {
				t.Errorf("%+v: %d of 20 noise-only series flagged, want <= %d", q.cell, o.flagged, q.maxFlagged)
			}
			if q.cell.step != 0 && o.detected < q.minFound {
				t.Errorf("%+v: %d of 20 steps found, want >= %d", q.cell, o.detected, q.minFound)
			}
		}
		return
	}
	fmt.Printf("| noise CV | runs | noise only: series with a change point | 3 %% step: found at the step (±%d runs) | 3 %% step: any change point | 5 %% step: found at the step | 5 %% step: any change point |\n", detectSlack)
	fmt.Printf("|---|---|---|---|---|---|---|\n")
	for _, cv := range []float64{0.01, 0.04, 0.09} {
		for _, runs := range []int{30, 100} {
			null := runQualityCell(t, qualityCell{cv: cv, runs: runs}, trials)
			s3 := runQualityCell(t, qualityCell{cv: cv, runs: runs, step: 0.03}, trials)
			s5 := runQualityCell(t, qualityCell{cv: cv, runs: runs, step: 0.05}, trials)
			fmt.Printf("| %g %% | %d | %s | %s | %s | %s | %s |\n", 100*cv, runs,
				pct(null.flagged, trials), pct(s3.detected, trials), pct(s3.flagged, trials),
				pct(s5.detected, trials), pct(s5.flagged, trials))
		}
	}
}

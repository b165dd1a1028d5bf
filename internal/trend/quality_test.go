package trend

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// nightlySeries sets how many simulated histories TestNightlyQuality
// replays per cell; docs/trend-quality.md records a run with
// -trend.series 200.
var nightlySeries = flag.Int("trend.series", 0, "histories per cell of the nightly quality table (0: a quick check)")

// nightlyHistory returns nights history lines of one point whose TPOT has
// run-to-run noise cv and is step slower from night from (1-based) on.
func nightlyHistory(seed uint64, nights, from int, cv, step float64) []baseline.HistoryEntry {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]baseline.HistoryEntry, nights)
	for i := range out {
		f := 1.0
		if i+1 >= from {
			f += step
		}
		out[i] = baseline.HistoryEntry{
			Date: fmt.Sprintf("night-%03d", i+1), GitSHA: fmt.Sprintf("%040d", i+1), GPUModel: "gpu",
			Points: map[string]map[string]float64{point: {"median_tpot_ms": 8 * f * (1 + cv*rng.NormFloat64())}},
		}
	}
	return out
}

// nightlyOutcome is what replaying one history night by night gave: the
// nights (1-based) on which a new change point for the worse appeared,
// with the night its first changed run names.
type nightlyOutcome struct {
	alarms []int // nights with a new change point for the worse
	named  []int // the first changed run of each, as a night
}

// replay analyses history[:n] for every night n from first on, as the
// nightly job does, and records the new regressions.
func replay(t testing.TB, entries []baseline.HistoryEntry, first int) nightlyOutcome {
	var o nightlyOutcome
	for n := first; n <= len(entries); n++ {
		run, err := analyzeRun("llama", entries[:n], []string{"median_tpot_ms"}, withDetectDefaults(stats.EDivisiveOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range run.Series {
			for _, sh := range s.Shifts {
				if sh.New && sh.Regression {
					o.alarms = append(o.alarms, n)
					o.named = append(o.named, sh.FirstAfter.Index+1)
				}
			}
		}
	}
	return o
}

// TestNightlyQuality replays simulated nightly histories night by night,
// as `vllm-bench trend --fail-on-change-point` runs in a nightly job, and
// measures how often a job fails on noise alone (a new change point for
// the worse in a history where nothing changed) and how many nights after
// a step the first failure comes and whether it names the first slow run.
//
// Without -trend.series it checks a few histories; with it, it prints the
// table of docs/trend-quality.md:
//
//	go test ./internal/trend/ -run TestNightlyQuality -v -trend.series 200
func TestNightlyQuality(t *testing.T) {
	nights, stepNight := 60, 31
	series := *nightlySeries
	quick := series <= 0
	if quick {
		series, nights, stepNight = 4, 30, 16
	}
	type cell struct{ cv, step float64 }
	cells := []cell{{0.01, 0}, {0.04, 0}, {0.01, 0.05}, {0.04, 0.05}, {0.04, 0.10}}
	if quick {
		cells = []cell{{0.01, 0}, {0.01, 0.05}}
	}
	if !quick {
		fmt.Printf("| TPOT noise CV | step at night %d | histories with a failing night | failing nights of all nights | step caught by night %d | of those, first run named exactly | nights from the step to the failure (median) |\n", stepNight, nights)
		fmt.Printf("|---|---|---|---|---|---|---|\n")
	}
	for _, c := range cells {
		from := nights + 1
		if c.step > 0 {
			from = stepNight
		}
		var failing, failNights, caught, exact int
		var delays []int
		for s := range series {
			o := replay(t, nightlyHistory(uint64(500+s), nights, from, c.cv, c.step), 2*stats.DefaultMinSegment)
			if len(o.alarms) > 0 {
				failing++
			}
			failNights += len(slices.Compact(slices.Clone(o.alarms)))
			if c.step == 0 {
				continue
			}
			for k, night := range o.alarms {
				if night >= stepNight && o.named[k] >= stepNight-2 && o.named[k] <= stepNight+2 {
					caught++
					delays = append(delays, night-stepNight+1)
					if o.named[k] == stepNight {
						exact++
					}
					break
				}
			}
		}
		if quick {
			if c.step == 0 && failing > 1 {
				t.Errorf("%+v: %d of %d quiet histories fail a night", c, failing, series)
			}
			if c.step != 0 && c.cv == 0.01 && caught < series-1 {
				t.Errorf("%+v: %d of %d steps caught", c, caught, series)
			}
			continue
		}
		delay := "-"
		if len(delays) > 0 {
			slices.Sort(delays)
			delay = fmt.Sprint(delays[len(delays)/2])
		}
		stepText, caughtText, exactText := "none", "-", "-"
		if c.step > 0 {
			stepText = fmt.Sprintf("%+g %%", 100*c.step)
			caughtText = fmt.Sprintf("%d/%d", caught, series)
			exactText = fmt.Sprintf("%d/%d", exact, caught)
		}
		fmt.Printf("| %g %% | %s | %d/%d | %d/%d (%.2f %%) | %s | %s | %s |\n", 100*c.cv, stepText, failing, series,
			failNights, series*(nights-2*stats.DefaultMinSegment+1), 100*float64(failNights)/float64(series*(nights-2*stats.DefaultMinSegment+1)),
			caughtText, exactText, delay)
	}
}

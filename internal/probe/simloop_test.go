package probe

import (
	"fmt"
	"strings"
	"testing"
)

// simPage is a /metrics page of the simulator with its loop's figures.
func simPage(t *testing.T, steps, late, lagCount, lagSumS, loopLagS float64) snapshot {
	t.Helper()
	page := fmt.Sprintf(`# TYPE vllm:request_success_total counter
vllm:request_success_total{engine="0",finished_reason="length"} %g
# TYPE sim:loop_lag_seconds gauge
sim:loop_lag_seconds{engine="0"} %g
# TYPE sim:steps_total counter
sim:steps_total{engine="0"} %g
# TYPE sim:late_steps_total counter
sim:late_steps_total{engine="0"} %g
# TYPE sim:step_lag_seconds histogram
sim:step_lag_seconds_bucket{engine="0",le="+Inf"} %g
sim:step_lag_seconds_sum{engine="0"} %g
sim:step_lag_seconds_count{engine="0"} %g
`, steps/10, loopLagS, steps, late, lagCount, lagSumS, lagCount)
	s, err := parseExposition(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSimLoopFromPages(t *testing.T) {
	tests := []struct {
		name         string
		steps, late  float64 // over the round
		lagSumS      float64
		loopLagS     float64
		latePct      float64
		behind       bool
		reasonPrefix string
	}{
		{"kept up", 4000, 40, 0.2, 0.0001, 1, false, ""},
		{"a few late", 4000, 760, 2, 0.003, 19, false, ""}, // as at speedup 10 with 8 streams
		{"fell behind", 4000, 1600, 4, 0.009, 40, true, "the simulator fell behind: 1600 of 4000 engine steps (40.0 %) released their tokens late > 25 %, mean step lag 1 ms, peak loop lag 9 ms"},
		{"a short stall", 30, 8, 0.1, 0.002, 26.666666666666668, false, ""}, // fewer than 10 late steps
	}
	for _, tt := range tests {
		var a serverAcc
		before := simPage(t, 1000, 10, 1000, 0.5, 0)
		a.addGauges(simPage(t, 1500, 10, 1000, 0.5, tt.loopLagS))
		a.addGauges(simPage(t, 1600, 10, 1000, 0.5, tt.loopLagS/2))
		a.addRound(before, simPage(t, 1000+tt.steps, 10+tt.late, 1000+tt.steps, 0.5+tt.lagSumS, 0))
		m := a.block()
		s := m.Sim
		if s == nil {
			t.Fatalf("%s: no sim block", tt.name)
		}
		if s.Steps != tt.steps || s.LateSteps != tt.late || !near(s.LatePct, tt.latePct) || s.Behind != tt.behind || s.LateBoundPct != SimLateBoundPct {
			t.Errorf("%s: %+v, want %v of %v steps late (%v %%), behind %v", tt.name, s, tt.late, tt.steps, tt.latePct, tt.behind)
		}
		if s.LoopLagPeakMs == nil || !near(*s.LoopLagPeakMs, 1000*tt.loopLagS) || s.StepLagMeanMs == nil || !near(*s.StepLagMeanMs, 1000*tt.lagSumS/tt.steps) {
			t.Errorf("%s: lags %v / %v", tt.name, s.LoopLagPeakMs, s.StepLagMeanMs)
		}
		if got := s.Reason(); !strings.HasPrefix(got, tt.reasonPrefix) || (tt.reasonPrefix == "") != (got == "") {
			t.Errorf("%s: Reason() = %q, want %q", tt.name, got, tt.reasonPrefix)
		}
	}
	// A real server's page has no sim: figures and no sim block.
	var a serverAcc
	a.addRound(readPage(t, "vllm-v1-before.txt"), readPage(t, "vllm-v1-after.txt"))
	if m := a.block(); m.Sim != nil {
		t.Errorf("vLLM page: sim block %+v", m.Sim)
	}
}

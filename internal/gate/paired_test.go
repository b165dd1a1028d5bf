package gate

import (
	"math"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// pairedFixture is a server configuration of two points at one load
// (context 512 and 2048, concurrency 8), judged on the default metrics.
func pairedFixture() *PairedServer {
	return &PairedServer{
		Server:    sweep.Server{Run: "ab", TP: 1, DP: 1, PP: 1},
		Points:    []sweep.Point{{ContextSize: 512, Concurrency: 8, NumPrompts: 64, OutputLen: 128}, {ContextSize: 2048, Concurrency: 8, NumPrompts: 64, OutputLen: 128}},
		Settings:  Defaults(),
		MaxRounds: 4,
	}
}

// pointFile is a result whose step time is scaled by slow; wobble moves
// every statistic by a small per-start factor.
func pointFile(slow, wobble float64) *results.File {
	f := &results.File{}
	f.Completed = 64
	f.MedianTTFTMs = 40 * slow * wobble
	f.MedianTPOTMs = 12 * slow * wobble
	f.OutputThroughput = 2000 / (slow * wobble)
	return f
}

// addRound measures one round: the candidate's step time scaled by slow,
// each start moved by its own wobble.
func addRound(s *PairedServer, slow float64, wobbleBase, wobbleCand float64) {
	r := PairedRound{Baseline: map[string]*results.File{}, Candidate: map[string]*results.File{}}
	for i, p := range s.Points {
		name := sweep.ResultName(s.Server, p)
		// A point-specific nudge, so that cells are not identical.
		nudge := 1 + 0.001*float64(i)
		r.Baseline[name] = pointFile(1, wobbleBase*nudge)
		r.Candidate[name] = pointFile(slow, wobbleCand/nudge)
	}
	s.Rounds = append(s.Rounds, r)
}

func TestPairedRegressionStopsAtTwoRounds(t *testing.T) {
	s := pairedFixture()
	addRound(s, 1.25, 1.002, 0.999)
	if look := s.Look(); look.Stop {
		t.Fatalf("stopped after one round")
	}
	addRound(s, 1.25, 0.998, 1.001)
	if look := s.Look(); !look.Stop {
		t.Fatalf("a 25%% slowdown did not stop the comparison after 2 rounds: %+v", look.Cells)
	}
	r := ComparePaired([]*PairedServer{s})
	if r.Verdict() != VerdictRegression || r.Paired.MostRounds() != 2 || r.Paired.MaxRounds != 4 {
		t.Errorf("verdict %s after %d of %d rounds, want a regression after 2 of 4", r.Verdict(), r.Paired.MostRounds(), r.Paired.MaxRounds)
	}
	for _, row := range r.Rows() {
		for _, c := range row.Cells {
			if c.Verdict != stats.Regression || c.Test != TestPaired || c.CI == nil || c.Bound != c.Tolerance || !(c.Detectable >= c.Tolerance) {
				t.Errorf("%s %s: %s (test %s, CI %v, bound %v, detectable %v), want a regression with a bound and a detectable change",
					row.Name, c.Metric, c.Verdict, c.Test, c.CI, c.Bound, c.Detectable)
			}
			wantChange := 0.25
			if !c.LowerIsBetter {
				wantChange = 1/1.25 - 1
			}
			if math.Abs(c.Change-wantChange) > 0.01 {
				t.Errorf("%s %s: change %.3f, want %.3f", row.Name, c.Metric, c.Change, wantChange)
			}
		}
	}
}

func TestPairedNoChange(t *testing.T) {
	s := pairedFixture()
	wobbles := [][2]float64{{1.002, 0.999}, {0.998, 1.001}}
	for _, w := range wobbles {
		addRound(s, 1, w[0], w[1])
	}
	if look := s.Look(); !look.Stop {
		t.Fatalf("identical builds with 0.2%% noise did not settle in 2 rounds")
	}
	r := ComparePaired([]*PairedServer{s})
	if r.Verdict() != VerdictPass {
		t.Errorf("verdict %s, want pass", r.Verdict())
	}
	for _, row := range r.Rows() {
		if row.Verdict != stats.Unchanged || row.BaseThroughput <= 0 {
			t.Errorf("%s: %s, throughput %v, want unchanged", row.Name, row.Verdict, row.BaseThroughput)
		}
	}
}

func TestPairedFailedPoint(t *testing.T) {
	s := pairedFixture()
	addRound(s, 1, 1, 1)
	addRound(s, 1, 1.001, 1)
	name := sweep.ResultName(s.Server, s.Points[1])
	s.Rounds[1].Candidate[name].VllmBench.Error = "every request failed: boom"
	if look := s.Look(); !look.Stop {
		t.Errorf("a failed point did not stop the comparison")
	}
	r := ComparePaired([]*PairedServer{s})
	if r.Verdict() != VerdictFailed || r.Failed() != 1 {
		t.Fatalf("verdict %s with %d failed, want failed with 1", r.Verdict(), r.Failed())
	}
	for _, row := range r.Rows() {
		if row.Name == name && (row.Verdict != stats.Failed || row.Note != "round 2, candidate: every request failed: boom") {
			t.Errorf("failed row: %s %q", row.Verdict, row.Note)
		}
	}
}

// measure adds a round that measures only points (indices into s.Points),
// the candidate of point i moved by wobble(i).
func measure(s *PairedServer, points []int, wobble func(i int) float64) {
	r := PairedRound{Baseline: map[string]*results.File{}, Candidate: map[string]*results.File{}}
	for _, i := range points {
		name := sweep.ResultName(s.Server, s.Points[i])
		r.Baseline[name] = pointFile(1, 1)
		r.Candidate[name] = pointFile(1, wobble(i))
	}
	s.Rounds = append(s.Rounds, r)
}

// A point whose cells are all settled is not measured again, its cells
// keep the look that settled them, and a configuration whose points are
// all settled plans no more rounds; with Remeasure every point is.
func TestPairedSettledPointNotPlanned(t *testing.T) {
	// Two loads, so that each point's noise is its own: point 0 is
	// identical within 0.05 %, point 1 moves ±1 % a round, too much to
	// call unchanged after two rounds but not after three.
	s := pairedFixture()
	s.Points[1].Concurrency = 32
	both := []int{0, 1}
	wobble := func(k int) func(int) float64 {
		return func(i int) float64 {
			if i == 0 {
				return 1 + 0.0005*float64(1-2*(k%2))
			}
			return []float64{1.01, 0.99, 1}[k]
		}
	}
	measure(s, both, wobble(0))
	if got := s.Next(); len(got) != 2 {
		t.Fatalf("after round 1: next %v, want both points", got)
	}
	measure(s, both, wobble(1))
	if got := s.Next(); len(got) != 1 || got[0] != s.Points[1] {
		t.Fatalf("after round 2: next %v, want only the undecided point %s", got, s.Points[1].Label())
	}
	re := *s
	re.Remeasure = true
	if got := re.Next(); len(got) != 2 {
		t.Errorf("with Remeasure: next %v, want both points", got)
	}
	before := ComparePaired([]*PairedServer{s})

	// Round 3 measures point 1 only: point 0 is not failed for it.
	measure(s, []int{1}, wobble(2))
	look := s.Look()
	if !look.Stop || s.Next() != nil {
		t.Fatalf("every point settled after round 3, yet stop %v, next %v: %+v", look.Stop, s.Next(), look.Cells)
	}
	for i, c := range look.Cells {
		if kept := i < len(s.Settings.Metrics); c.Kept != kept || kept && c.Rounds != 2 {
			t.Errorf("cell %d: kept %v after %d rounds, want kept %v (point 0 after 2)", i, c.Kept, c.Rounds, kept)
		}
	}
	after := ComparePaired([]*PairedServer{s})
	if after.Verdict() != VerdictPass || after.Failed() != 0 {
		t.Errorf("verdict %s with %d failed, want pass", after.Verdict(), after.Failed())
	}
	for j, row := range after.Rows() {
		want := map[string]int{sweep.ResultName(s.Server, s.Points[0]): 2, sweep.ResultName(s.Server, s.Points[1]): 3}[row.Name]
		if row.Rounds != want || row.Verdict != stats.Unchanged {
			t.Errorf("%s: %s after %d rounds, want unchanged after %d", row.Name, row.Verdict, row.Rounds, want)
		}
		if want != 2 {
			continue
		}
		// The settled point's cells print what the look that settled
		// them printed.
		for k, c := range row.Cells {
			was := before.Rows()[j].Cells[k]
			if c.Verdict != was.Verdict || c.CI == nil || *c.CI != *was.CI || c.Reason != was.Reason {
				t.Errorf("%s %s: %s %v %q, want %s %v %q as at round 2", row.Name, c.Metric, c.Verdict, c.CI, c.Reason, was.Verdict, was.CI, was.Reason)
			}
		}
	}
}

// A configuration whose points all settle at the first look plans no more
// rounds.
func TestPairedAllSettledPlansNothing(t *testing.T) {
	s := pairedFixture()
	addRound(s, 1, 1.002, 0.999)
	addRound(s, 1, 0.998, 1.001)
	if got := s.Next(); got != nil {
		t.Errorf("every point unchanged, yet next %v", got)
	}
}

package gate

import (
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// A result measured with other settings than its baseline is not
// comparable and names what differs; files from before the settings were
// recorded compare what their fields tell, and say so.
func TestNotComparable(t *testing.T) {
	spec := gatetest.Spec{Run: "r", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 100, Seed: 3}
	run := config.Run{Name: "r", Engine: gatetest.File(spec).VllmBench.Engine, Serve: config.Serve{ModelPath: "m", Dtype: "bfloat16", MaxNumSeqs: 256, MaxModelLen: 4096},
		Bench: config.Bench{Endpoint: "completions", Burstiness: 1, Repeats: 1}}
	recorded := func(endpoint string) *results.File {
		f := gatetest.File(spec)
		r := run
		r.Bench.Endpoint = endpoint
		f.VllmBench.Endpoint = endpoint
		f.VllmBench.Measurement = results.MeasurementOf(r, 1, 1, 1, "v1.2.0").WithPoint(f.VllmBench.Point)
		return f
	}
	pair := func(cur, base *results.File) baseline.Pair {
		p := gatetest.Pair(spec, &spec, nil)
		p.Current.File, p.Baseline = cur, base
		return p
	}
	old := func(endpoint string) *results.File {
		f := gatetest.File(spec)
		f.VllmBench.Endpoint = endpoint
		return f
	}
	for _, tc := range []struct {
		name       string
		cur, base  *results.File
		want       stats.Verdict
		note, warn string
	}{
		{"chat against completions", recorded("chat"), recorded("completions"), stats.NotComparable, "endpoint (chat vs completions)", ""},
		{"same settings", recorded("completions"), recorded("completions"), "", "", ""},
		{"old baseline, other endpoint", recorded("chat"), old("completions"), stats.NotComparable, "endpoint (chat vs completions) (this run vs the baseline); the baseline predates recorded measurement settings", ""},
		{"old baseline, same endpoint", recorded("completions"), old("completions"), "", "", "the baseline predates recorded measurement settings: only engine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare([]baseline.Pair{pair(tc.cur, tc.base)}, Options{})
			row := r.Rows()[0]
			if tc.want != "" && (row.Verdict != tc.want || !strings.Contains(row.Note, tc.note)) {
				t.Errorf("verdict %s note %q, want %s naming %q", row.Verdict, row.Note, tc.want, tc.note)
			}
			if tc.want == "" && row.Verdict == stats.NotComparable {
				t.Errorf("same settings: not comparable: %s", row.Note)
			}
			if (r.PartialSettings == 1) != (tc.warn != "" || strings.Contains(tc.note, "predates")) {
				t.Errorf("partial settings %d", r.PartialSettings)
			}
			o := Combine([]*Report{r}, nil)
			if o.NothingComparable() != (tc.want == stats.NotComparable) {
				t.Errorf("nothing comparable %v", o.NothingComparable())
			}
		})
	}
}

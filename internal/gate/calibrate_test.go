package gate

import (
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

func TestCalibrate(t *testing.T) {
	const k = 4
	var runs [][]*results.File
	for i := range k {
		var files []*results.File
		for j, c := range []int{8, 32} {
			files = append(files, gatetest.File(gatetest.Spec{Run: "r", Ctx: 512, Conc: c, GPU: gpu, TTFTMs: 50, TPOTMs: 9,
				OutputTokS: 1000, N: 100, Repeats: 2, Seed: uint64(10*i + j)}))
		}
		runs = append(runs, files)
	}
	c := Calibrate(runs, Defaults())
	if len(c.Points) != 2 || c.Points[0].Pairs != k*(k-1)/2 || len(c.Points[0].Metrics) != len(DefaultMetrics()) {
		t.Fatalf("calibration = %+v", c)
	}
	flagged, cells := c.FalseAlarms()
	if cells != 2*3*6 || flagged > cells/4 {
		t.Errorf("A/A: %d of %d flagged", flagged, cells)
	}
	for _, m := range c.Points[0].Metrics {
		if m.CV <= 0 || m.Detectable < DefaultTolerance {
			t.Errorf("%s: %+v", m.Metric, m)
		}
	}
}

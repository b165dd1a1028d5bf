package gate

import (
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// Prior run-to-run coefficients of variation, the noise assumed until the
// baselines hold stats.MinPredictionHistory accepted runs. They are the
// upper end of what `vllm-bench calibrate` measures on the simulator's
// default runner at --sim-speedup 10 on a shared 2-core machine (median
// TTFT 4-15 %, median TPOT 1-7 %, output throughput 1-2 % across context
// 512-2048 and concurrency 8-32), where 21 A/A pairs moved median TTFT by
// up to 47 %, median TPOT by up to 20 % and output throughput by up to 6 %
// at some point of a 6-point sweep. A quiet GPU runner is usually steadier;
// set gate.prior_cv from its own calibration to gate tighter from the
// first run. p90 and p99 vary more from run to run than the median: their
// priors are 1.5 and 2 times the median's.
const (
	// PriorCVTTFT is the prior CV of median TTFT: queueing and prefill
	// scheduling move it most.
	PriorCVTTFT = 0.16
	// PriorCVDecode is the prior CV of median TPOT, ITL and E2EL.
	PriorCVDecode = 0.07
	// PriorCVThroughput is the prior CV of the throughputs and goodput.
	PriorCVThroughput = 0.03
	// PriorCVStartup is the prior CV of startup_seconds. It is assumed,
	// not calibrated: a start reads the weights from disk or the page
	// cache and waits on the GPUs' initialisation, which vary more from
	// one machine to the next than a decode step does. Until three
	// accepted runs show the real spread, starts that move less than
	// stats.NoiseFactor times it (30 %) are treated as noise.
	PriorCVStartup = 0.10
)

// DefaultPriorCV returns the default prior CV of every gated metric.
func DefaultPriorCV() map[string]float64 {
	out := map[string]float64{}
	for _, m := range catalogue() {
		cv := PriorCVDecode
		switch {
		case m.Source == PerStart:
			cv = PriorCVStartup
		case m.Source == PerRepeat:
			cv = PriorCVThroughput
		case strings.Contains(m.Name, "_ttft_"):
			cv = PriorCVTTFT
		}
		switch {
		case strings.HasPrefix(m.Name, "p90_"):
			cv *= 1.5
		case strings.HasPrefix(m.Name, "p99_"):
			cv *= 2
		}
		out[m.Name] = cv
	}
	return out
}

// NoHistoryAllowance is the smallest relative change of a metric that
// counts while the history is shorter than stats.MinPredictionHistory runs:
// stats.NoiseFactor times the metric's prior CV, as the history rule uses
// the measured CV once there is one, and never below the tolerance. Within
// one run, requests and repeats share their server process, so no
// within-run test sees how much a statistic moves between two server
// starts; until the history shows it, changes smaller than this are treated
// as noise.
func (s Settings) NoHistoryAllowance(metric string) float64 {
	return max(s.Tolerance, stats.NoiseFactor*s.PriorCV[metric])
}

package app

import (
	"fmt"
	"math"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// The throughput a sweep's estimate assumes: a 7B-class model on one
// recent GPU under load. A real server may be several times faster or
// slower; the estimate is for catching a grid an order of magnitude
// larger than meant, not for planning to the minute.
const (
	// estimatePrefillTokensPerS is how fast a request's prompt is read.
	estimatePrefillTokensPerS = 10_000
	// estimateTPOT is the time per output token of every stream.
	estimateTPOT = 30 * time.Millisecond
	// estimateStartup is what a server start costs: loading the weights
	// and compiling.
	estimateStartup = 60 * time.Second
	// estimateSimStartup is what a simulator start costs.
	estimateSimStartup = 5 * time.Second
)

// Above these an estimate is warned about.
const (
	// warnSweepDuration is GitHub's default job timeout (timeout-minutes:
	// 360): a longer sweep is cut off unless the workflow raises it.
	warnSweepDuration = 6 * time.Hour
	// warnGPUHours is the most GPU time a sweep takes without a warning.
	warnGPUHours = 100.0
)

// estimate is the duration and GPU time a plan is expected to take.
type estimate struct {
	duration time.Duration
	gpuHours float64
}

// estimateAssumption states what an estimate assumes, for its line.
func estimateAssumption() string {
	return fmt.Sprintf("assuming %d prompt tokens/s and %s per output token per stream, %s per server start",
		estimatePrefillTokensPerS, estimateTPOT, estimateStartup)
}

// estimateSweep estimates how long the servers take one after another and
// the GPU-hours they hold (tp x dp x pp GPUs for each launched server; the
// simulator and an external server hold none of this machine's).
func estimateSweep(servers []sweep.ServerConfig) estimate {
	var e estimate
	for _, s := range servers {
		d := estimateStartup
		if s.Run.Engine == config.EngineSim {
			d = estimateSimStartup
		}
		b := &s.Run.Bench
		for _, p := range s.Points {
			d += estimatePoint(p, b.WarmupPrompts, max(b.Repeats, 1))
		}
		e.duration += d
		if s.Run.Engine.Launched() && s.Run.Engine != config.EngineSim {
			e.gpuHours += d.Hours() * float64(s.TP*s.DP*s.PP)
		}
	}
	return e
}

// estimatePoint estimates one point: the requests go in waves of
// concurrency (closed loop), each wave as long as one request, and no
// faster than the request rate allows (open loop).
func estimatePoint(p sweep.Point, warmup, repeats int) time.Duration {
	request := time.Duration(float64(p.ContextSize)/estimatePrefillTokensPerS*float64(time.Second)) + time.Duration(p.OutputLen)*estimateTPOT
	waves := math.Ceil(float64(p.NumPrompts) / float64(max(p.Concurrency, 1)))
	timed := time.Duration(waves) * request
	if p.RequestRate > 0 {
		timed = max(timed, time.Duration(float64(p.NumPrompts)/p.RequestRate*float64(time.Second)))
	}
	warm := time.Duration(math.Ceil(float64(warmup)/float64(max(p.Concurrency, 1)))) * request
	return warm + time.Duration(repeats)*timed
}

// line is the estimate as one line, e.g. "estimated 1h20m, 2.7 GPU-hours
// (assuming ...)"; without GPU time (the simulator, external servers) the
// GPU-hours are left out.
func (e estimate) line() string {
	if e.gpuHours == 0 {
		return fmt.Sprintf("estimated %s (%s)", roundEstimate(e.duration), estimateAssumption())
	}
	return fmt.Sprintf("estimated %s, %s GPU-hours (%s)", roundEstimate(e.duration), formatHours(e.gpuHours), estimateAssumption())
}

// warnings says when the estimate passes a threshold.
func (e estimate) warnings() []string {
	var out []string
	if e.duration > warnSweepDuration {
		out = append(out, fmt.Sprintf("the sweep is estimated at %s, above %.0f h (GitHub's default job timeout); is the grid meant? (%s)", roundEstimate(e.duration), warnSweepDuration.Hours(), estimateAssumption()))
	}
	if e.gpuHours > warnGPUHours {
		out = append(out, fmt.Sprintf("the sweep is estimated at %s GPU-hours, above %.0f; is the grid meant? (%s)", formatHours(e.gpuHours), warnGPUHours, estimateAssumption()))
	}
	return out
}

// roundEstimate rounds a duration to what an estimate can claim: minutes,
// or hours and days past a day.
func roundEstimate(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < 24*time.Hour:
		return d.Round(time.Minute).String()
	default:
		return fmt.Sprintf("%.0f days", d.Hours()/24)
	}
}

// formatHours prints GPU-hours with two significant figures below 10.
func formatHours(h float64) string {
	if h < 10 {
		return fmt.Sprintf("%.2g", h)
	}
	return fmt.Sprintf("%.0f", h)
}

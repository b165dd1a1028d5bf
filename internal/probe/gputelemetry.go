package probe

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ThrottledMinPct is the share of a point's samples, in percent, with a
// thermal or power throttle from which a GPU counts as throttled.
const ThrottledMinPct = 10.0

// GPUTelemetry is the vllm_bench.gpu_telemetry block of a result file:
// nvidia-smi samples taken while the point ran, summarised per GPU.
type GPUTelemetry struct {
	// IntervalMs is the sampling period (nvidia-smi -lms).
	IntervalMs int `json:"interval_ms"`
	// ReasonsField is the throttle-reasons field the driver answered:
	// clocks_event_reasons.active, or clocks_throttle_reasons.active on
	// drivers before 535.
	ReasonsField string `json:"reasons_field,omitempty"`
	// VisibleDevices is the server's CUDA_VISIBLE_DEVICES that chose the
	// GPUs; empty means all of them.
	VisibleDevices string `json:"visible_devices,omitempty"`
	// Note says why the block is empty or partial.
	Note string `json:"note,omitempty"`
	// BadRows counts output lines that were not a telemetry row.
	BadRows int `json:"bad_rows,omitempty"`
	// LongLines counts output lines too long to be a row, which were
	// skipped.
	LongLines int        `json:"long_lines,omitempty"`
	GPUs      []GPUStats `json:"gpus"`
}

// GPUStats summarises one GPU's samples. A quantity the GPU does not report
// is left out.
type GPUStats struct {
	Index   int    `json:"index"`
	UUID    string `json:"uuid"`
	Name    string `json:"name"`
	Samples int    `json:"samples"`

	SMClockMHz     *Spread `json:"sm_clock_mhz,omitempty"`
	MemClockMHz    *Spread `json:"mem_clock_mhz,omitempty"`
	PowerDrawW     *Spread `json:"power_draw_w,omitempty"`
	PowerLimitW    *Spread `json:"power_limit_w,omitempty"`
	TemperatureC   *Spread `json:"temperature_c,omitempty"`
	UtilizationPct *Spread `json:"utilization_pct,omitempty"`
	MemoryUsedMiB  *Spread `json:"memory_used_mib,omitempty"`

	// Shares of the samples, in percent, whose throttle reasons held a
	// thermal slowdown (SW or HW thermal), a power limit (SW power cap or
	// HW power brake), HW slowdown, and any of these (ThrottlePct).
	ThermalThrottlePct float64 `json:"thermal_throttle_pct"`
	PowerThrottlePct   float64 `json:"power_throttle_pct"`
	HWSlowdownPct      float64 `json:"hw_slowdown_pct"`
	ThrottlePct        float64 `json:"throttle_pct"`
	// ReasonsPct is, per reason seen (gpu_idle, sw_power_cap,
	// hw_thermal_slowdown, ...), the share of samples it was active in.
	ReasonsPct map[string]float64 `json:"reasons_pct,omitempty"`
}

// Spread is the minimum, median and maximum of a quantity over the samples.
type Spread struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// Throttled reports whether the GPU spent at least ThrottledMinPct of the
// point under a thermal or power throttle.
func (g GPUStats) Throttled() bool { return g.ThrottlePct >= ThrottledMinPct }

// ThrottleReason says, for a throttled GPU, which throttle held it for how
// much of the point against the ThrottledMinPct bound, e.g. "GPU 0
// throttled (thermal) 100 % of the point >= 10 %"; "" when it was not
// throttled.
func (g GPUStats) ThrottleReason() string {
	if !g.Throttled() {
		return ""
	}
	kinds := g.throttleKinds()
	if len(kinds) == 0 {
		kinds = []string{"thermal or power"}
	}
	return fmt.Sprintf("GPU %d throttled (%s) %s of the point >= %s", g.Index, strings.Join(kinds, ", "), fmtPct(g.ThrottlePct), fmtPct(ThrottledMinPct))
}

// throttleKinds names the kinds of throttle that held the GPU for at least
// ThrottledMinPct of the point: "thermal", "power", "HW slowdown" when it
// is neither of the others.
func (g GPUStats) throttleKinds() []string {
	var kinds []string
	if g.ThermalThrottlePct >= ThrottledMinPct {
		kinds = append(kinds, "thermal")
	}
	if g.PowerThrottlePct >= ThrottledMinPct {
		kinds = append(kinds, "power")
	}
	if len(kinds) == 0 && g.HWSlowdownPct >= ThrottledMinPct {
		kinds = append(kinds, "HW slowdown")
	}
	return kinds
}

// summarizeGPUs folds samples into per-GPU statistics, in index order,
// keeping the GPUs that visible (a CUDA_VISIBLE_DEVICES value) names. When
// it names none of them (MIG devices, a bad value), every GPU is kept and
// note says so.
func summarizeGPUs(samples []gpuSample, visible string) (gpus []GPUStats, note string) {
	byIndex := map[int][]gpuSample{}
	for _, s := range samples {
		byIndex[s.index] = append(byIndex[s.index], s)
	}
	indexes := make([]int, 0, len(byIndex))
	for i := range byIndex {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	keep := indexes
	if ids := visibleIDs(visible); len(ids) > 0 {
		keep = nil
		for _, i := range indexes {
			if visibleMatches(ids, i, byIndex[i][0].uuid) {
				keep = append(keep, i)
			}
		}
		if len(keep) == 0 && len(indexes) > 0 {
			keep = indexes
			note = "CUDA_VISIBLE_DEVICES=" + visible + " names none of the GPUs nvidia-smi lists; all are kept"
		}
	}
	for _, i := range keep {
		gpus = append(gpus, summarizeGPU(byIndex[i]))
	}
	return gpus, note
}

func visibleIDs(visible string) []string {
	var ids []string
	for _, id := range strings.Split(visible, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// visibleMatches reports whether a CUDA_VISIBLE_DEVICES entry names the GPU:
// its index, or its UUID or a unique prefix of it (GPU-...).
func visibleMatches(ids []string, index int, uuid string) bool {
	for _, id := range ids {
		if id == strconv.Itoa(index) || strings.HasPrefix(id, "GPU-") && strings.HasPrefix(uuid, id) {
			return true
		}
	}
	return false
}

// summarizeGPU folds one GPU's samples.
func summarizeGPU(samples []gpuSample) GPUStats {
	last := samples[len(samples)-1]
	g := GPUStats{Index: last.index, UUID: last.uuid, Name: last.name, Samples: len(samples)}
	pick := func(f func(gpuSample) float64) *Spread {
		var v []float64
		for _, s := range samples {
			if x := f(s); !math.IsNaN(x) {
				v = append(v, x)
			}
		}
		return spread(v)
	}
	g.SMClockMHz = pick(func(s gpuSample) float64 { return s.smMHz })
	g.MemClockMHz = pick(func(s gpuSample) float64 { return s.memMHz })
	g.PowerDrawW = pick(func(s gpuSample) float64 { return s.powerW })
	g.PowerLimitW = pick(func(s gpuSample) float64 { return s.powerLimitW })
	g.TemperatureC = pick(func(s gpuSample) float64 { return s.temperatureC })
	g.UtilizationPct = pick(func(s gpuSample) float64 { return s.utilizationPct })
	g.MemoryUsedMiB = pick(func(s gpuSample) float64 { return s.memoryUsedMiB })

	var withReasons, thermal, power, slowdown, any int
	counts := make([]int, len(reasonNames))
	for _, s := range samples {
		if !s.reasonsOK {
			continue
		}
		withReasons++
		for i, r := range reasonNames {
			if s.reasons&r.bit != 0 {
				counts[i]++
			}
		}
		if s.reasons&thermalReasons != 0 {
			thermal++
		}
		if s.reasons&powerReasons != 0 {
			power++
		}
		if s.reasons&reasonHWSlowdown != 0 {
			slowdown++
		}
		if s.reasons&throttleReasons != 0 {
			any++
		}
	}
	if withReasons == 0 {
		return g
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(withReasons) }
	g.ThermalThrottlePct, g.PowerThrottlePct, g.HWSlowdownPct, g.ThrottlePct = pct(thermal), pct(power), pct(slowdown), pct(any)
	for i, r := range reasonNames {
		if counts[i] > 0 {
			if g.ReasonsPct == nil {
				g.ReasonsPct = map[string]float64{}
			}
			g.ReasonsPct[r.name] = pct(counts[i])
		}
	}
	return g
}

// spread is nil for no values.
func spread(v []float64) *Spread {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	return &Spread{Min: v[0], Median: median(v), Max: v[len(v)-1]}
}

// median of sorted values: the middle one, or the mean of the two middle
// ones.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

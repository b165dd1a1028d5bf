package report

import (
	"slices"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// Options configure Compare. The zero value gates every run with the
// config's defaults.
type Options struct {
	// Gates holds the gate settings per run name, as the config gives them
	// (an empty Metrics list or a zero Alpha takes the default).
	Gates map[string]config.Gate
	// Default is the gate of runs not in Gates; its zero fields take
	// config.DefaultGateMetrics, config.DefaultTolerance and
	// config.DefaultAlpha.
	Default config.Gate
	// Seed seeds the bootstrap; each cell mixes in its own name, so a cell's
	// interval does not depend on the other cells.
	Seed uint64
	// Resamples is the number of bootstrap resamples (0: the default).
	Resamples int
}

// gate returns the gate settings of a run with defaults filled in.
func (o Options) gate(run string) config.Gate {
	g, ok := o.Gates[run]
	if !ok {
		g = o.Default
		if g.Tolerance == 0 {
			g.Tolerance = config.DefaultTolerance
		}
	}
	if len(g.Metrics) == 0 {
		g.Metrics = slices.Clone(config.DefaultGateMetrics)
	}
	if g.Alpha == 0 {
		g.Alpha = config.DefaultAlpha
	}
	return g
}

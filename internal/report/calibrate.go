package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
)

func calibrationSummary(c *gate.Calibration) string {
	flagged, cells := c.FalseAlarms()
	rate := 0.0
	if cells > 0 {
		rate = float64(flagged) / float64(cells)
	}
	return fmt.Sprintf("A/A calibration of %d runs: %d of %d comparisons flagged (false-alarm rate %.1f%%); gate: %s, tolerance %.3g%%, alpha %.3g; detectable change at %.0f%% power.",
		c.Runs, flagged, cells, 100*rate, strings.Join(c.Gate.Metrics, ", "), 100*c.Gate.Tolerance, c.Gate.Alpha, 100*gate.CalibrationPower)
}

func calibrationRows(c *gate.Calibration) [][]string {
	var rows [][]string
	for _, p := range c.Points {
		for _, m := range p.Metrics {
			rows = append(rows, []string{
				serverTitle(p.Server) + " " + p.Point.Label(), m.Metric, fmtValue(m.Mean),
				fmtShare(m.CV), fmt.Sprintf("%d/%d", m.Flagged, p.Pairs), fmtPct(m.Detectable),
			})
		}
	}
	return rows
}

var calibrationHeader = []string{"point", "metric", "mean", "run-to-run CV", "A/A flagged", "detectable change"}

// CalibrationText renders a calibration for a terminal.
func CalibrationText(c *gate.Calibration) string {
	return calibrationSummary(c) + "\n" + textTable(calibrationHeader, calibrationRows(c))
}

// CalibrationMarkdown renders a calibration as markdown.
func CalibrationMarkdown(c *gate.Calibration) string {
	return "## vllm-bench calibration\n\n" + calibrationSummary(c) + "\n\n" + markdownTable(calibrationHeader, calibrationRows(c))
}

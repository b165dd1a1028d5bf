package app

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// tableRow is one measured point in the table `run` prints at the end.
type tableRow struct {
	server string
	point  string
	file   *results.File
	note   string
}

func rowOf(s sweep.ServerConfig, p sweep.Point, f *results.File, note string) tableRow {
	return tableRow{server: fmt.Sprintf("%s TP%d DP%d PP%d", s.Run.Name, s.TP, s.DP, s.PP), point: p.Label(), file: f, note: note}
}

// printRunTable prints one row per point: latencies in milliseconds,
// throughputs per second, and the failed request count.
func printRunTable(w io.Writer, rows []tableRow) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "server\tpoint\tTTFT p50\tTTFT p99\tTPOT p50\tITL p50\tE2EL p50\tout tok/s\treq/s\tfailed\t")
	for _, r := range rows {
		f := r.file
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.2f\t%.2f\t%.0f\t%.0f\t%.2f\t%d\t%s\n",
			r.server, r.point, f.MedianTTFTMs, f.P99TTFTMs, f.MedianTPOTMs, f.MedianITLMs, f.MedianE2ELMs,
			f.OutputThroughput, f.RequestThroughput, f.Failed, r.note)
	}
	tw.Flush()
	fmt.Fprintln(w, "(latencies in ms)")
}

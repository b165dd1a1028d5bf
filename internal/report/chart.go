package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// MaxCharts is the most throughput charts a markdown report draws.
const MaxCharts = 12

// series is output throughput against concurrency for one server and one
// setting of the other point dimensions.
type series struct {
	title      string
	conc       []int
	base, curr []float64
}

// chartSeries returns the series of every group, in report order, keeping
// only those with two concurrencies or more.
func (r *Report) chartSeries() []series {
	var out []series
	for _, g := range r.Groups {
		type key struct {
			ctx, p, o int
			rate      float64
		}
		byKey := map[key][]*gate.Row{}
		var keys []key
		for _, row := range g.Rows {
			if math.IsNaN(row.CurThroughput) {
				continue
			}
			k := key{row.Point.ContextSize, row.Point.NumPrompts, row.Point.OutputLen, row.Point.RequestRate}
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], row)
		}
		for _, k := range keys {
			rows := byKey[k]
			if len(rows) < 2 {
				continue
			}
			sort.Slice(rows, func(i, j int) bool { return rows[i].Point.Concurrency < rows[j].Point.Concurrency })
			s := series{title: fmt.Sprintf("%s · CTX%d P%d O%d", serverTitle(g.Server), k.ctx, k.p, k.o)}
			if k.rate > 0 {
				s.title += " R" + sweep.FormatRate(k.rate)
			}
			for _, row := range rows {
				s.conc = append(s.conc, row.Point.Concurrency)
				s.base = append(s.base, row.BaseThroughput)
				s.curr = append(s.curr, row.CurThroughput)
			}
			out = append(out, s)
		}
	}
	return out
}

// mdCharts renders mermaid xychart-beta charts of output throughput against
// concurrency, baseline and current, one per server and context size.
func (r *Report) mdCharts() string {
	all := r.chartSeries()
	if len(all) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Output throughput against concurrency\n\n")
	b.WriteString("In each chart the first line is the baseline and the second the current run (a single line: no complete baseline).\n\n")
	for i, s := range all {
		if i == MaxCharts {
			fmt.Fprintf(&b, "_%d more charts not drawn._\n", len(all)-MaxCharts)
			break
		}
		b.WriteString(mermaidChart(s))
	}
	return b.String()
}

// mermaidChart renders one series as a mermaid xychart-beta block.
func mermaidChart(s series) string {
	var b strings.Builder
	b.WriteString("```mermaid\nxychart-beta\n")
	fmt.Fprintf(&b, "    title \"%s\"\n", s.title)
	xs := make([]string, len(s.conc))
	for i, c := range s.conc {
		xs[i] = strconv.Itoa(c)
	}
	fmt.Fprintf(&b, "    x-axis \"concurrency\" [%s]\n", strings.Join(xs, ", "))
	b.WriteString("    y-axis \"output tok/s\"\n")
	if complete(s.base) {
		fmt.Fprintf(&b, "    line [%s]\n", joinValues(s.base))
	}
	fmt.Fprintf(&b, "    line [%s]\n", joinValues(s.curr))
	b.WriteString("```\n\n")
	return b.String()
}

func complete(vs []float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) {
			return false
		}
	}
	return true
}

func joinValues(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strings.Join(parts, ", ")
}

package report

import (
	"fmt"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// MaxMarkdownBytes bounds Markdown's output. GitHub caps a comment at 65,536
// characters; the margin leaves room for the github stage's marker and
// header. The report summarises (fewer rows, then no details) to fit, and
// never cuts a table in the middle.
const MaxMarkdownBytes = 60000

// Markdown renders the report for the job summary and the PR comment, the
// answer first: a headline that names what failed and a line on what the
// verdict rests on; then charts of what changed; then, per server
// configuration, a table of the points that did not stay unchanged; and a
// collapsed block with every point, metric, interval and p-value. It stays
// under MaxMarkdownBytes.
func (r *Report) Markdown() string {
	l := r.labeler()
	answer := r.mdAnswer(l)
	var tables string
	for _, limit := range []int{-1, 40, 10, 3, 0} {
		tables = r.mdTables(l, limit)
		if len(answer)+len(tables) <= MaxMarkdownBytes*2/3 {
			break
		}
	}
	out := answer
	if charts := r.mdCharts(l); charts != "" && len(answer)+len(charts)+len(tables) <= MaxMarkdownBytes*3/4 {
		out += charts
	}
	out += tables + r.mdSuspect(l)
	for _, full := range []bool{true, false} {
		if d := r.mdDetails(l, full); len(out)+len(d) <= MaxMarkdownBytes {
			return out + d
		}
	}
	return out + "_The per-metric details were left out to fit GitHub's size limit; run `vllm-bench compare --format text` or `--format json` for every value._\n"
}

// labeler names the report's points by what differs between them.
func (r *Report) labeler() labeler {
	var points []sweep.Point
	for _, row := range r.Rows() {
		points = append(points, row.Point)
	}
	return newLabeler(points)
}

// mdCharts renders the charts of what changed, at most MaxCharts.
func (r *Report) mdCharts(l labeler) string {
	all := r.charts(l)
	if len(all) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### What changed\n\n")
	for i, ch := range all {
		if i == MaxCharts {
			fmt.Fprintf(&b, "_%d more charts not drawn._\n\n", len(all)-MaxCharts)
			break
		}
		b.WriteString(ch.mermaid())
	}
	return b.String()
}

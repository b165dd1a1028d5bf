package report

import (
	"fmt"
	"strings"
)

// MaxMarkdownBytes bounds Comment's output. GitHub caps a comment at
// 65,536 characters; the margin leaves room for the github stage's marker
// and footer. The comment summarises (fewer details, then fewer rows) to
// fit, never cuts a table in the middle, and says where the full report is.
const MaxMarkdownBytes = 60000

// Markdown renders the whole report, for the job summary and the report
// file, in the order a reviewer reads it: the headline and the lines on
// what the verdict rests on; per server configuration, the compact table
// of the points that did not stay unchanged; charts of what changed; the
// suspect measurements; and a collapsed block with every point, metric,
// interval and p-value. Its size is not bounded: Comment is the version
// that fits a PR comment.
func (r *Report) Markdown() string {
	l := r.labeler()
	return r.mdAnswer(l) + r.mdTables(l, -1) + r.mdCharts(l) + r.mdSuspect(l) + r.mdDetails(l, everyCell)
}

// FullReport says where the reader of a trimmed comment finds the whole
// report.
type FullReport struct {
	// RunURL links to the workflow run, whose job summary holds the whole
	// report; "" when not known.
	RunURL string
	// Files are the paths of the files that hold it (the markdown and the
	// JSON report); none when they were not written.
	Files []string
}

// note is the line that ends a trimmed comment.
func (f FullReport) note() string {
	summary := "the job summary of the workflow run"
	if f.RunURL != "" {
		summary = fmt.Sprintf("the job summary of the [workflow run](%s)", f.RunURL)
	}
	s := "_Trimmed to fit GitHub's comment size limit: " + summary + " has the full report, every point and metric with intervals and p-values"
	if len(f.Files) > 0 {
		files := make([]string, len(f.Files))
		for i, p := range f.Files {
			files[i] = "`" + strings.ReplaceAll(p, "`", "'") + "`"
		}
		s += "; so do " + joinWords(files) + " in the run's results"
	}
	return s + "._\n"
}

// Comment renders the report for the PR comment: Markdown when it fits in
// MaxMarkdownBytes; else, with trimmed true, the same sections made
// smaller until they fit (table rows, most severe kept, and the charts
// when the tables are long; in the details, the unchanged points left
// out, then all but the regressions and improvements, then all details)
// and a last line that says where the full report is.
func (r *Report) Comment(full FullReport) (md string, trimmed bool) {
	if md := r.Markdown(); len(md) <= MaxMarkdownBytes {
		return md, false
	}
	l := r.labeler()
	answer, note, suspect := r.mdAnswer(l), full.note(), r.mdSuspect(l)
	var tables string
	for _, limit := range []int{-1, 40, 10, 3, 0} {
		tables = r.mdTables(l, limit)
		if len(answer)+len(tables)+len(note) <= MaxMarkdownBytes*2/3 {
			break
		}
	}
	out := answer + tables
	if charts := r.mdCharts(l); len(out)+len(charts)+len(suspect)+len(note) <= MaxMarkdownBytes*3/4 {
		out += charts
	}
	out += suspect
	for _, level := range []detailLevel{everyCell, shownPoints, changedCells} {
		if d := r.mdDetails(l, level); len(out)+len(d)+len(note) <= MaxMarkdownBytes {
			return out + d + "\n" + note, true
		}
	}
	return out + note, true
}

package report

import (
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// markdownTable renders a GitHub-flavoured markdown table.
// Pipes in cells are escaped so they cannot split a cell.
func markdownTable(header []string, rows [][]string) string {
	esc := strings.NewReplacer("|", `\|`)
	h := make([]string, len(header))
	for i, c := range header {
		h[i] = esc.Replace(c)
	}
	rs := make([][]string, len(rows))
	for i, row := range rows {
		rs[i] = make([]string, len(row))
		for j, c := range row {
			rs[i][j] = esc.Replace(c)
		}
	}
	return renderTable(renderer.NewMarkdown(), h, rs)
}

// textTable renders a plain ASCII table for terminals.
func textTable(header []string, rows [][]string) string {
	r := renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})
	return renderTable(r, header, rows)
}

func renderTable(r tw.Renderer, header []string, rows [][]string) string {
	var b strings.Builder
	t := tablewriter.NewTable(&b,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	t.Header(header)
	for _, row := range rows {
		// Append fails only for rows of a type it cannot convert; []string
		// always converts.
		_ = t.Append(row)
	}
	_ = t.Render()
	return b.String()
}

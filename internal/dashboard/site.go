package dashboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// Site files, relative to the output directory.
const (
	// IndexFile is the page.
	IndexFile = "index.html"
	// StyleFile is its stylesheet.
	StyleFile = "assets/style.css"
)

//go:embed assets/style.css
var styleCSS []byte

//go:embed assets/index.html.tmpl
var indexTemplate string

// Options configures Write. The zero value links no commits.
type Options struct {
	// RepoURL is the repository that commits link to, e.g.
	// https://github.com/owner/repo; empty links none. Only http and https
	// URLs are accepted.
	RepoURL string
	// Title heads the page; empty means "vLLM benchmark trends".
	Title string
}

// Write writes the site of the analysis into dir (created when missing):
// index.html and assets/style.css. Existing files of those names are
// replaced; nothing else in dir is touched.
func Write(dir string, a *trend.Analysis, opts Options) error {
	if opts.RepoURL != "" {
		u, err := url.Parse(opts.RepoURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("repository URL %q: must be an http(s) URL such as https://github.com/owner/repo", opts.RepoURL)
		}
		opts.RepoURL = strings.TrimSuffix(opts.RepoURL, "/")
	}
	page, err := render(a, opts)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(StyleFile)), 0o755); err != nil {
		return fmt.Errorf("create site directory %q: %w", dir, err)
	}
	for name, data := range map[string][]byte{IndexFile: page, StyleFile: styleCSS} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %q: %w", path, err)
		}
	}
	return nil
}

// page is what the template renders.
type page struct {
	Title    string
	Headline string
	Method   string
	Key      chartKey
	Runs     []runView
}

// chartKey is the colours of the charts, for the legend.
type chartKey struct {
	Run, Level string
	BandSDs    float64
	MinSegment int
}

// runView is one run: its newest run's table, the charts of the series
// with a change point, and the other charts by server.
type runView struct {
	Name string
	ID   string
	Span string
	// Decisions are the runs the gate failed and those accepted on
	// purpose, in words (trend.Run.Decisions).
	Decisions []string
	Latest    latestView
	Changed   []chartView
	Servers   []serverView
}

// latestView is the newest run's table, by server.
type latestView struct {
	SHA     string
	SHALink string
	Date    string
	Servers []serverRows
}

// serverRows is one server configuration's rows of the newest run's table.
type serverRows struct {
	Name string
	Rows []latestRow
}

// latestRow is one point and metric of the newest run.
type latestRow struct {
	Label, Metric      string
	Value, Spread      string
	Level, Band, Delta string
	Shifts             string
	ShiftClass         string
}

// serverView is the charts of one server configuration.
type serverView struct {
	Name   string
	ID     string
	Charts []chartView
}

// chartView is one chart with its caption.
type chartView struct {
	Title string
	SVG   template.HTML
}

// render builds the page.
func render(a *trend.Analysis, opts Options) ([]byte, error) {
	tmpl, err := template.New("index").Parse(indexTemplate)
	if err != nil {
		return nil, fmt.Errorf("dashboard template: %w", err)
	}
	p := page{
		Title: opts.Title, Headline: a.Headline(), Method: a.Method(),
		Key: chartKey{Run: trend.RunColour, Level: trend.LevelColour, BandSDs: trend.NoiseBandSDs, MinSegment: a.MinSegment},
	}
	if p.Title == "" {
		p.Title = "vLLM benchmark trends"
	}
	for _, r := range a.Runs {
		p.Runs = append(p.Runs, runViewOf(r, opts.RepoURL))
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("dashboard template: %w", err)
	}
	return []byte(b.String()), nil
}

// runViewOf lays out one run: the table by server (in order of first
// appearance, the rows with a change point first in each), the charts of
// the series with a change point, then per server the charts of the rest.
func runViewOf(r trend.Run, repoURL string) runView {
	v := runView{Name: r.Name, ID: "run-" + anchor(r.Name), Span: r.Span(), Decisions: r.Decisions()}
	if n := len(r.History); n > 0 {
		last := r.History[n-1]
		v.Latest = latestView{SHA: trend.ShortSHA(last.SHA), SHALink: commitURL(repoURL, last.SHA), Date: trend.Day(last.Date)}
	}
	byServer := map[string]int{}
	for _, changed := range []bool{true, false} {
		for _, s := range r.Series {
			if (len(s.Shifts) > 0) != changed {
				continue
			}
			i, ok := byServer[s.Server]
			if !ok {
				i = len(v.Servers)
				byServer[s.Server] = i
				v.Servers = append(v.Servers, serverView{Name: s.Server, ID: "server-" + anchor(s.Server)})
				v.Latest.Servers = append(v.Latest.Servers, serverRows{Name: s.Server})
			}
			v.Latest.Servers[i].Rows = append(v.Latest.Servers[i].Rows, latestRowOf(s, r.History))
			c := chart{history: r.History, series: s}
			if changed {
				c.title = fmt.Sprintf("%s · %s · %s", s.Server, s.Label, s.Title())
				v.Changed = append(v.Changed, chartView{Title: c.title, SVG: template.HTML(c.svg(repoURL))})
				continue
			}
			c.title = fmt.Sprintf("%s · %s", s.Label, s.Title())
			v.Servers[i].Charts = append(v.Servers[i].Charts, chartView{Title: c.title, SVG: template.HTML(c.svg(repoURL))})
		}
	}
	return v
}

// latestRowOf describes a series at the newest run of the history: its
// value and spread, the level since its last change point with the noise
// band, where the newest value lies against them, and the change points.
// Nothing here is coloured but the change points: a newest run outside
// the band is worth a look, not a verdict.
func latestRowOf(s trend.Series, history []trend.RunInfo) latestRow {
	row := latestRow{Label: s.Label, Metric: s.Title(), Value: "not measured"}
	if l, ok := s.Level(history, len(history)-1); ok {
		row.Value = trend.FormatValue(l.Newest.Value) + " " + s.Unit
		if l.Newest.Spread > 0 {
			row.Spread = "± " + trend.FormatValue(l.Newest.Spread)
		}
		row.Level, row.Band, row.Delta = levelText(l)
	}
	var parts []string
	for _, sh := range s.Shifts {
		word := "better"
		if sh.Regression {
			word = "worse"
			row.ShiftClass = "worse"
		}
		parts = append(parts, fmt.Sprintf("%s %s, %s, %s", trend.FormatChange(sh.Change), word, sh.FirstChanged(), trend.Day(sh.FirstAfter.Date)))
	}
	row.Shifts = strings.Join(parts, "; ")
	if row.Shifts == "" {
		row.Shifts = "none"
	}
	return row
}

// levelText describes the level of a series (the mean of its runs since
// the last change point), its noise band and the newest value against them.
func levelText(l trend.Level) (level, band, delta string) {
	switch l.Runs {
	case 0:
		return "n/a (first run of the level)", "", ""
	case 1:
		level = fmt.Sprintf("%s (1 run since %s)", trend.FormatValue(l.Mean), trend.ShortSHA(l.Since.SHA))
	default:
		level = fmt.Sprintf("%s (%d runs since %s)", trend.FormatValue(l.Mean), l.Runs, trend.ShortSHA(l.Since.SHA))
	}
	delta = trend.FormatChange(l.Change)
	lo, hi, ok := l.Band()
	if !ok {
		return level, "n/a (one run)", delta
	}
	band = trend.FormatValue(lo) + " – " + trend.FormatValue(hi)
	switch pos, _ := l.Position(); pos {
	case -1:
		delta += ", below the band"
	case 1:
		delta += ", above the band"
	default:
		delta += ", within the band"
	}
	return level, band, delta
}

// commitURL links a commit; empty without a repository or a hash.
func commitURL(repoURL, sha string) string {
	if repoURL == "" || sha == "" {
		return ""
	}
	return repoURL + "/commit/" + url.PathEscape(sha)
}

// anchor turns a name into an HTML id fragment.
func anchor(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, name)
}

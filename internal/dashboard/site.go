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
	Runs     []runView
}

// runView is one run: its latest table and a chart section per server.
type runView struct {
	Name    string
	ID      string
	Span    string
	Latest  latestView
	Servers []serverView
}

// latestView is the newest run's table.
type latestView struct {
	SHA     string
	SHALink string
	Date    string
	Rows    []latestRow
}

// latestRow is one point and metric of the newest run.
type latestRow struct {
	Server, Label, Metric, Unit string
	Value, Spread, Previous     string
	Change                      string
	ChangeClass                 string
	Shifts                      string
	ShiftClass                  string
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
	p := page{Title: opts.Title, Headline: a.Headline(), Method: a.Method()}
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

// runViewOf lays out one run: its servers in order of first appearance,
// one chart per point and metric.
func runViewOf(r trend.Run, repoURL string) runView {
	v := runView{Name: r.Name, ID: "run-" + anchor(r.Name), Span: r.Span()}
	if n := len(r.History); n > 0 {
		last := r.History[n-1]
		v.Latest = latestView{SHA: trend.ShortSHA(last.SHA), SHALink: commitURL(repoURL, last.SHA), Date: trend.Day(last.Date)}
	}
	byServer := map[string]int{}
	for _, s := range r.Series {
		v.Latest.Rows = append(v.Latest.Rows, latestRowOf(s, len(r.History)-1))
		i, ok := byServer[s.Server]
		if !ok {
			i = len(v.Servers)
			byServer[s.Server] = i
			v.Servers = append(v.Servers, serverView{Name: s.Server, ID: "server-" + anchor(s.Server)})
		}
		c := chart{title: fmt.Sprintf("%s %s · %s", s.Server, s.Label, s.Metric), history: r.History, series: s}
		v.Servers[i].Charts = append(v.Servers[i].Charts, chartView{
			Title: fmt.Sprintf("%s · %s (%s)", s.Label, s.Metric, s.Unit),
			SVG:   template.HTML(c.svg(repoURL)),
		})
	}
	return v
}

// latestRowOf describes a series at the newest run of the history (index
// newest): its value, spread, the run before and the change points.
func latestRowOf(s trend.Series, newest int) latestRow {
	row := latestRow{Server: s.Server, Label: s.Label, Metric: s.Metric, Unit: s.Unit, Value: "not measured", Spread: "", Previous: "", Change: ""}
	n := len(s.Values)
	if n > 0 && s.Values[n-1].Run == newest {
		last := s.Values[n-1]
		row.Value = trend.FormatValue(last.Value)
		if last.Spread > 0 {
			row.Spread = "± " + trend.FormatValue(last.Spread)
		}
		if n > 1 {
			prev := s.Values[n-2]
			row.Previous = trend.FormatValue(prev.Value)
			row.Change = "n/a" // no relative change from zero
			if prev.Value != 0 {
				change := (last.Value - prev.Value) / prev.Value
				row.Change = trend.FormatChange(change)
				if (change > 0) == s.LowerIsBetter && change != 0 {
					row.ChangeClass = "worse"
				} else if change != 0 {
					row.ChangeClass = "better"
				}
			}
		}
	}
	var parts []string
	for _, sh := range s.Shifts {
		word := "better"
		if sh.Regression {
			word = "worse"
			row.ShiftClass = "worse"
		}
		parts = append(parts, fmt.Sprintf("%s (%s) at %s", trend.FormatChange(sh.Change), word, trend.ShortSHA(sh.FirstAfter.SHA)))
	}
	row.Shifts = strings.Join(parts, "; ")
	if row.Shifts == "" {
		row.Shifts = "none"
	}
	return row
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

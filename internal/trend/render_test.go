package trend

import (
	"encoding/json"
	"strings"
	"testing"
)

func analysis(t *testing.T) (*Analysis, string) {
	t.Helper()
	entries := history(1, 14, 8, 1.10)
	a, err := Analyze(writeHistory(t, "llama", entries), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, entries[8].GitSHA
}

func TestText(t *testing.T) {
	a, sha := analysis(t)
	text := a.Text()
	for _, want := range []string{
		"trend: 2 change points (2 for the worse)",
		"llama: 14 runs, 2026-11-01 to 2026-11-14 on " + h100,
		"median_tpot_ms", "output_throughput", "regression",
		"first run after " + sha[:7] + " (2026-11-09)",
		"bisect " + ShortSHA(a.Runs[0].History[7].SHA) + ".." + sha[:7],
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "median_ttft_ms") {
		t.Errorf("text names TTFT, which did not change:\n%s", text)
	}
}

func TestMarkdown(t *testing.T) {
	a, sha := analysis(t)
	md := a.Markdown("https://github.com/o/r")
	before := a.Runs[0].History[7].SHA
	for _, want := range []string{
		"## Trend: 2 change points (2 for the worse)",
		"| llama_TP1_DP1 | CTX512 C8 P100 O128 | median_tpot_ms | :red_circle: +",
		"[`" + sha[:7] + "`](https://github.com/o/r/commit/" + sha + ") 2026-11-09",
		"(https://github.com/o/r/compare/" + before + "..." + sha + ")",
		"```mermaid\nxychart-beta\n",
		`x-axis "run" [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]`,
		"title \"llama · median_tpot_ms (ms) · change +",
		"at run 9\"",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if got := strings.Count(md, "```mermaid"); got != 3 {
		t.Errorf("%d charts, want one per gated metric (3)", got)
	}
	// Without a repository the commits are plain.
	if md := a.Markdown(""); strings.Contains(md, "](") || !strings.Contains(md, "`"+sha[:7]+"`") {
		t.Errorf("markdown without a repository:\n%s", md)
	}
}

func TestJSON(t *testing.T) {
	a, sha := analysis(t)
	data, err := a.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ChangePoints   int `json:"change_points"`
		NewRegressions int `json:"new_regressions"`
		Runs           []struct {
			Series []struct {
				Metric string `json:"metric"`
				Shifts []struct {
					Change     *float64 `json:"change"`
					CILo       *float64 `json:"ci_lo"`
					CIHi       *float64 `json:"ci_hi"`
					FirstAfter struct {
						SHA string `json:"sha"`
					} `json:"first_after"`
				} `json:"shifts"`
			} `json:"series"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if got.ChangePoints != 2 || got.NewRegressions != 0 {
		t.Errorf("counts %d %d", got.ChangePoints, got.NewRegressions)
	}
	shifts := 0
	for _, s := range got.Runs[0].Series {
		for _, sh := range s.Shifts {
			shifts++
			if sh.FirstAfter.SHA != sha || sh.Change == nil || sh.CILo == nil || sh.CIHi == nil || *sh.CILo > *sh.Change || *sh.CIHi < *sh.Change {
				t.Errorf("%s: shift %+v", s.Metric, sh)
			}
		}
	}
	if shifts != 2 {
		t.Errorf("%d shifts in JSON, want 2:\n%s", shifts, data)
	}
}

func TestMarkdownNoHistory(t *testing.T) {
	a := &Analysis{}
	if md := a.Markdown(""); !strings.Contains(md, "No run has a history yet") {
		t.Errorf("markdown:\n%s", md)
	}
}

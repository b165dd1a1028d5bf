package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate/gatetest"
)

// A start row reads "server start" wherever a point's label goes, and
// leaves the points' own labels as they were.
func TestStartRowIsNamedForTheStart(t *testing.T) {
	var pairs []baseline.Pair
	for _, conc := range []int{8, 32} {
		s := gatetest.Spec{Run: "llama", Ctx: 512, Conc: conc, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 60, Seed: uint64(conc)}
		pairs = append(pairs, gatetest.Pair(s, &s, nil))
	}
	srv := pairs[0].Server()
	start := baseline.StartPair{Server: srv, Cache: baseline.CacheCold, Current: []float64{80}, Baseline: []float64{30}}
	gated := gate.Defaults()
	gated.Metrics = append(gated.Metrics, gate.StartupSeconds)
	withStart := New(gate.CompareWithStarts(pairs, []baseline.StartPair{start}, gate.Options{Default: &gated, Seed: 1}))
	without := New(gate.Compare(pairs, gate.Options{Seed: 1}))

	if got, want := withStart.labeler(), without.labeler(); got.shared != want.shared || strings.Join(got.varying, ",") != strings.Join(want.varying, ",") {
		t.Errorf("labeler with a start row %+v, without %+v: the start row changed the points' names", got, want)
	}
	md, text := withStart.Markdown(), withStart.Text()
	for name, out := range map[string]string{"markdown": md, "text": text} {
		if strings.Contains(out, "CTX0") || !strings.Contains(out, startLabel) {
			t.Errorf("%s names the start row by its empty point or not at all:\n%s", name, out)
		}
	}
	if !strings.Contains(text, "cold start, against the newest cold start on record") {
		t.Errorf("text does not say which starts were compared:\n%s", text)
	}
	ann := withStart.Annotations()
	if len(ann) != 1 || !strings.Contains(ann[0], startLabel+": startup_seconds regressed") {
		t.Errorf("annotations %q, want the start's regression", ann)
	}
	js, err := withStart.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Points []struct {
			Start bool `json:"server_start"`
			Cells []struct {
				Metric string `json:"metric"`
			} `json:"cells"`
		} `json:"points"`
	}
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Points) != 3 || !out.Points[0].Start || out.Points[1].Start || out.Points[0].Cells[0].Metric != gate.StartupSeconds {
		t.Errorf("JSON points %+v, want the start row first and marked", out.Points)
	}
	if s := AcceptedSection("maintainer", "slower start on purpose", []*gate.Report{withStart.Report}); !strings.Contains(s, "llama TP1 · "+startLabel+" · startup") {
		t.Errorf("accepted section does not name the start:\n%s", s)
	}
}

// A start not comparable for its cache state does not make the report
// read as if its points were measured with other settings.
func TestUnlikeStartIsNotStaleSettings(t *testing.T) {
	s := gatetest.Spec{Run: "llama", Ctx: 512, Conc: 8, GPU: gpu, TTFTMs: 50, TPOTMs: 9, OutputTokS: 900, N: 60, Seed: 1}
	start := baseline.StartPair{Server: s.Server(), Cache: baseline.CacheWarm, Current: []float64{10}, OtherCache: []string{baseline.CacheCold}}
	gated := gate.Defaults()
	gated.Metrics = []string{gate.StartupSeconds}
	r := New(gate.CompareWithStarts([]baseline.Pair{gatetest.Pair(s, nil, nil)}, []baseline.StartPair{start}, gate.Options{Default: &gated}))
	if head := r.headline(r.labeler()); strings.Contains(head, "other settings") {
		t.Errorf("headline %q blames the settings for a warm start against cold ones", head)
	}
	if o := gate.Combine([]*gate.Report{r.Report}, nil); o.NothingComparable() || o.Compared != 0 {
		t.Errorf("combined %+v: the start counted as a point compared", o)
	}
}

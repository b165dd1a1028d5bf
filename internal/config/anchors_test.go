package config

import (
	"errors"
	"strings"
	"testing"
)

// anchored is a config whose second run reuses the first run's serve and
// bench mappings through an anchor, a merge key and a plain alias.
const anchored = `runs:
  - name: base
    engine: sim
    serve: &serve
      model_path: m
      port: 8100
      dtype: bfloat16
      tp_dp_pairs: [{tp: 1}]
    bench: &bench
      context_size: [512]
      concurrency: [4]
      num_prompts: [10]
      output_len: [16]
  - name: other-port
    engine: sim
    serve:
      <<: *serve
      port: 8200
    bench: *bench
`

func TestParseAnchorsAndMergeKeys(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(anchored))
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.Runs[0], cfg.Runs[1]
	if b.Serve.Port != 8200 || a.Serve.Port != 8100 {
		t.Errorf("ports = %d, %d; want 8100 and the override 8200", a.Serve.Port, b.Serve.Port)
	}
	if b.Serve.ModelPath != "m" || b.Serve.Dtype != "bfloat16" || len(b.Serve.TPDPPairs) != 1 {
		t.Errorf("merged serve = %+v, want the anchor's model_path, dtype and tp_dp_pairs", b.Serve)
	}
	if len(b.Bench.ContextSize) != 1 || b.Bench.ContextSize[0] != 512 || b.Bench.NumPrompts[0] != 10 {
		t.Errorf("aliased bench = %+v", b.Bench)
	}
}

// TestParseMergedErrorLines checks that a problem in a merged or aliased
// value is reported at the line where the anchored mapping writes it, for
// every run that uses it.
func TestParseMergedErrorLines(t *testing.T) {
	src := strings.Replace(anchored, "dtype: bfloat16", "dtype: fp7", 1)
	src = strings.Replace(src, "num_prompts: [10]", "num_prompts: [0]", 1)
	want := []string{
		"c.yaml:7: runs[0].serve.dtype: must be one of",
		"c.yaml:7: runs[1].serve.dtype: must be one of",
		"c.yaml:12: runs[0].bench.num_prompts[0]: must be >= 1, got 0",
		"c.yaml:12: runs[1].bench.num_prompts[0]: must be >= 1, got 0",
	}
	assertErrors(t, src, want)
}

func TestParseMergeKeyRules(t *testing.T) {
	cases := []struct {
		name string
		from string // replaced in anchored
		to   string
		want []string // substrings of the error; empty: no error
	}{
		{"own key wins over a merged one, wherever it stands", "      <<: *serve\n      port: 8200\n", "      port: 8200\n      <<: *serve\n", nil},
		{"first of a merged list wins", "      <<: *serve\n      port: 8200\n", "      <<: [{port: 8300}, *serve]\n", nil},
		{"own key given twice", "      port: 8200\n", "      port: 8200\n      port: 8201\n", []string{"c.yaml:19: runs[1].serve.port: key given twice"}},
		{"merge of a scalar", "      <<: *serve\n", "      <<: 5\n", []string{`c.yaml:17: runs[1].serve.<<: a merge key takes a mapping, an alias of one (<<: *name) or a list of them, got "5"`}},
		{"merge of an aliased list", "      <<: *serve\n", "      <<: *pairs\n", []string{"c.yaml:17: runs[1].serve.<<: a merge key takes a mapping"}},
		{"unknown key in the merged mapping", "      dtype: bfloat16\n", "      dtype: bfloat16\n      dtpye: half\n", []string{"c.yaml:8: runs[0].serve.dtpye: unknown key", "c.yaml:8: runs[1].serve.dtpye: unknown key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(anchored, c.from, c.to, 1)
			src = strings.Replace(src, "tp_dp_pairs: [{tp: 1}]", "tp_dp_pairs: &pairs [{tp: 1}]", 1)
			if !strings.Contains(src, c.to) {
				t.Fatalf("the case does not apply: %q not found", c.from)
			}
			if c.want == nil {
				cfg, err := Parse("c.yaml", []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				if got := cfg.Runs[1].Serve.Port; got != 8200 && got != 8300 {
					t.Errorf("port = %d, want the mapping's own 8200 or the first merged 8300", got)
				}
				return
			}
			assertErrors(t, src, c.want)
		})
	}
}

// assertErrors parses src and checks that each wanted text starts one of
// the reported problems.
func assertErrors(t *testing.T, src string, want []string) {
	t.Helper()
	_, err := Parse("c.yaml", []byte(src))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want *Errors", err)
	}
	for _, w := range want {
		found := false
		for _, e := range errs.List {
			found = found || strings.HasPrefix(e.Error(), w)
		}
		if !found {
			t.Errorf("no problem starts with %q; got:\n%v", w, err)
		}
	}
}

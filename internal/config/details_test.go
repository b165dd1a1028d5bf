package config

import (
	"strings"
	"testing"
)

func TestParseDPDefaultsToOne(t *testing.T) {
	src := strings.Replace(validRun, "tp_dp_pairs: [{tp: 1, dp: 1}]", "tp_dp_pairs: [{tp: 2}, {tp: 1, dp: 2}]", 1)
	cfg, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Parallel{{TP: 2, DP: 1, PP: 1}, {TP: 1, DP: 2, PP: 1}}
	for i, got := range cfg.Runs[0].Serve.TPDPPairs {
		if got != want[i] {
			t.Errorf("tp_dp_pairs[%d] = %+v, want %+v", i, got, want[i])
		}
	}
	// A dp written as 0 is still a mistake, not a default.
	src = strings.Replace(validRun, "tp_dp_pairs: [{tp: 1, dp: 1}]", "tp_dp_pairs: [{tp: 1, dp: 0}]", 1)
	assertErrors(t, src, []string{"c.yaml:7: runs[0].serve.tp_dp_pairs[0].dp: must be >= 1, got 0"})
}

func TestParseTabIndentation(t *testing.T) {
	cases := []struct {
		name, from, to string
		line           string
	}{
		{"tab alone", "    serve:\n      model_path: m\n", "    serve:\n\tmodel_path: m\n", "c.yaml:5:"},
		{"spaces then a tab", "    serve:\n      model_path: m\n", "    serve:\n    \t  model_path: m\n", "c.yaml:5:"},
		{"tab in a list", "      output_len: [16]\n", "      output_len:\n\t- 16\n", "c.yaml:13:"},
		{"blank line of a tab", "    bench:\n", "\t\n    bench:\n", "c.yaml:8:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(validRun, c.from, c.to, 1)
			assertErrors(t, src, []string{c.line + " invalid YAML: this line is indented with a tab; YAML indents with spaces only"})
		})
	}
	// Tabs inside a flow mapping are valid.
	src := strings.Replace(validRun, "[{tp: 1, dp: 1}]", "[{tp: 1,\n\tdp: 1}]", 1)
	if _, err := Parse("c.yaml", []byte(src)); err != nil {
		t.Errorf("valid tabs: %v", err)
	}
	// Other YAML errors keep yaml.v3's words.
	_, err := Parse("c.yaml", []byte(strings.Replace(validRun, "concurrency: [4]", "concurrency: [4", 1)))
	if err == nil || strings.Contains(err.Error(), "tab") {
		t.Errorf("err = %v, want a YAML error that does not speak of tabs", err)
	}
}

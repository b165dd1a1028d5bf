package github

import (
	"errors"
	"strings"
	"testing"
)

func getter(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseInputsDefaults(t *testing.T) {
	in, err := ParseInputs(getter(map[string]string{"config": "bench.yaml"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Config: "bench.yaml", Baselines: "baselines", Comment: CommentAlways, FailOnRegression: true, Mode: ModeAll}
	if in.Config != want.Config || in.Baselines != want.Baselines || in.Comment != want.Comment ||
		in.FailOnRegression != want.FailOnRegression || in.UpdateBaselines || in.Mode != want.Mode ||
		in.HasAlpha || in.HasTolerance || in.Shard != "" || in.Engine != "" || len(in.Results) != 0 || in.FailOnChangePoint {
		t.Errorf("ParseInputs = %+v, want defaults %+v", in, want)
	}
}

func TestParseInputsValues(t *testing.T) {
	in, err := ParseInputs(getter(map[string]string{
		"config": "c.yaml", "baselines": "b", "github-token": "tok", "comment": "on-regression",
		"fail-on-regression": "False", "update-baselines": "TRUE", "mode": "compare",
		"engine": "sim", "tolerance": "0.1", "alpha": "0.01", "results": "shards/a\nshards/b shards/c",
		"fail-on-change-point": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if in.Comment != CommentOnRegression || in.FailOnRegression || !in.UpdateBaselines || in.Mode != ModeCompare ||
		in.Engine != "sim" || !in.HasTolerance || in.Tolerance != 0.1 || !in.HasAlpha || in.Alpha != 0.01 ||
		strings.Join(in.Results, ",") != "shards/a,shards/b,shards/c" || in.GitHubToken != "tok" || !in.FailOnChangePoint {
		t.Errorf("ParseInputs = %+v", in)
	}
	in, err = ParseInputs(getter(map[string]string{"config": "c.yaml", "mode": "run", "shard": "2/3"}))
	if err != nil || in.ShardIndex != 2 || in.ShardCount != 3 || in.Shard != "2/3" {
		t.Errorf("shard 2/3: %+v, %v", in, err)
	}
	in, err = ParseInputs(getter(map[string]string{"config": "c.yaml", "mode": "plan", "shards": "4", "engine": "sim"}))
	if err != nil || in.Mode != ModePlan || in.Shards != 4 || in.Engine != "sim" {
		t.Errorf("plan with 4 shards: %+v, %v", in, err)
	}
}

func TestParseInputsErrorsNameTheInput(t *testing.T) {
	tests := []struct {
		in   map[string]string
		name string
	}{
		{map[string]string{}, "config"},
		{map[string]string{"config": "c", "comment": "sometimes"}, "comment"},
		{map[string]string{"config": "c", "fail-on-regression": "yes"}, "fail-on-regression"},
		{map[string]string{"config": "c", "update-baselines": "1"}, "update-baselines"},
		{map[string]string{"config": "c", "mode": "bench"}, "mode"},
		{map[string]string{"config": "c", "shard": "0/3"}, "shard"},
		{map[string]string{"config": "c", "shard": "4/3"}, "shard"},
		{map[string]string{"config": "c", "shard": "2"}, "shard"},
		{map[string]string{"config": "c", "engine": "trt"}, "engine"},
		{map[string]string{"config": "c", "tolerance": "-0.1"}, "tolerance"},
		{map[string]string{"config": "c", "tolerance": "five"}, "tolerance"},
		{map[string]string{"config": "c", "alpha": "0"}, "alpha"},
		{map[string]string{"config": "c", "alpha": "NaN"}, "alpha"},
		{map[string]string{"config": "c", "mode": "compare"}, "results"},
		{map[string]string{"config": "c", "mode": "compare", "results": "d", "shard": "1/2"}, "shard"},
		{map[string]string{"config": "c", "results": "d"}, "results"},
		{map[string]string{"config": "c", "mode": "run", "update-baselines": "true"}, "update-baselines"},
		{map[string]string{"config": "c", "mode": "plan"}, "shards"},
		{map[string]string{"config": "c", "mode": "plan", "shards": "0"}, "shards"},
		{map[string]string{"config": "c", "mode": "plan", "shards": "two"}, "shards"},
		{map[string]string{"config": "c", "mode": "plan", "shards": "2", "shard": "1/2"}, "shard"},
		{map[string]string{"config": "c", "mode": "plan", "shards": "2", "update-baselines": "true"}, "update-baselines"},
		{map[string]string{"config": "c", "shards": "2"}, "shards"},
		{map[string]string{"config": "c", "update-baselines": "accept"}, "accept-reason"},
		{map[string]string{"config": "c", "update-baselines": "true", "accept-reason": "why"}, "accept-reason"},
		{map[string]string{"config": "c", "update-baselines": "always"}, "update-baselines"},
	}
	for _, tt := range tests {
		_, err := ParseInputs(getter(tt.in))
		var ie *InputError
		if !errors.As(err, &ie) || ie.Name != tt.name {
			t.Errorf("ParseInputs(%v) = %v, want an *InputError for %q", tt.in, err, tt.name)
			continue
		}
		if !strings.Contains(err.Error(), `input "`+tt.name+`"`) {
			t.Errorf("error %q does not name input %q", err, tt.name)
		}
	}
}

func TestParseInputsAccept(t *testing.T) {
	in, err := ParseInputs(getter(map[string]string{"config": "c", "update-baselines": "accept", "accept-reason": " new default max_num_seqs "}))
	if err != nil {
		t.Fatal(err)
	}
	if !in.UpdateBaselines || !in.Accept || in.AcceptReason != "new default max_num_seqs" || in.AcceptLabel != DefaultAcceptLabel {
		t.Errorf("accept inputs = %+v", in)
	}
	in, err = ParseInputs(getter(map[string]string{"config": "c", "accept-label": "perf-ok"}))
	if err != nil || in.Accept || in.UpdateBaselines || in.AcceptLabel != "perf-ok" {
		t.Errorf("accept-label alone = %+v, %v", in, err)
	}
	_, err = ParseInputs(getter(map[string]string{"config": "c", "update-baselines": "maybe"}))
	if err == nil || !strings.Contains(err.Error(), "true, false or accept") {
		t.Errorf("bad update-baselines: %v, want the three values named", err)
	}
}

func TestParseInputsReportsEveryError(t *testing.T) {
	_, err := ParseInputs(getter(map[string]string{"comment": "x", "mode": "y"}))
	for _, name := range []string{"config", "comment", "mode"} {
		if !strings.Contains(err.Error(), `input "`+name+`"`) {
			t.Errorf("error %q misses input %q", err, name)
		}
	}
}

func TestActionsInputsReadsEnvNamesAndMasks(t *testing.T) {
	h := newHarness(t, "push", "")
	h.env["INPUT_CONFIG"] = " examples/quickstart.yaml \n"
	h.env["INPUT_GITHUB-TOKEN"] = testToken
	h.env["INPUT_FAIL-ON-REGRESSION"] = "false"
	in, err := NewActions(h.Env()).Inputs()
	if err != nil {
		t.Fatal(err)
	}
	if in.Config != "examples/quickstart.yaml" || in.GitHubToken != testToken || in.FailOnRegression {
		t.Errorf("Inputs = %+v", in)
	}
	if got := h.stdout.String(); got != "::add-mask::"+testToken+"\n" {
		t.Errorf("stdout = %q, want only the mask command", got)
	}
}

func TestResultDirs(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"results-2-of-2", "results-1-of-2"} {
		if err := mkdir(dir, d); err != nil {
			t.Fatal(err)
		}
	}
	in := Inputs{Results: []string{"plain", dir + "/results-*"}}
	got, err := in.ResultDirs()
	if err != nil {
		t.Fatal(err)
	}
	want := "plain," + dir + "/results-1-of-2," + dir + "/results-2-of-2"
	if strings.Join(got, ",") != want {
		t.Errorf("ResultDirs = %v, want %s", got, want)
	}
	in = Inputs{Results: []string{dir + "/nothing-*"}}
	var ie *InputError
	if _, err := in.ResultDirs(); !errors.As(err, &ie) || ie.Name != InputResults {
		t.Errorf("unmatched glob: %v, want an *InputError for results", err)
	}
}

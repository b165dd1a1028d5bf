package github

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// actionYAML is the part of action.yml this test checks.
type actionYAML struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID  string            `yaml:"id"`
			Env map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestActionYAML keeps action.yml and this package in step: every input is
// passed to the binary under the env name go-githubactions reads, defaults
// match, and every output the package sets is declared.
func TestActionYAML(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q", a.Runs.Using)
	}
	var env map[string]string
	var stepID string
	for _, s := range a.Runs.Steps {
		if s.Env["INPUT_CONFIG"] != "" {
			env, stepID = s.Env, s.ID
		}
	}
	inputs := []string{InputConfig, InputBaselines, InputGitHubToken, InputComment, InputFailOnRegression,
		InputUpdateBaselines, InputMode, InputShard, InputEngine, InputTolerance, InputAlpha, InputResults, InputShards, InputFailOnChangePoint,
		InputAcceptReason, InputAcceptLabel}
	// The install step (scripts/install.sh) reads vllm-bench-version and the
	// action's own ref and repository, which a composite action's steps
	// see only through these expressions.
	for k, want := range map[string]string{"VLLM_BENCH_VERSION": "${{ inputs.vllm-bench-version }}",
		"VLLM_BENCH_ACTION_REF": "${{ github.action_ref }}", "VLLM_BENCH_ACTION_REPOSITORY": "${{ github.action_repository }}"} {
		if got := a.Runs.Steps[0].Env[k]; got != want {
			t.Errorf("the install step's %s = %q, want %q", k, got, want)
		}
	}
	// Container jobs see the host's path in the github.action_path expression.
	if strings.Contains(string(data), "github.action_path") {
		t.Error("action.yml uses github.action_path; use $GITHUB_ACTION_PATH")
	}
	for name := range a.Inputs {
		if !slices.Contains(inputs, name) && name != "vllm-bench-version" {
			t.Errorf("action.yml input %q is not parsed by ParseInputs", name)
		}
	}
	for _, name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("input %q is missing from action.yml", name)
		}
		// The env name the action gets must be the one GetInput reads.
		key := ""
		getenv := func(k string) string { key = k; return "" }
		NewActions(Env{Getenv: getenv}).a.GetInput(name)
		if want := "${{ inputs." + name + " }}"; env[key] != want {
			t.Errorf("env %s = %q, want %q", key, env[key], want)
		}
	}
	defaults := map[string]string{InputBaselines: DefaultBaselines, InputComment: string(CommentAlways),
		InputMode: string(ModeAll), InputFailOnRegression: "true", InputUpdateBaselines: "false", InputFailOnChangePoint: "false",
		InputAcceptLabel: DefaultAcceptLabel}
	for name, want := range defaults {
		if got := a.Inputs[name].Default; got != want {
			t.Errorf("action.yml default of %q = %q, want %q", name, got, want)
		}
	}
	outputs := []string{OutputVerdict, OutputRegressions, OutputResultsDir, OutputReportPath, OutputCommentURL, OutputMatrix, OutputChangePoints}
	for _, name := range outputs {
		want := "${{ steps." + stepID + ".outputs." + name + " }}"
		if got := a.Outputs[name].Value; got != want {
			t.Errorf("output %q value = %q, want %q", name, got, want)
		}
	}
	if len(a.Outputs) != len(outputs) || !strings.Contains(string(data), `"$RUNNER_TEMP/vllm-bench" action`) {
		t.Errorf("outputs %v, or the binary is not run", a.Outputs)
	}
}

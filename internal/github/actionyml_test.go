package github

import (
	"os"
	"path/filepath"
	"regexp"
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
	// The install step (scripts/install.sh) reads its three inputs and the
	// action's own ref and repository, which a composite action's steps
	// see only through these expressions.
	install := a.Runs.Steps[0]
	for k, want := range map[string]string{"VLLM_BENCH_VERSION": "${{ inputs.vllm-bench-version }}",
		"VLLM_BENCH_SERVER_URL": "${{ inputs.github-server-url }}", "VLLM_BENCH_RELEASE_REPOSITORY": "${{ inputs.release-repository }}",
		"VLLM_BENCH_ACTION_REF": "${{ github.action_ref }}", "VLLM_BENCH_ACTION_REPOSITORY": "${{ github.action_repository }}"} {
		if got := install.Env[k]; got != want {
			t.Errorf("the install step's %s = %q, want %q", k, got, want)
		}
	}
	installInputs := []string{InputVllmBenchVersion, InputGitHubServerURL, InputReleaseRepository}
	// --help lists every input with action.yml's default.
	if len(InputDocs) != len(a.Inputs) {
		t.Errorf("InputDocs has %d inputs, action.yml %d", len(InputDocs), len(a.Inputs))
	}
	for _, d := range InputDocs {
		in, ok := a.Inputs[d.Name]
		if !ok {
			t.Errorf("InputDocs lists %q, which action.yml lacks", d.Name)
		} else if in.Default != d.Default {
			t.Errorf("InputDocs default of %q = %q, action.yml says %q", d.Name, d.Default, in.Default)
		}
	}
	// Container jobs see the host's path in the github.action_path expression.
	if strings.Contains(string(data), "github.action_path") {
		t.Error("action.yml uses github.action_path; use $GITHUB_ACTION_PATH")
	}
	for name := range a.Inputs {
		if !slices.Contains(inputs, name) && !slices.Contains(installInputs, name) {
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
	// The Marketplace cuts a description at 125 characters.
	var meta struct{ Description string }
	if err := yaml.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(meta.Description)); n == 0 || n >= 125 {
		t.Errorf("description has %d characters, want 1-124: %q", n, meta.Description)
	}
	defaults := map[string]string{InputBaselines: DefaultBaselines, InputComment: string(CommentAlways),
		InputMode: string(ModeAll), InputFailOnRegression: "true", InputUpdateBaselines: "false", InputFailOnChangePoint: "false",
		InputAcceptLabel: DefaultAcceptLabel}
	for name, want := range defaults {
		if got := a.Inputs[name].Default; got != want {
			t.Errorf("action.yml default of %q = %q, want %q", name, got, want)
		}
	}
	outputs := []string{OutputVerdict, OutputRegressions, OutputResultsDir, OutputReportPath, OutputReportJSON, OutputCommentURL, OutputMatrix, OutputChangePoints}
	for _, name := range outputs {
		want := "${{ steps." + stepID + ".outputs." + name + " }}"
		if got := a.Outputs[name].Value; got != want {
			t.Errorf("output %q value = %q, want %q", name, got, want)
		}
	}
	// The install's outputs, from the install step or the build after setup-go.
	for name, key := range map[string]string{"vllm-bench-version": "version", "install-source": "source"} {
		want := "${{ steps.install.outputs." + key + " || steps.build.outputs." + key + " }}"
		if got := a.Outputs[name].Value; got != want {
			t.Errorf("output %q value = %q, want %q", name, got, want)
		}
	}
	if len(a.Outputs) != len(outputs)+2 || !strings.Contains(string(data), `"$RUNNER_TEMP/vllm-bench" action`) {
		t.Errorf("outputs %v, or the binary is not run", a.Outputs)
	}
}

// usesLine is a step's `uses:` with its trailing comment.
var usesLine = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)

// pinned is an action pinned by a full commit SHA, with its release in a
// comment: owner/repo@<40 hex> # v1.2.3.
var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)

// TestWorkflowPins keeps every action this repository's workflows, its
// example workflows and action.yml use pinned by full commit SHA, with the
// version in a comment. The examples' own action (@v1, the major tag users
// follow) and the self-test's local `uses: ./` are the exceptions.
func TestWorkflowPins(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "workflows", "*.yml"))
	files = append(append(files, examples...), filepath.Join(root, "action.yml"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesLine.FindAllStringSubmatch(string(data), -1) {
			ref, comment := m[1], strings.TrimSpace(m[2])
			n++
			switch {
			case ref == "./":
			case ref == "vllm-bench-action/vllm-bench-action@v1" && slices.Contains(examples, f):
			case !pinned.MatchString(ref):
				t.Errorf("%s: uses %s, not pinned by a full commit SHA", f, ref)
			case !regexp.MustCompile(`^# v\d+\.\d+\.\d+$`).MatchString(comment):
				t.Errorf("%s: uses %s with comment %q, want the release as # vX.Y.Z", f, ref, comment)
			}
		}
	}
	if n < 10 {
		t.Errorf("found %d uses: lines in %d files; the pattern is broken", n, len(files))
	}
}

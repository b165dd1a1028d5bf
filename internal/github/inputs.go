package github

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// CommentPolicy says when the sticky pull-request comment is written.
type CommentPolicy string

// The values of the comment input.
const (
	// CommentAlways creates or updates the comment on every run.
	CommentAlways CommentPolicy = "always"
	// CommentOnRegression creates the comment only when the gate fails, but
	// still updates an existing one, so a fixed regression does not leave a
	// stale comment behind.
	CommentOnRegression CommentPolicy = "on-regression"
	// CommentNever writes no comment; the job summary is still written.
	CommentNever CommentPolicy = "never"
)

// Mode is what one invocation of the action does.
type Mode string

// The values of the mode input.
const (
	// ModeAll runs the benchmarks, compares them and gates, in one job.
	ModeAll Mode = "all"
	// ModeRun runs the benchmarks (one shard) and writes result files only.
	ModeRun Mode = "run"
	// ModeCompare compares result directories of earlier run jobs and gates.
	ModeCompare Mode = "compare"
	// ModePlan runs nothing: it sets the matrix output to the shards of the
	// sweep, for the run jobs' strategy.matrix.
	ModePlan Mode = "plan"
	// ModeAB runs a paired A/B comparison of each run's ab.baseline build
	// and its own serve on this runner (vllm-bench ab) and gates it.
	ModeAB Mode = "ab"
)

// Input names, as written in action.yml.
const (
	InputConfig           = "config"
	InputBaselines        = "baselines"
	InputGitHubToken      = "github-token"
	InputComment          = "comment"
	InputFailOnRegression = "fail-on-regression"
	InputUpdateBaselines  = "update-baselines"
	InputMode             = "mode"
	InputShard            = "shard"
	InputEngine           = "engine"
	InputTolerance        = "tolerance"
	InputAlpha            = "alpha"
	InputResults          = "results"
	InputShards           = "shards"
	// InputFailOnChangePoint fails a nightly run when its trend shows a
	// new change point for the worse.
	InputFailOnChangePoint = "fail-on-change-point"
	// InputAcceptReason says why update-baselines: accept promotes
	// results the gate flagged.
	InputAcceptReason = "accept-reason"
	// InputAcceptLabel names the pull request label that accepts the
	// check's regressions.
	InputAcceptLabel = "accept-label"
)

// DefaultAcceptLabel is the pull request label that accepts the check's
// regressions when the accept-label input is empty.
const DefaultAcceptLabel = "vllm-bench-accept"

// UpdateAccept is the value of update-baselines that promotes the results
// whatever the gate said (never failed, missing or suspect points).
const UpdateAccept = "accept"

// Inputs of the install step (scripts/install.sh), which the binary does
// not read; they are listed in InputDocs.
const (
	InputVllmBenchVersion  = "vllm-bench-version"
	InputGitHubServerURL   = "github-server-url"
	InputReleaseRepository = "release-repository"
)

// InputDoc is one input of action.yml as `vllm-bench action --help` shows
// it.
type InputDoc struct {
	// Name is the input's name; Default its default in action.yml.
	Name, Default string
	// Summary says what it does, in one line.
	Summary string
}

// InputDocs lists every input of action.yml, in its order; a test keeps
// the names and defaults the same as action.yml's.
var InputDocs = []InputDoc{
	{InputConfig, "", "path of the benchmark config (YAML), relative to the workspace; required"},
	{InputBaselines, DefaultBaselines, "directory of the stored baselines"},
	{InputGitHubToken, "${{ github.token }}", "token for the PR comment (pull-requests: write); never printed"},
	{InputComment, string(CommentAlways), "when to write the sticky PR comment: always, on-regression or never"},
	{InputFailOnRegression, "true", "exit 1 when a cell regressed or a point failed"},
	{InputUpdateBaselines, "false", "true: record the run in the history, promote the results when the gate passed; accept: promote them whatever the gate said"},
	{InputAcceptReason, "", "with update-baselines accept: why the flagged results become the baselines"},
	{InputAcceptLabel, DefaultAcceptLabel, "a pull request with this label passes with its regressions reported as accepted"},
	{InputFailOnChangePoint, "false", "nightly runs: exit 1 when the trend shows a new change point for the worse"},
	{InputMode, string(ModeAll), "all, run (one shard, results only), compare (gate the shards in results), plan (set the matrix output) or ab"},
	{InputShard, "", `run only shard "i/n" of the sweep (modes all and run)`},
	{InputEngine, "", "override every run's engine: " + config.EngineList(config.LaunchedEngines())},
	{InputTolerance, "", "override the gate's tolerance, a relative change in [0, 1)"},
	{InputAlpha, "", "override the gate's false-discovery rate, in (0, 1)"},
	{InputResults, "", "mode compare: the shards' result directories or glob patterns"},
	{InputShards, "", "mode plan: how many shards to split the sweep into"},
	{InputVllmBenchVersion, "", "install step: the release to install (v1.2.3); empty: the action ref's release"},
	{InputGitHubServerURL, "${{ github.server_url }}", "install step: the server that holds the releases"},
	{InputReleaseRepository, "", "install step: OWNER/NAME whose releases are installed; empty: the action's own"},
}

// DefaultBaselines is the baselines directory when the input is empty.
const DefaultBaselines = "baselines"

// Inputs are the action's inputs, parsed and validated. Empty optional
// inputs take the defaults documented in action.yml.
type Inputs struct {
	// Config is the path of the benchmark config; required.
	Config string
	// Baselines is the baselines directory.
	Baselines string
	// GitHubToken authenticates the comment; empty means no comment.
	GitHubToken string
	// Comment says when to write the PR comment.
	Comment CommentPolicy
	// FailOnRegression makes a regression fail the step (exit 1).
	FailOnRegression bool
	// UpdateBaselines writes the new results into Baselines after the gate
	// passed, and records every completed run in the history.
	UpdateBaselines bool
	// Accept (update-baselines: accept) promotes the results whatever the
	// gate said, naming AcceptReason and the workflow's actor in the
	// history; it implies UpdateBaselines.
	Accept bool
	// AcceptReason says why the results are accepted; required with Accept.
	AcceptReason string
	// AcceptLabel is the pull request label that turns the check's
	// regressions into accepted ones.
	AcceptLabel string
	// Mode is all, run, compare, plan or ab.
	Mode Mode
	// Shard is "i/n" as given (1 <= i <= n), empty for the whole sweep.
	Shard string
	// ShardIndex and ShardCount are Shard's parts; both 0 without a shard.
	ShardIndex, ShardCount int
	// Engine overrides every run's engine (e.g. "sim"); empty keeps the config's.
	Engine config.Engine
	// Tolerance overrides the gate's tolerance when HasTolerance is set.
	Tolerance float64
	// HasTolerance is true when the tolerance input was given.
	HasTolerance bool
	// Alpha overrides the gate's false-discovery rate when HasAlpha is set.
	Alpha float64
	// HasAlpha is true when the alpha input was given.
	HasAlpha bool
	// Results are the shard result directories (or glob patterns) that
	// compare mode reads, split on newlines and spaces.
	Results []string
	// Shards is how many shards plan mode splits the sweep into; 0 when
	// the input is empty.
	Shards int
	// FailOnChangePoint makes a nightly run (update-baselines on a
	// schedule) fail when the newest run reveals a change point for the
	// worse.
	FailOnChangePoint bool
}

// InputError is a bad value of one input.
type InputError struct {
	// Name is the input's name, as in action.yml.
	Name string
	// Value is the value given.
	Value string
	// Reason says what is expected.
	Reason string
}

// Error names the input, the expectation and the value given.
func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("input %q: %s", e.Name, e.Reason)
	}
	return fmt.Sprintf("input %q: %s, got %q", e.Name, e.Reason, e.Value)
}

// ParseInputs reads the inputs through getInput (which maps an input name to
// its value, like go-githubactions' GetInput) and validates them. It returns
// every problem at once, joined, each an *InputError. It does no I/O.
func ParseInputs(getInput func(name string) string) (Inputs, error) {
	p := inputParser{get: getInput}
	in := Inputs{
		Config:           p.get(InputConfig),
		Baselines:        p.get(InputBaselines),
		GitHubToken:      p.get(InputGitHubToken),
		Comment:          CommentPolicy(p.oneOf(InputComment, string(CommentAlways), string(CommentAlways), string(CommentOnRegression), string(CommentNever))),
		FailOnRegression: p.boolean(InputFailOnRegression, true),
		Mode:             Mode(p.oneOf(InputMode, string(ModeAll), string(ModeAll), string(ModeRun), string(ModeCompare), string(ModePlan), string(ModeAB))),
		Results:          strings.Fields(p.get(InputResults)),

		FailOnChangePoint: p.boolean(InputFailOnChangePoint, false),
	}
	if in.Config == "" {
		p.fail(InputConfig, "", "is required: the path of the benchmark config")
	}
	in.UpdateBaselines, in.Accept = p.updateBaselines()
	in.AcceptReason = strings.TrimSpace(p.get(InputAcceptReason))
	in.AcceptLabel = p.get(InputAcceptLabel)
	if in.AcceptLabel == "" {
		in.AcceptLabel = DefaultAcceptLabel
	}
	switch {
	case in.Accept && in.AcceptReason == "":
		p.fail(InputAcceptReason, "", "is required with update-baselines: accept: say why the flagged results become the baselines")
	case !in.Accept && in.AcceptReason != "":
		p.fail(InputAcceptReason, in.AcceptReason, "is only used with update-baselines: accept")
	}
	if in.Baselines == "" {
		in.Baselines = DefaultBaselines
	}
	if e := p.get(InputEngine); e != "" {
		engine, err := config.ParseLaunchedEngine(e)
		if err != nil {
			p.fail(InputEngine, e, "must be one of "+config.EngineList(config.LaunchedEngines()))
		}
		in.Engine = engine
	}
	in.Tolerance, in.HasTolerance = p.number(InputTolerance, gate.CheckTolerance, "a relative change in [0, 1), e.g. 0.05")
	in.Alpha, in.HasAlpha = p.number(InputAlpha, gate.CheckAlpha, "a false-discovery rate in (0, 1), e.g. 0.05")
	in.Shard = p.get(InputShard)
	if in.Shard != "" {
		sh, err := sweep.ParseShard(in.Shard)
		if err != nil {
			p.fail(InputShard, in.Shard, `must be "i/n" with 1 <= i <= n, e.g. "2/3"`)
		}
		in.ShardIndex, in.ShardCount = sh.Index, sh.Count
	}
	if s := p.get(InputShards); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			p.fail(InputShards, s, "must be a whole number of shards >= 1")
		}
		in.Shards = max(n, 0)
	}
	p.modeRules(in)
	return in, errors.Join(p.errs...)
}

// modeRules checks the inputs that only make sense in some modes.
func (p *inputParser) modeRules(in Inputs) {
	switch in.Mode {
	case ModeCompare:
		if len(in.Results) == 0 {
			p.fail(InputResults, "", "is required with mode: compare: the directories of the shards' results")
		}
		if in.Shard != "" {
			p.fail(InputShard, in.Shard, "is not used with mode: compare (it compares every shard at once)")
		}
	case ModeAB:
		if in.Shard != "" {
			p.fail(InputShard, in.Shard, "is not used with mode: ab (both builds run every point on this runner)")
		}
		if in.UpdateBaselines {
			p.fail(InputUpdateBaselines, "true", "is not used with mode: ab (it compares two builds, not stored baselines)")
		}
		fallthrough
	case ModeRun, ModeAll:
		if len(in.Results) > 0 {
			p.fail(InputResults, p.get(InputResults), "is only used with mode: compare")
		}
	case ModePlan:
		if p.get(InputShards) == "" {
			p.fail(InputShards, "", "is required with mode: plan: how many shards to split the sweep into")
		}
		if in.Shard != "" {
			p.fail(InputShard, in.Shard, "is not used with mode: plan (it plans every shard; give their count in shards)")
		}
		if len(in.Results) > 0 {
			p.fail(InputResults, p.get(InputResults), "is only used with mode: compare")
		}
	}
	if in.Mode != ModePlan && p.get(InputShards) != "" {
		p.fail(InputShards, p.get(InputShards), "is only used with mode: plan (a run job takes its shard in shard)")
	}
	if (in.Mode == ModeRun || in.Mode == ModePlan) && in.UpdateBaselines {
		p.fail(InputUpdateBaselines, "true", fmt.Sprintf("needs the gate: use it with mode: all or mode: compare, not mode: %s", in.Mode))
	}
}

// ResultDirs expands the results input: an entry with glob characters is
// replaced by the directories it matches, sorted; a pattern that matches
// nothing is an error naming the input.
func (in Inputs) ResultDirs() ([]string, error) {
	var dirs []string
	for _, r := range in.Results {
		if !strings.ContainsAny(r, "*?[") {
			dirs = append(dirs, r)
			continue
		}
		m, err := filepath.Glob(r)
		if err != nil {
			return nil, &InputError{Name: InputResults, Value: r, Reason: "bad glob pattern"}
		}
		if len(m) == 0 {
			return nil, &InputError{Name: InputResults, Value: r, Reason: "pattern matches no directory (did the artifact download step run?)"}
		}
		dirs = append(dirs, m...)
	}
	return dirs, nil
}

// inputParser reads inputs and collects every error.
type inputParser struct {
	get  func(string) string
	errs []error
}

func (p *inputParser) fail(name, value, reason string) {
	p.errs = append(p.errs, &InputError{Name: name, Value: value, Reason: reason})
}

// oneOf returns the input's value, def when empty, or def after recording an
// error when the value is not one of allowed.
func (p *inputParser) oneOf(name, def string, allowed ...string) string {
	v := p.get(name)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, v, "must be one of "+strings.Join(allowed, ", "))
	return def
}

// boolean parses a boolean input the way GitHub's own toolkit does: true,
// True, TRUE, false, False or FALSE.
func (p *inputParser) boolean(name string, def bool) bool {
	return p.booleanOr(name, def, "true or false")
}

// updateBaselines parses update-baselines: a boolean, or accept, which
// also promotes results the gate flagged.
func (p *inputParser) updateBaselines() (update, accept bool) {
	if p.get(InputUpdateBaselines) == UpdateAccept {
		return true, true
	}
	return p.booleanOr(InputUpdateBaselines, false, "true, false or "+UpdateAccept), false
}

// booleanOr is boolean with the words of its error's expectation.
func (p *inputParser) booleanOr(name string, def bool, want string) bool {
	switch v := p.get(name); v {
	case "":
		return def
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	default:
		p.fail(name, v, "must be "+want)
		return def
	}
}

// number parses a float input that check accepts; ok is false when it is
// empty or bad.
func (p *inputParser) number(name string, check func(float64) error, want string) (v float64, ok bool) {
	s := p.get(name)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err == nil {
		err = check(v)
	}
	if err != nil {
		p.fail(name, s, "must be "+want)
		return 0, false
	}
	return v, true
}

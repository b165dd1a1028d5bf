package config

import (
	"fmt"
	"maps"
	"slices"
)

// Limits of ab.rounds.
const (
	// DefaultABRounds is the most server starts per build of a paired A/B
	// comparison when ab.rounds is left out.
	DefaultABRounds = 4
	// MinABRounds is the fewest: one round has no spread to judge.
	MinABRounds = 2
	// MaxABRounds bounds the GPU time one comparison may take.
	MaxABRounds = 20
)

// AB is a run's paired A/B comparison (vllm-bench ab): the reference build
// that the run's own serve (the candidate) is compared with, the two
// started in turn on the same machine.
type AB struct {
	// Baseline overrides the run's serve for the reference build.
	Baseline ABBaseline `yaml:"baseline"`
	// Rounds is the most server starts per build; the comparison stops
	// sooner once every verdict is clear.
	Rounds int `yaml:"rounds"`
	// RemeasureSettled measures every point in every round. By default a
	// point whose gated cells are all settled (decided, or too noisy to
	// decide in the rounds left) is not measured again, which spends less
	// GPU time for the same verdicts; re-measuring gives every point the
	// same rounds, e.g. to compare result files round by round.
	RemeasureSettled bool `yaml:"remeasure_settled"`
}

// ABBaseline is what the reference build changes in the run's serve; a key
// left out keeps the run's own value.
type ABBaseline struct {
	// Command replaces serve.command when given.
	Command []string `yaml:"command"`
	// Args replaces serve.args (engine custom) when given.
	Args *[]string `yaml:"args"`
	// ExtraArgs replaces serve.extra_args when given (an empty list too).
	ExtraArgs *[]string `yaml:"extra_args"`
	// Env is merged over serve.env.
	Env map[string]string `yaml:"env"`
}

// BaselineRun returns a copy of r serving the reference build of its ab
// section: serve.command, serve.args, serve.extra_args and serve.env
// overridden. A run without an ab section is returned as a copy unchanged.
func (r *Run) BaselineRun() Run {
	out := *r
	out.Serve.Command = slices.Clone(r.Serve.Command)
	out.Serve.Args = slices.Clone(r.Serve.Args)
	out.Serve.ExtraArgs = slices.Clone(r.Serve.ExtraArgs)
	out.Serve.Env = maps.Clone(r.Serve.Env)
	if r.AB == nil {
		return out
	}
	b := r.AB.Baseline
	if len(b.Command) > 0 {
		out.Serve.Command = slices.Clone(b.Command)
	}
	if b.Args != nil {
		out.Serve.Args = slices.Clone(*b.Args)
	}
	if b.ExtraArgs != nil {
		out.Serve.ExtraArgs = slices.Clone(*b.ExtraArgs)
	}
	if len(b.Env) > 0 {
		if out.Serve.Env == nil {
			out.Serve.Env = map[string]string{}
		}
		maps.Copy(out.Serve.Env, b.Env)
	}
	return out
}

// abDefaults fills ab.rounds when the section is given without it.
func abDefaults(r *Run, p string, written func(path string) bool) {
	if r.AB != nil {
		setDefault(&r.AB.Rounds, DefaultABRounds, !written(p+"ab.rounds"))
	}
}

// ab checks a run's ab section.
func (v *validator) ab(r *Run, p string) {
	if r.AB == nil {
		return
	}
	p += ".ab"
	if !r.Engine.Launched() {
		v.add(p, "needs a server vllm-bench starts (engine %s): engine %q cannot be restarted between rounds", EngineList(LaunchedEngines()), r.Engine)
	}
	if n := r.AB.Rounds; n < MinABRounds || n > MaxABRounds {
		v.add(p+".rounds", "must be between %d and %d (server starts per build), got %d", MinABRounds, MaxABRounds, n)
	}
	for j, arg := range r.AB.Baseline.Command {
		if arg == "" {
			v.add(fmt.Sprintf("%s.baseline.command[%d]", p, j), "must not be empty")
		}
	}
	if r.AB.Baseline.Args != nil && r.Engine != EngineCustom {
		v.add(p+".baseline.args", "only used with engine custom (this run's engine is %q); use extra_args", r.Engine)
	}
	for k := range r.AB.Baseline.Env {
		if k == "" {
			v.add(p+".baseline.env", "a variable name must not be empty")
		}
	}
}

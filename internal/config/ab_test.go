package config

import (
	"slices"
	"strings"
	"testing"
)

// withAB returns validRun with serve extras and an ab section appended.
func withAB(ab string) string {
	src := strings.Replace(validRun, "      max_model_len: 4096\n",
		"      max_model_len: 4096\n      extra_args: [--sim-slowdown, \"1.25\"]\n      env: {A: run, B: run}\n", 1)
	return src + ab
}

func TestParseAB(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(withAB(`    ab:
      baseline:
        extra_args: []
        env: {B: base}
`)))
	if err != nil {
		t.Fatal(err)
	}
	r := &cfg.Runs[0]
	if r.AB == nil || r.AB.Rounds != DefaultABRounds {
		t.Fatalf("ab = %+v, want rounds %d", r.AB, DefaultABRounds)
	}
	base := r.BaselineRun()
	if len(base.Serve.ExtraArgs) != 0 || base.Serve.Env["A"] != "run" || base.Serve.Env["B"] != "base" {
		t.Errorf("baseline serve: extra_args %q env %v, want none and A=run B=base", base.Serve.ExtraArgs, base.Serve.Env)
	}
	if !slices.Equal(r.Serve.ExtraArgs, []string{"--sim-slowdown", "1.25"}) || r.Serve.Env["B"] != "run" {
		t.Errorf("the candidate's serve changed: %q %v", r.Serve.ExtraArgs, r.Serve.Env)
	}

	// Keys left out keep the run's own values.
	cfg, err = Parse("c.yaml", []byte(withAB("    ab:\n      rounds: 6\n      remeasure_settled: true\n")))
	if err != nil {
		t.Fatal(err)
	}
	base = cfg.Runs[0].BaselineRun()
	if r.AB.RemeasureSettled || !cfg.Runs[0].AB.RemeasureSettled {
		t.Errorf("remeasure_settled: %v without it, %v with it, want false and true", r.AB.RemeasureSettled, cfg.Runs[0].AB.RemeasureSettled)
	}
	if cfg.Runs[0].AB.Rounds != 6 || !slices.Equal(base.Serve.ExtraArgs, cfg.Runs[0].Serve.ExtraArgs) {
		t.Errorf("rounds %d, baseline extra_args %q", cfg.Runs[0].AB.Rounds, base.Serve.ExtraArgs)
	}
	if cfg, _ := Parse("c.yaml", []byte(validRun)); cfg.Runs[0].AB != nil {
		t.Errorf("no ab section, got %+v", cfg.Runs[0].AB)
	}
}

func TestParseABErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"one round", withAB("    ab:\n      rounds: 1\n"), "c.yaml:16: runs[0].ab.rounds: must be between 2 and 20"},
		{"unknown key", withAB("    ab:\n      baseline:\n        argv: []\n"), "c.yaml:17: runs[0].ab.baseline.argv: unknown key"},
		{"remeasure not a bool", withAB("    ab:\n      remeasure_settled: always\n"), "runs[0].ab.remeasure_settled"},
		{"args without engine custom", withAB("    ab:\n      baseline:\n        args: []\n"), "c.yaml:17: runs[0].ab.baseline.args: only used with engine custom"},
		{"empty command word", withAB("    ab:\n      baseline:\n        command: [vllm, \"\"]\n"), "runs[0].ab.baseline.command[1]: must not be empty"},
		{"external server", strings.Replace(withAB("    ab:\n      rounds: 2\n"), "engine: sim", "engine: external", 1) +
			"", "runs[0].ab: needs a server vllm-bench starts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

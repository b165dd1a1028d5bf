package runner

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/engine"
	"github.com/vllm-bench-action/vllm-bench-action/internal/server"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Plan is what a sweep will run: a loaded config and the server
// configurations selected from it, in order.
type Plan struct {
	// Config is the loaded config, after the selection's overrides.
	Config *config.Config
	// Servers are the selected server configurations, in sweep order.
	Servers []sweep.ServerConfig
	// Shard is the selected shard ("i/n"), "" for the whole sweep.
	Shard string
}

// Selection changes what a config runs: the flags shared by plan, run and
// calibrate (and the action's inputs). Its zero value runs everything as
// the config says.
type Selection struct {
	// Engine moves every run but external ones onto this engine ("": keep).
	Engine string
	// OutDir replaces every run's bench.output_dir ("": keep).
	OutDir string
	// Shard is "i/n": only that shard of the server configurations.
	Shard string
	// Run keeps only the run of this name ("": all).
	Run string
}

// NewPlan applies the selection to cfg (which it changes) and returns the
// plan. Errors name the flag at fault.
func NewPlan(cfg *config.Config, sel Selection) (Plan, error) {
	if sel.Engine != "" {
		e, err := config.ParseLaunchedEngine(sel.Engine)
		if err != nil {
			return Plan{}, fmt.Errorf("--engine: %w", err)
		}
		for i := range cfg.Runs {
			r := &cfg.Runs[i]
			if r.Engine == config.EngineCustom {
				// The custom launcher and its template are not the other
				// engine's: that one starts its own command.
				r.Serve.Command, r.Serve.Args = nil, nil
			}
			if r.Engine.Launched() {
				r.Engine = e
			}
		}
	}
	if sel.OutDir != "" {
		for i := range cfg.Runs {
			cfg.Runs[i].Bench.OutputDir = sel.OutDir
		}
	}
	servers := sweep.Expand(cfg)
	if sel.Run != "" {
		servers = slices.DeleteFunc(servers, func(s sweep.ServerConfig) bool { return s.Run.Name != sel.Run })
		if len(servers) == 0 {
			return Plan{}, fmt.Errorf("--run: no run named %q in %s (runs: %s)", sel.Run, cfg.Path, runNames(cfg))
		}
	}
	if sel.Shard != "" {
		sh, err := sweep.ParseShard(sel.Shard)
		if err != nil {
			return Plan{}, fmt.Errorf("--shard: %w", err)
		}
		servers = sh.Select(servers)
	}
	return Plan{Config: cfg, Servers: servers, Shard: sel.Shard}, nil
}

func runNames(cfg *config.Config) string {
	names := make([]string, len(cfg.Runs))
	for i, r := range cfg.Runs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// Points returns the number of points the plan measures.
func (p Plan) Points() int {
	n := 0
	for _, s := range p.Servers {
		n += len(s.Points)
	}
	return n
}

// OutputDirs lists the distinct output directories of the plan, in plan
// order. A shard that drew no server still has the config's directories,
// where its (empty) summary goes.
func (p Plan) OutputDirs() []string {
	var dirs []string
	add := func(dir string) {
		if !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	for _, s := range p.Servers {
		add(s.Run.Bench.OutputDir)
	}
	if len(dirs) == 0 && p.Config != nil {
		for _, r := range p.Config.Runs {
			add(r.Bench.OutputDir)
		}
	}
	return dirs
}

// Recipe builds the launch recipe of a server configuration on this
// machine, reading the server's version where the recipe depends on it;
// executable is this binary, which runs the simulator, and getenv reads
// the harness's environment (the default compile cache). It returns the
// recipe and the version ("" when unknown).
func Recipe(ctx context.Context, s sweep.ServerConfig, executable string, getenv func(string) string) (engine.Recipe, string, error) {
	opts := engine.Options{Executable: executable, Environ: server.ChildEnviron(os.Environ()), Getenv: getenv}
	version := engine.ServerVersion(ctx, s.Run, opts)
	if s.Run.Engine == config.EngineVLLM {
		opts.VLLMVersion = version
	}
	pair := config.Parallel{TP: s.TP, DP: s.DP, PP: s.PP}
	r, err := engine.Build(s.Run, pair, opts)
	return r, version, err
}

// CheckOutputDirs makes sure every output directory of the plan exists (or
// can be created), is a directory and can be written, so that no server
// starts for results that could not be kept. The error names the path.
func CheckOutputDirs(plan Plan) error {
	for _, dir := range plan.OutputDirs() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("output directory %q cannot be created: %w", dir, err)
		}
		info, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("output directory %q: %w", dir, err)
		}
		if !info.IsDir() {
			return fmt.Errorf("output directory %q is not a directory", dir)
		}
		probe, err := os.CreateTemp(dir, ".vllm-bench-writable-*")
		if err != nil {
			return fmt.Errorf("output directory %q is not writable: %w", dir, err)
		}
		name := probe.Name()
		probe.Close()
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("output directory %q: %w", dir, err)
		}
	}
	return nil
}

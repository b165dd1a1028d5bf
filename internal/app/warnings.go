package app

import (
	"context"
	"fmt"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// configWarnings returns, one line each, what a valid config holds that is
// allowed but hardly meant: sizes no benchmark uses, and layouts that need
// more GPUs than nvidia-smi reports on this machine.
func configWarnings(ctx context.Context, cfg *config.Config) []string {
	var out []string
	for _, w := range cfg.Warnings(runner.GPUCount(ctx)) {
		out = append(out, w.Error())
	}
	return out
}

// shardWarning says when a matrix has more shards than server
// configurations, whose extra shards run nothing; "" otherwise.
func shardWarning(shards, servers int) string {
	idle := fmt.Sprintf("shards %d/%d to %d/%d run", servers+1, shards, shards, shards)
	switch {
	case shards <= servers:
		return ""
	case shards == servers+1:
		idle = fmt.Sprintf("shard %d/%d runs", shards, shards)
	}
	return fmt.Sprintf("%s for %s: %s nothing", plural(shards, "shard"), plural(servers, "server configuration"), idle)
}

// printWarnings writes each warning to stderr as "warning: ...".
func printWarnings(env *Env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(env.Stderr, "warning:", w)
	}
}

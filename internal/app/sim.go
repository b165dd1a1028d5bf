package app

import (
	"context"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sim"
)

// cmdSim runs the simulator in this process; the harness starts it as a
// child process exactly as it starts `vllm serve`.
func cmdSim(ctx context.Context, env *Env, args []string) error {
	return quietExit(sim.Main(ctx, args, env.Stdout, env.Stderr))
}

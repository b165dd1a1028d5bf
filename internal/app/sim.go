package app

import (
	"context"
	"slices"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sim"
)

// cmdSim runs the simulator in this process; the harness starts it as a
// child process exactly as it starts `vllm serve`. $VLLM_BENCH_SIM_DRIFT_EPOCH
// stands for --sim-drift-epoch when the flag is not given.
func cmdSim(ctx context.Context, env *Env, args []string) error {
	return quietExit(sim.Main(ctx, simArgs(args, env.Getenv), env.Stdout, env.Stderr))
}

// simArgs adds --sim-drift-epoch from the environment unless args give it.
func simArgs(args []string, getenv func(string) string) []string {
	epoch := getenv(sim.DriftEpochEnv)
	if epoch == "" || slices.ContainsFunc(args, func(a string) bool {
		return a == "--sim-drift-epoch" || strings.HasPrefix(a, "--sim-drift-epoch=")
	}) {
		return args
	}
	return append(slices.Clip(args), "--sim-drift-epoch", epoch)
}

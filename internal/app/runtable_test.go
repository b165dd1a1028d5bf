package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestRunTableWarnsOfSaturatedClient(t *testing.T) {
	server := sweep.ServerConfig{Run: &config.Run{Name: "sim"}, Server: sweep.Server{TP: 1, DP: 1, PP: 1}}
	busy := probe.ClientHealth{SchedLagP99Ms: 12, LagSamples: 100}
	busy.Judge(0.5)
	calm := probe.ClientHealth{SchedLagP99Ms: 0.02, LagSamples: 100}
	calm.Judge(20)
	rows := []runner.Row{
		{Server: server, Point: sweep.Point{ContextSize: 64, Concurrency: 1000, NumPrompts: 2000, OutputLen: 64}, File: &results.File{VllmBench: results.Meta{Client: &busy}}},
		{Server: server, Point: sweep.Point{ContextSize: 64, Concurrency: 8, NumPrompts: 32, OutputLen: 64}, File: &results.File{VllmBench: results.Meta{Client: &calm}}},
		{Server: server, Point: sweep.Point{ContextSize: 64, Concurrency: 4, NumPrompts: 8, OutputLen: 64}, File: &results.File{}},
	}
	var b bytes.Buffer
	printRunTable(&b, rows)
	var warnings []string
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "warning: ") {
			warnings = append(warnings, line)
		}
	}
	want := "warning: sim TP1 DP1 PP1 " + rows[0].Point.Label() + ": client saturated (scheduling lag p99 12 ms > 1 ms): latencies are suspect"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings %q, want only %q\n%s", warnings, want, b.String())
	}
}

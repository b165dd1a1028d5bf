package runner

import (
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestPromptSeedIsPerPoint(t *testing.T) {
	a := sweep.Point{ContextSize: 512, Concurrency: 8, NumPrompts: 64, OutputLen: 128}
	b := a
	b.ContextSize = 2048
	c := a
	c.Concurrency = 32
	if promptSeed(0, a) != promptSeed(0, a) {
		t.Fatal("the same seed and point gave different prompt seeds")
	}
	seen := map[int64]string{}
	for _, tc := range []struct {
		seed int64
		p    sweep.Point
	}{{0, a}, {0, b}, {0, c}, {1, a}} {
		s := promptSeed(tc.seed, tc.p)
		name := tc.p.Label()
		if prev, ok := seen[s]; ok {
			t.Errorf("seed %d %s draws the same prompts as %s", tc.seed, name, prev)
		}
		seen[s] = name
	}
}

package app

import (
	"crypto/md5"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// md5Tree is the md5 of every file under dir, by relative path.
func md5Tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = fmt.Sprintf("%x", md5.Sum(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBaselineUpdateGarbageHistory(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baselines")
	if code, out, stderr := runCmd(t, cmdBaseline, "update", "--results", writeGateResults(t, 1, 1), "--baselines", base); code != ExitOK {
		t.Fatalf("first update: exit %d\n%s%s", code, out, stderr)
	}
	hist := filepath.Join(base, "gate", "history.jsonl")
	f, err := os.OpenFile(hist, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "garbage")
	f.Close()
	before := md5Tree(t, base)
	if len(before) != 3 {
		t.Fatalf("baselines hold %v, want 2 points and a history", before)
	}
	code, out, stderr := runCmd(t, cmdBaseline, "update", "--results", writeGateResults(t, 1.2, 2), "--baselines", base)
	if code != ExitInvalid || !strings.Contains(stderr, hist+`":2`) || !strings.Contains(stderr, "nothing under "+base+" was changed") {
		t.Errorf("garbage history: exit %d\n%s%s", code, out, stderr)
	}
	if after := md5Tree(t, base); !maps.Equal(before, after) {
		t.Errorf("a failed update changed the baselines:\nbefore %v\nafter  %v", before, after)
	}
}

func TestBaselineUpdateRefusesSuspect(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baselines")
	res := writeGateResults(t, 1, 1)
	paths, _ := filepath.Glob(filepath.Join(res, "*.json"))
	f, err := results.Read(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	f.VllmBench.Client = &probe.ClientHealth{SchedLagP50Ms: 0.2, SchedLagP99Ms: 149, LagSamples: 5000}
	f.VllmBench.Client.Judge(f.MedianITLMs)
	if err := results.Write(paths[0], f); err != nil {
		t.Fatal(err)
	}
	// The other point was measured on a host whose CPUs were taken by two
	// busy loops: 97 % of its window stalled (as measured on a 2-core
	// machine, README "Measurement health").
	g, err := results.Read(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	stalled, steal := 97.0, 0.0
	g.VllmBench.Host = &probe.HostHealth{Cores: 2, CPUStalledPct: &stalled, StealPct: &steal,
		StalledBoundPct: probe.HostStalledBoundPct, StealBoundPct: probe.HostStealBoundPct}
	if err := results.Write(paths[1], g); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, cmdBaseline, "update", "--results", res, "--baselines", base)
	name, busy := filepath.Base(paths[0]), filepath.Base(paths[1])
	if code != ExitRegression || !strings.Contains(stderr, name+": client: saturated client") || !strings.Contains(stderr, "--allow-suspect") ||
		!strings.Contains(stderr, busy+": host: CPU pressure: runnable tasks waited for a CPU 97 % of the timed rounds") {
		t.Errorf("suspect points: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(base); !os.IsNotExist(err) {
		t.Errorf("a refused update created %s: %v", base, err)
	}
	code, out, stderr = runCmd(t, cmdBaseline, "update", "--results", res, "--baselines", base, "--allow-suspect")
	if code != ExitOK || !strings.Contains(out, "promoted 2 points") || !strings.Contains(stderr, "warning: baseline update: promoted "+name+" although it is suspect") {
		t.Errorf("--allow-suspect: exit %d\n%s%s", code, out, stderr)
	}
}

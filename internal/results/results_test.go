package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/metrics"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// sample returns the file of a point of 2 prompts measured twice.
func sample(rate float64) *File {
	var reps []*metrics.Accumulator
	var sums []metrics.Summary
	for r := range 2 {
		a := &metrics.Accumulator{KeepITLs: true}
		a.Add(loadgen.Record{Index: 0, StartS: 0, TTFTS: 0.1, LatencyS: 0.3, EndS: 0.3, ITLsS: []float32{0.1, 0.1}, PromptTokens: 8, CompletionTokens: 3})
		if r == 0 {
			a.Add(loadgen.Record{Index: 1, StartS: 0, EndS: 0.01, PromptTokens: 8, Error: "HTTP 500: boom"})
		} else {
			a.Add(loadgen.Record{Index: 1, StartS: 0.1, TTFTS: 0.2, LatencyS: 0.9, EndS: 1, ITLsS: []float32{0.3, 0.4}, PromptTokens: 8, CompletionTokens: 3})
		}
		reps = append(reps, a)
		sums = append(sums, a.Summary())
	}
	end := time.Date(2025, 3, 4, 5, 6, 7, 0, time.Local)
	return FromSummary(metrics.Pooled(reps...), sums, Info{
		Model: "m", Endpoint: loadgen.EndpointCompletions, Burstiness: 1, Seed: 9,
		Point: sweep.Point{ContextSize: 8, Concurrency: 2, NumPrompts: 2, OutputLen: 3, RequestRate: rate},
		Start: end.Add(-time.Minute), End: end,
	})
}

func TestFromSummary(t *testing.T) {
	f := sample(0)
	if f.Date != "20250304-050607" || f.RequestRate != "inf" || f.MaxConcurrency != 2 || f.NumPrompts != 2 {
		t.Errorf("header = %q %v %d %d", f.Date, f.RequestRate, f.MaxConcurrency, f.NumPrompts)
	}
	if f.Completed != 3 || f.Failed != 1 || f.Duration != 1.3 || len(f.VllmBench.Repeats) != 2 {
		t.Errorf("completed %d failed %d duration %v repeats %d", f.Completed, f.Failed, f.Duration, len(f.VllmBench.Repeats))
	}
	// Throughputs are totals over the summed durations: 3 requests in 1.3 s.
	if got := f.RequestThroughput; got != 3/1.3 {
		t.Errorf("request throughput %v, want %v", got, 3/1.3)
	}
	if r := f.VllmBench.Repeats[1]; r.Completed != 2 || r.DurationS != 1 || r.RequestThroughput != 2 {
		t.Errorf("repeat 1 = %+v", r)
	}
	if len(f.Ttfts) != 4 || len(f.Itls) != 4 || f.Errors[1] != "HTTP 500: boom" || f.VllmBench.QueueTimes != nil {
		t.Errorf("arrays: ttfts %v itls %v errors %q queue %v", f.Ttfts, f.Itls, f.Errors, f.VllmBench.QueueTimes)
	}
	// Repeat 2's requests overlap from 0.1 s to 0.3 s.
	if got := f.VllmBench.PeakConcurrentRequests; got != 2 {
		t.Errorf("peak concurrent requests %d, want 2", got)
	}
	if f.VllmBench.SchemaVersion != SchemaVersion || f.RequestGoodput != nil {
		t.Errorf("schema %d goodput %v", f.VllmBench.SchemaVersion, f.RequestGoodput)
	}
	if g := sample(2.5); g.RequestRate != 2.5 || len(g.VllmBench.QueueTimes) != 4 {
		t.Errorf("rate file: request_rate %v, %d queue times", g.RequestRate, len(g.VllmBench.QueueTimes))
	}
	data, _ := json.Marshal(f)
	for _, key := range []string{`"request_rate":"inf"`, `"request_goodput":null`, `"p99_ttft_ms":`, `"max_concurrent_requests":`, `"vllm_bench":{"schema_version":1`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	f := sample(0)
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	g, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.Completed != f.Completed || g.MedianTTFTMs != f.MedianTTFTMs || g.RequestRate != "inf" || len(g.Itls) != 4 {
		t.Errorf("read back %+v", g)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the result", len(entries))
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the rename fails after the
	// temporary file was written.
	path := filepath.Join(dir, "p.json")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(path, sample(0))
	if err == nil || !strings.Contains(err.Error(), `"`+path+`"`) {
		t.Fatalf("Write error = %v, want one quoting the path", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
	if err := Write(filepath.Join(dir, "missing", "p.json"), sample(0)); err == nil {
		t.Error("writing into a missing directory gave no error")
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	tests := []struct {
		path, want string
	}{
		{filepath.Join(dir, "none.json"), "no such file"},
		{write("empty.json", " \n"), "empty"},
		{write("bad.json", `{"completed": "x"}`), "cannot unmarshal"},
		{write("new.json", `{"vllm_bench": {"schema_version": 99}}`), "schema_version 99 is newer"},
	}
	for _, tt := range tests {
		_, err := Read(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("Read(%q) error = %v, want one naming the file and %q", tt.path, err, tt.want)
		}
	}
}

func TestComplete(t *testing.T) {
	dir := t.TempDir()
	put := func(name string, edit func(*File)) string {
		f := sample(0)
		edit(f)
		p := filepath.Join(dir, name)
		if err := Write(p, f); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		path string
		want bool
	}{
		{put("ok.json", func(*File) {}), true},
		{put("short.json", func(f *File) { f.Completed-- }), false},
		{put("error.json", func(f *File) { f.VllmBench.Error = "server died" }), false},
		{put("allfailed.json", func(f *File) { f.Failed, f.Completed = 4, 0 }), true},
	}
	for _, tt := range tests {
		f, err := Read(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Complete(); got != tt.want {
			t.Errorf("Complete(%q) = %v, want %v", filepath.Base(tt.path), got, tt.want)
		}
	}
}

package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScrapeFold measures the harness's CPU per gauge sample of a
// vLLM page with two data-parallel engines: parsing the text format and
// folding the gauges.
func BenchmarkScrapeFold(b *testing.B) {
	page, err := os.ReadFile(filepath.Join("testdata", "metrics", "vllm-v1-during.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	var a serverAcc
	for b.Loop() {
		s, err := parseExposition(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		a.addGauges(s)
	}
}

// BenchmarkSummarizeGPUs measures folding an hour of samples of 8 GPUs
// (2 samples a second).
func BenchmarkSummarizeGPUs(b *testing.B) {
	f, err := os.ReadFile(filepath.Join("..", "..", "testdata", "nvidia-smi", "telemetry-h100x2-thermal.csv"))
	if err != nil {
		b.Fatal(err)
	}
	var rows []gpuSample
	for _, line := range bytes.Split(bytes.TrimSpace(f), []byte("\n")) {
		s, err := parseTelemetryRow(string(line))
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, s)
	}
	const samples = 3600 * 2 * 8
	all := make([]gpuSample, 0, samples)
	for i := 0; len(all) < samples; i++ {
		s := rows[i%len(rows)]
		s.index = i % 8
		all = append(all, s)
	}
	b.ReportAllocs()
	for b.Loop() {
		summarizeGPUs(all, "")
	}
}

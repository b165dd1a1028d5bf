package report

import (
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

func TestMetricNames(t *testing.T) {
	tests := []struct{ name, unit, title, heading string }{
		{"median_ttft_ms", "ms", "median TTFT", "median TTFT ms"},
		{"p99_itl_ms", "ms", "p99 ITL", "p99 ITL ms"},
		{"p90_e2el_ms", "ms", "p90 E2EL", "p90 E2EL ms"},
		{"output_throughput", "tok/s", "output throughput", "output tok/s"},
		{"request_throughput", "req/s", "request throughput", "request req/s"},
		{"request_goodput", "req/s", "request goodput", "request goodput req/s"},
	}
	for _, tt := range tests {
		if got := metricTitle(tt.name); got != tt.title {
			t.Errorf("metricTitle(%q) = %q, want %q", tt.name, got, tt.title)
		}
		if got := metricHeading(tt.name, tt.unit); got != tt.heading {
			t.Errorf("metricHeading(%q) = %q, want %q", tt.name, got, tt.heading)
		}
	}
}

func TestServerName(t *testing.T) {
	tests := []struct {
		s    sweep.Server
		want string
	}{
		{sweep.Server{Run: "llama-7b", TP: 1, DP: 1, PP: 1}, "llama-7b TP1"},
		{sweep.Server{Run: "llama-70b", TP: 4, DP: 2, PP: 2}, "llama-70b TP4 DP2 PP2"},
		{sweep.Server{Run: "m", TP: 2, DP: 1, PP: 0}, "m TP2"},
	}
	for _, tt := range tests {
		if got := serverName(tt.s); got != tt.want {
			t.Errorf("serverName(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestLabeler(t *testing.T) {
	pt := func(ctx, conc int, rate float64) sweep.Point {
		return sweep.Point{ContextSize: ctx, Concurrency: conc, NumPrompts: 200, OutputLen: 128, RequestRate: rate}
	}
	tests := []struct {
		name                  string
		points                []sweep.Point
		shared, swept         string
		row, series, sweptVal string // of the first point
	}{
		{"concurrency sweep", []sweep.Point{pt(512, 8, 0), pt(512, 32, 0)}, "CTX512 P200 O128", "C", "C8", "", "8"},
		{"context and concurrency", []sweep.Point{pt(512, 8, 0), pt(512, 32, 0), pt(512, 64, 0), pt(1024, 8, 0)},
			"P200 O128", "C", "CTX512 C8", "CTX512", "8"},
		{"rates sweep more values than contexts", []sweep.Point{pt(512, 8, 1), pt(512, 8, 2), pt(512, 8, 4), pt(1024, 8, 1)},
			"C8 P200 O128", "R", "CTX512 R1", "CTX512", "1"},
		{"a rate on some points only", []sweep.Point{pt(512, 8, 0), pt(512, 8, 2.5)}, "CTX512 C8 P200 O128", "R", "R∞", "", "∞"},
		{"one point keeps its concurrency", []sweep.Point{pt(512, 8, 0)}, "CTX512 P200 O128", "C", "C8", "", "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLabeler(tt.points)
			if l.shared != tt.shared || l.swept != tt.swept {
				t.Errorf("shared %q swept %q, want %q %q", l.shared, l.swept, tt.shared, tt.swept)
			}
			p := tt.points[0]
			if got := l.row(p); got != tt.row {
				t.Errorf("row = %q, want %q", got, tt.row)
			}
			if got := l.series(p); got != tt.series {
				t.Errorf("series = %q, want %q", got, tt.series)
			}
			if got := l.sweptValue(p); got != tt.sweptVal {
				t.Errorf("swept value = %q, want %q", got, tt.sweptVal)
			}
		})
	}
	l := newLabeler([]sweep.Point{pt(512, 8, 0), pt(512, 32, 0)})
	if got := l.heading(sweep.Server{Run: "r", TP: 2, DP: 1, PP: 1}); got != "r TP2 · CTX512 P200 O128" {
		t.Errorf("heading = %q", got)
	}
}

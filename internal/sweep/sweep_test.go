package sweep

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

func TestResultName(t *testing.T) {
	tests := []struct {
		s    Server
		p    Point
		want string
	}{
		{Server{"my-benchmark", 1, 1, 1}, Point{512, 50, 100, 128, 0}, "my-benchmark_TP1_DP1_CTX512_C50_P100_O128.json"},
		{Server{"m", 2, 4, 2}, Point{1024, 8, 10, 64, 0}, "m_TP2_DP4_PP2_CTX1024_C8_P10_O64.json"},
		{Server{"m", 1, 1, 1}, Point{128, 8, 10, 64, 2.5}, "m_TP1_DP1_CTX128_C8_P10_O64_R2.5.json"},
		{Server{"m", 8, 1, 4}, Point{128, 8, 10, 64, 16}, "m_TP8_DP1_PP4_CTX128_C8_P10_O64_R16.json"},
	}
	for _, tt := range tests {
		if got := ResultName(tt.s, tt.p); got != tt.want {
			t.Errorf("ResultName(%v, %v) = %q, want %q", tt.s, tt.p, got, tt.want)
		}
	}
}

func testConfig(pairs []config.Parallel, rates []float64) *config.Config {
	return &config.Config{Runs: []config.Run{{
		Name:  "a",
		Serve: config.Serve{TPDPPairs: pairs},
		Bench: config.Bench{
			ContextSize: []int{512, 1024}, Concurrency: []int{50, 100},
			NumPrompts: []int{100}, OutputLen: []int{128}, RequestRate: rates, Repeats: 1,
		},
	}}}
}

func TestExpandOrder(t *testing.T) {
	cfg := testConfig([]config.Parallel{{TP: 1, DP: 1, PP: 1}, {TP: 2, DP: 1, PP: 1}}, []float64{1, 4})
	servers := Expand(cfg)
	if len(servers) != 2 || servers[0].TP != 1 || servers[1].TP != 2 {
		t.Fatalf("servers = %+v, want TP1 then TP2", servers)
	}
	var got []string
	for _, p := range servers[0].Points {
		got = append(got, fmt.Sprintf("%d/%d/%g", p.ContextSize, p.Concurrency, p.RequestRate))
	}
	want := []string{"512/50/1", "512/50/4", "512/100/1", "512/100/4", "1024/50/1", "1024/50/4", "1024/100/1", "1024/100/4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("points = %v, want %v", got, want)
	}
}

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"", "1", "0/2", "3/2", "a/b", "1/0", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) succeeded, want an error", bad)
		}
	}
	if s, err := ParseShard("2/3"); err != nil || s != (Shard{2, 3}) {
		t.Errorf("ParseShard(2/3) = %v, %v", s, err)
	}
}

func TestShardsPartition(t *testing.T) {
	var pairs []config.Parallel
	for tp := 1; tp <= 7; tp++ {
		pairs = append(pairs, config.Parallel{TP: tp, DP: 1, PP: 1})
	}
	servers := Expand(testConfig(pairs, nil))
	for n := 1; n <= 8; n++ {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			for _, s := range (Shard{i, n}).Select(servers) {
				seen[s.Stem()]++
			}
		}
		if len(seen) != len(servers) {
			t.Errorf("n=%d: shards cover %d of %d servers", n, len(seen), len(servers))
		}
		for stem, k := range seen {
			if k != 1 {
				t.Errorf("n=%d: %s is in %d shards", n, stem, k)
			}
		}
	}
}

func TestAssignBalancesByCost(t *testing.T) {
	// One expensive configuration (long contexts, many prompts) and six cheap
	// ones: round-robin over 3 shards puts the expensive one with two cheap
	// ones; cost balancing gives it a shard of its own.
	cfg := &config.Config{}
	cheap := config.Bench{ContextSize: []int{128}, Concurrency: []int{8}, NumPrompts: []int{10}, OutputLen: []int{16}, Repeats: 1}
	costly := config.Bench{ContextSize: []int{8192}, Concurrency: []int{8}, NumPrompts: []int{1000}, OutputLen: []int{512}, Repeats: 1}
	cfg.Runs = append(cfg.Runs, config.Run{Name: "big", Serve: config.Serve{TPDPPairs: []config.Parallel{{TP: 8, DP: 1, PP: 1}}}, Bench: costly})
	for i := 0; i < 6; i++ {
		cfg.Runs = append(cfg.Runs, config.Run{Name: fmt.Sprintf("small%d", i), Serve: config.Serve{TPDPPairs: []config.Parallel{{TP: 1, DP: 1, PP: 1}}}, Bench: cheap})
	}
	servers := Expand(cfg)
	spread := func(assign []int) int64 {
		load := make([]int64, 3)
		for i, k := range assign {
			load[k] += servers[i].Cost()
		}
		lo, hi := load[0], load[0]
		for _, l := range load {
			lo, hi = min(lo, l), max(hi, l)
		}
		return hi - lo
	}
	roundRobin := make([]int, len(servers))
	for i := range roundRobin {
		roundRobin[i] = i % 3
	}
	assign := Assign(servers, 3)
	if spread(assign) >= spread(roundRobin) {
		t.Errorf("cost spread %d is not below round-robin's %d", spread(assign), spread(roundRobin))
	}
	for i, k := range assign {
		if i > 0 && k == assign[0] {
			t.Errorf("%s shares the expensive server's shard", servers[i].Stem())
		}
	}
	if !reflect.DeepEqual(assign, Assign(servers, 3)) {
		t.Error("Assign is not deterministic")
	}
}

func TestParseResultName(t *testing.T) {
	tests := []struct {
		s Server
		p Point
	}{
		{Server{Run: "my_run", TP: 2, DP: 1, PP: 1}, Point{ContextSize: 512, Concurrency: 8, NumPrompts: 100, OutputLen: 128}},
		{Server{Run: "r", TP: 1, DP: 4, PP: 2}, Point{ContextSize: 64, Concurrency: 1, NumPrompts: 10, OutputLen: 16, RequestRate: 12.25}},
	}
	for _, tt := range tests {
		name := ResultName(tt.s, tt.p)
		for _, n := range []string{name, strings.TrimSuffix(name, ".json") + ".failed.json"} {
			s, p, err := ParseResultName(n)
			if err != nil || s != tt.s || p != tt.p {
				t.Errorf("ParseResultName(%q) = %+v, %+v, %v", n, s, p, err)
			}
		}
	}
	if _, _, err := ParseResultName("summary.json"); err == nil {
		t.Error("summary.json parsed as a result name")
	}
}

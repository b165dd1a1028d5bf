package sweep

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Shard selects the part i of n of a sweep (1-based), as `--shard i/n`.
// Its zero value selects everything.
type Shard struct {
	Index int
	Count int
}

// ParseShard reads "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard must be i/n with 1 <= i <= n, e.g. 2/3, got %q", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Select returns the server configurations of this shard, in plan order.
func (s Shard) Select(servers []ServerConfig) []ServerConfig {
	if s.Count <= 1 {
		return servers
	}
	assign := Assign(servers, s.Count)
	var out []ServerConfig
	for i, srv := range servers {
		if assign[i] == s.Index-1 {
			out = append(out, srv)
		}
	}
	return out
}

// Assign spreads server configurations over n shards so that the shards'
// estimated costs are close: the costliest configuration goes first, each
// to the shard with the least cost so far (ties to the lower shard and, for
// equal costs, in plan order). The result is the 0-based shard of each
// configuration. It depends only on the config, so every job of a matrix
// computes the same assignment, and each configuration is in exactly one
// shard.
func Assign(servers []ServerConfig, n int) []int {
	order := make([]int, len(servers))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return servers[order[a]].Cost() > servers[order[b]].Cost() })
	load := make([]int64, n)
	assign := make([]int, len(servers))
	for _, i := range order {
		best := 0
		for k := 1; k < n; k++ {
			if load[k] < load[best] {
				best = k
			}
		}
		assign[i] = best
		load[best] += servers[i].Cost()
	}
	return assign
}

package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
)

// BenchmarkClientCostOneStream measures the client's CPU time per chunk,
// client health probe included (as a point runs it), for one stream of a
// server in another process that sends a token every 10 ms: the load at
// which the probe's own wake-ups weigh most. "probe=load" paces the probe
// by the streams in flight (what a point uses), "probe=fixed" wakes it
// every ClientTick whatever the load, "probe=none" runs no probe.
//
//	go test ./internal/loadgen -run '^$' -bench ClientCostOneStream -benchtime 3x
func BenchmarkClientCostOneStream(b *testing.B) {
	const tokens = 300 // 3 s a request
	base := startReplay(b, 10*time.Millisecond)
	for _, mode := range []string{"load", "fixed", "none"} {
		b.Run("probe="+mode, func(b *testing.B) {
			c := NewClient(ClientOptions{BaseURL: base, MaxConns: 1})
			defer c.Close()
			p := &PromptSet{Method: MethodApproxText, Model: "m", Endpoint: EndpointCompletions, InputLen: 16}
			var chunks int
			var used cpuUse
			for b.Loop() {
				u0 := cpuNow()
				var health *probe.ClientProbe
				switch mode {
				case "load":
					health = probe.StartClientLoad(context.Background(), c.Streams)
				case "fixed":
					health = probe.StartClient(context.Background())
				}
				_, err := c.Run(context.Background(), Load{Prompts: p, N: 1, OutputLen: tokens, Concurrency: 1}, func(r Record) {
					if !r.OK() {
						b.Fatalf("request failed: %s", r.Error)
					}
					chunks += len(r.ITLsS) + 1
				})
				if health != nil {
					health.Stop()
				}
				if err != nil {
					b.Fatal(err)
				}
				used = used.add(cpuNow().sub(u0))
			}
			used.report(b, chunks)
		})
	}
}

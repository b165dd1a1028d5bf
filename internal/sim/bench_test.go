package sim

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkConcurrentStreams serves 1000 concurrent streamed completions of
// 64 tokens (32-token prompts, ignore_eos, include_usage) at --sim-speedup
// 100 over a real listener, and reports the content chunks served per
// second of wall time; one op is one wave of 1000 requests, so ns/op is its
// wall time. Every stream must complete with 64 chunks:
//
//	go test ./internal/sim/ -run '^$' -bench ConcurrentStreams -benchtime 3x
func BenchmarkConcurrentStreams(b *testing.B) {
	const streams, tokens = 1000, 64
	_, url := startTestServer(b, "m", "--sim-speedup", "100")
	client := streamingClient(streams)
	defer client.CloseIdleConnections()
	body := streamedCompletion(tokens)
	var chunks atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for j := 0; j < streams; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stamps, ok := streamStamps(client, url+"/v1/completions", body)
				n := len(stamps)
				chunks.Add(int64(n))
				if !ok || n != tokens {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d streams failed or were short", f, b.N*streams)
	}
	b.ReportMetric(float64(chunks.Load())/elapsed.Seconds(), "chunks/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/wave")
}

// streamingClient returns a client that keeps a connection per concurrent
// stream and leaves the chunks uncompressed.
func streamingClient(streams int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: streams, MaxIdleConnsPerHost: streams, DisableCompression: true,
	}}
}

// streamedCompletion is the body of a streamed completion of a 32-token
// prompt and exactly tokens output tokens (ignore_eos), with a usage chunk
// at the end.
func streamedCompletion(tokens int) []byte {
	body, _ := json.Marshal(map[string]any{
		"prompt": ids(32, 0), "max_tokens": tokens, "ignore_eos": true, "stream": true,
		"stream_options": map[string]any{"include_usage": true},
	})
	return body
}

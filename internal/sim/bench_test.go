package sim

import (
	"bufio"
	"bytes"
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
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: streams, MaxIdleConnsPerHost: streams, DisableCompression: true,
	}}
	defer client.CloseIdleConnections()
	body, _ := json.Marshal(map[string]any{
		"prompt": ids(32, 0), "max_tokens": tokens, "ignore_eos": true, "stream": true,
		"stream_options": map[string]any{"include_usage": true},
	})
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
				n, ok := readStream(client, url+"/v1/completions", body)
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

// readStream posts a streamed request and counts the chunks that carry
// choices; ok means the stream ended with [DONE].
func readStream(client *http.Client, url string, body []byte) (n int, ok bool) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, false
	}
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return n, false
		}
		switch {
		case bytes.Equal(line, []byte("data: [DONE]\n")):
			return n, true
		case bytes.HasPrefix(line, []byte("data: ")) && !bytes.Contains(line, []byte(`"choices":[]`)):
			n++
		}
	}
}

package sim

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// BenchmarkStreamTiming measures, at the client, how faithfully the
// simulator releases tokens at speed: for each speedup and number of
// concurrent streams it serves waves of streamed completions (32-token
// prompts, 128 output tokens, ignore_eos) and reports the median
// inter-token latency (ITL, gaps between content chunks, pooled as vLLM's
// benchmark does), the median TPOT per request, the model's mean step time
// between two tokens (from vllm:inter_token_latency_seconds, divided by the
// speedup) and the share of steps the loop released late. ITL and TPOT
// agree with the model when tokens leave at their steps' times; ITL falls
// toward 0 when steps are released in bursts. One op is one wave:
//
//	go test ./internal/sim/ -run '^$' -bench StreamTiming -benchtime 5x
func BenchmarkStreamTiming(b *testing.B) {
	for _, speedup := range []int{1, 10, 20, 50} {
		for _, streams := range []int{8, 64} {
			b.Run(fmt.Sprintf("speedup=%d/streams=%d", speedup, streams), func(b *testing.B) {
				benchStreamTiming(b, speedup, streams)
			})
		}
	}
}

func benchStreamTiming(b *testing.B, speedup, streams int) {
	const outputTokens = 128
	s, url := startTestServer(b, "m", "--sim-speedup", fmt.Sprint(speedup), "--sim-run-cv", "0")
	client := streamingClient(streams)
	defer client.CloseIdleConnections()
	body := streamedCompletion(outputTokens)
	var (
		mu     sync.Mutex
		itls   []float64
		tpots  []float64
		failed int
	)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for j := 0; j < streams; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stamps, ok := streamStamps(client, url+"/v1/completions", body)
				mu.Lock()
				defer mu.Unlock()
				if !ok || len(stamps) != outputTokens {
					failed++
					return
				}
				for k := 1; k < len(stamps); k++ {
					itls = append(itls, stamps[k].Sub(stamps[k-1]).Seconds())
				}
				tpots = append(tpots, stamps[len(stamps)-1].Sub(stamps[0]).Seconds()/float64(len(stamps)-1))
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	if failed > 0 {
		b.Fatalf("%d of %d streams failed or were short", failed, b.N*streams)
	}
	var modelITL, steps, late float64
	for _, r := range s.replicas {
		st := r.met.snapshot()
		modelITL += st.itl.sum / float64(speedup) / float64(max(st.itl.count, 1))
		steps += st.steps
		late += st.lateSteps
	}
	itl, tpot := quantile(itls, 0.5), quantile(tpots, 0.5)
	b.ReportMetric(1000*itl, "itl_p50_ms")
	b.ReportMetric(1000*quantile(itls, 0.99), "itl_p99_ms")
	b.ReportMetric(1000*tpot, "tpot_p50_ms")
	b.ReportMetric(1000*modelITL, "model_itl_ms")
	b.ReportMetric(itl/modelITL, "itl/model")
	b.ReportMetric(itl/tpot, "itl/tpot")
	b.ReportMetric(late/max(steps, 1), "late_share")
}

// streamStamps posts a streamed request and returns the arrival time of
// each SSE message that carries choices; ok means the stream ended with
// [DONE].
func streamStamps(client *http.Client, url string, body []byte) (stamps []time.Time, ok bool) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, false
	}
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return stamps, false
		}
		switch {
		case bytes.Equal(line, []byte("data: [DONE]\n")):
			return stamps, true
		case bytes.HasPrefix(line, []byte("data: ")) && !bytes.Contains(line, []byte(`"choices":[]`)):
			stamps = append(stamps, time.Now())
		}
	}
}

// quantile is numpy's default (linear) percentile of xs at q in [0, 1].
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	pos := q * float64(len(c)-1)
	lo := int(pos)
	if lo+1 >= len(c) {
		return c[lo]
	}
	return c[lo] + (pos-float64(lo))*(c[lo+1]-c[lo])
}

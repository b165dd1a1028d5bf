package loadgen

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperEnv makes the test binary run TestHelperSSEServer as a server.
const helperEnv = "LOADGEN_HELPER_SSE_SERVER"

// vllmChunk is a completion chunk the size of vLLM's.
const vllmChunk = `data: {"id":"cmpl-0123456789abcdef0123456789abcdef","object":"text_completion","created":1700000000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"text":" token","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}` + "\n\n"

// streamBody renders a whole stream of n chunks with its usage and [DONE].
func streamBody(n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteString(vllmChunk)
	}
	fmt.Fprintf(&b, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":%d}}\n\ndata: [DONE]\n\n", n)
	return []byte(b.String())
}

// TestHelperSSEServer is not a test: run by BenchmarkClientCapacity in a
// child process, it serves streams as fast as it can (every chunk its own
// flushed write) so that the client's CPU is measured alone.
func TestHelperSSEServer(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper process for BenchmarkClientCapacity")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(vllmChunk)
	var mu sync.Mutex
	written := map[string][]int64{} // paced mode: wall-clock ns of each flushed chunk, by prompt
	mux := http.NewServeMux()
	mux.HandleFunc("GET /times", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		json.NewEncoder(w).Encode(written)
	})
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			MaxTokens int   `json:"max_tokens"`
			Prompt    []int `json:"prompt"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		if os.Getenv(helperEnv) == "paced" {
			times := make([]int64, 0, req.MaxTokens)
			next := time.Now().Add(pacedTTFT)
			for range req.MaxTokens {
				time.Sleep(time.Until(next))
				w.Write(chunk)
				fl.Flush()
				times = append(times, time.Now().UnixNano())
				next = next.Add(pacedITL)
			}
			mu.Lock()
			written[fmt.Sprint(req.Prompt)] = times
			mu.Unlock()
		} else {
			for range req.MaxTokens {
				w.Write(chunk)
				fl.Flush()
			}
		}
		fmt.Fprintf(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":%d}}\n\ndata: [DONE]\n\n", req.MaxTokens)
	})
	srv := &http.Server{Handler: mux}
	fmt.Println(l.Addr().String())
	go srv.Serve(l)
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	srv.Close()
}

// startHelper runs TestHelperSSEServer in a child process in the given
// mode and returns its base URL; the child ends with the benchmark.
func startHelper(b *testing.B, mode string) string {
	return startChildServer(b, "TestHelperSSEServer", helperEnv+"="+mode)
}

// startChildServer runs the test named test in a child process with env
// added, reads the address it prints on its first line and returns its
// base URL; the child ends (its stdin closed) with the benchmark.
func startChildServer(b *testing.B, test string, env ...string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	return "http://" + strings.TrimSpace(addr)
}

// cpuTime returns the CPU time (user + system) of this process.
func cpuTime() time.Duration {
	u := cpuNow()
	return u.user + u.sys
}

// BenchmarkClientCapacity measures how many streamed chunks per second the
// client takes in from a server in another process that streams as fast as
// it can, and the client's CPU time per 1,000 chunks.
//
//	go test ./internal/loadgen -run '^$' -bench ClientCapacity -benchtime 5x
func BenchmarkClientCapacity(b *testing.B) {
	base := startHelper(b, "fast")
	c := NewClient(ClientOptions{BaseURL: base, MaxConns: 64})
	defer c.Close()
	p := &PromptSet{Method: MethodApproxText, Model: "m", Endpoint: EndpointCompletions, InputLen: 16}
	for _, conc := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("streams=%d", conc), func(b *testing.B) {
			const requests, tokens = 64, 1000
			var chunks int
			var wall, cpu time.Duration
			for b.Loop() {
				cpu0, t0 := cpuTime(), time.Now()
				_, err := c.Run(context.Background(), Load{Prompts: p, N: requests, OutputLen: tokens, Concurrency: conc}, func(r Record) {
					if !r.OK() {
						b.Fatalf("request failed: %s", r.Error)
					}
					chunks += len(r.ITLsS) + 1
				})
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(t0)
				cpu += cpuTime() - cpu0
			}
			b.ReportMetric(float64(chunks)/wall.Seconds(), "chunks/s")
			b.ReportMetric(cpu.Seconds()*1000/(float64(chunks)/1000), "client-cpu-ms/1k-chunks")
		})
	}
}

// Pacing of the helper server in "paced" mode.
const (
	pacedTTFT = 50 * time.Millisecond
	pacedITL  = 20 * time.Millisecond
)

// BenchmarkTimingFidelity measures the error that the client adds to TTFT
// and ITL: a server in another process streams 50 chunks with known pacing
// (TTFT 50 ms, ITL 20 ms; all streams in step, like a batched decode) and
// notes the wall-clock instant each chunk left it; the client's time of
// each chunk is compared with it. Reported: p50 and p99 of
// |client TTFT - server TTFT| (the first chunk's delivery delay) and of
// |client ITL - server ITL|, in µs.
//
//	go test ./internal/loadgen -run '^$' -bench TimingFidelity -benchtime 3x
func BenchmarkTimingFidelity(b *testing.B) {
	const tokens, inputLen = 50, 8
	base := startHelper(b, "paced")
	pool := make([]int, 5000)
	for i := range pool {
		pool[i] = i
	}
	for _, streams := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			var ttftErrUs, itlErrUs []float64
			for b.Loop() {
				c := NewClient(ClientOptions{BaseURL: base, MaxConns: streams})
				p := &PromptSet{Method: MethodTokenIDs, Model: "m", Endpoint: EndpointCompletions, InputLen: inputLen, pool: pool, seed: time.Now().UnixNano()}
				n := max(streams, 3)
				recs := make([]Record, n)
				round, err := c.Run(context.Background(), Load{Prompts: p, N: n, OutputLen: tokens, Concurrency: streams}, func(r Record) { recs[r.Index] = r })
				c.Close()
				if err != nil {
					b.Fatal(err)
				}
				resp, err := http.Get(base + "/times")
				if err != nil {
					b.Fatal(err)
				}
				var written map[string][]int64
				json.NewDecoder(resp.Body).Decode(&written)
				resp.Body.Close()
				for i, r := range recs {
					if !r.OK() {
						b.Fatalf("request %d: %s", i, r.Error)
					}
					w := written[fmt.Sprint(p.Prompt(i).TokenIDs)]
					if len(w) != tokens {
						b.Fatalf("request %d: server times for %d chunks", i, len(w))
					}
					at := round.Start.UnixNano() + int64(r.StartS*1e9) + int64(r.TTFTS*1e9)
					prevDelay := at - w[0]
					ttftErrUs = append(ttftErrUs, math.Abs(float64(prevDelay)/1e3))
					for k, gap := range r.ITLsS {
						at += int64(float64(gap) * 1e9)
						delay := at - w[k+1]
						itlErrUs = append(itlErrUs, math.Abs(float64(delay-prevDelay)/1e3))
						prevDelay = delay
					}
				}
			}
			slices.Sort(ttftErrUs)
			slices.Sort(itlErrUs)
			b.ReportMetric(pct(ttftErrUs, 50), "ttft-err-p50-us")
			b.ReportMetric(pct(ttftErrUs, 99), "ttft-err-p99-us")
			b.ReportMetric(pct(itlErrUs, 50), "itl-err-p50-us")
			b.ReportMetric(pct(itlErrUs, 99), "itl-err-p99-us")
		})
	}
}

// pct is a nearest-rank percentile of sorted values.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p/100*float64(len(sorted))))]
}

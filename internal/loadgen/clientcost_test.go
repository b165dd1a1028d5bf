package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// replayEnv makes the test binary run TestHelperReplayServer as a server;
// its value is the gap between two chunks of a stream, e.g. "1ms".
const replayEnv = "LOADGEN_HELPER_REPLAY_SERVER"

// replayFrame is one chunk of vllmChunk framed for HTTP/1.1 chunked
// transfer encoding, as a server's socket carries it.
func replayFrame(payload string) []byte {
	return []byte(fmt.Sprintf("%x\r\n%s\r\n", len(payload), payload))
}

// TestHelperReplayServer is not a test: run by BenchmarkClientCost in a child
// process, it answers every streamed completion by replaying pre-encoded
// bytes (HTTP head, one chunked frame per token, usage, [DONE]) at a set
// pace, every stream in step like a batched decode. It parses nothing but
// the request head and max_tokens, so its own cost stays far below the
// client's; and being another process, that cost is not in the client's
// CPU time at all.
func TestHelperReplayServer(t *testing.T) {
	gapStr := os.Getenv(replayEnv)
	if gapStr == "" {
		t.Skip("helper process for BenchmarkClientCost")
	}
	gap, err := time.ParseDuration(gapStr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &replayPacer{gap: gap, frame: replayFrame(vllmChunk)}
	go p.run()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(conn)
		}
	}()
	fmt.Println(l.Addr().String())
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	l.Close()
}

// replayStream is one response being replayed.
type replayStream struct {
	conn net.Conn
	left int
	done chan struct{}
}

// replayPacer writes one frame to every active stream each gap.
type replayPacer struct {
	gap   time.Duration
	frame []byte
	mu    sync.Mutex
	live  []*replayStream
}

// replayHead starts every response.
const replayHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"

// serve reads requests on one keep-alive connection and hands each to the
// pacer.
func (p *replayPacer) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		n, err := readRequest(br)
		if err != nil {
			return
		}
		if _, err := io.WriteString(conn, replayHead); err != nil {
			return
		}
		s := &replayStream{conn: conn, left: n, done: make(chan struct{})}
		p.mu.Lock()
		p.live = append(p.live, s)
		p.mu.Unlock()
		<-s.done
	}
}

// readRequest reads one request head and body and returns its max_tokens.
func readRequest(br *bufio.Reader) (int, error) {
	length := 0
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return 0, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, err
	}
	_, rest, _ := bytes.Cut(body, []byte(`"max_tokens":`))
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return 0, fmt.Errorf("no max_tokens in %q", body)
	}
	return strconv.Atoi(string(rest[:end]))
}

// run paces the streams: each gap, one frame to every live stream; a stream
// that has had all its tokens gets usage, [DONE] and the last chunk.
func (p *replayPacer) run() {
	tail := append(replayFrame(`data: {"choices":[],"usage":{"prompt_tokens":16,"completion_tokens":1}}`+"\n\n"+"data: [DONE]\n\n"), "0\r\n\r\n"...)
	next := time.Now()
	for {
		next = next.Add(p.gap)
		time.Sleep(time.Until(next))
		p.mu.Lock()
		live := p.live[:0]
		for _, s := range p.live {
			if _, err := s.conn.Write(p.frame); err != nil {
				close(s.done)
				continue
			}
			if s.left--; s.left > 0 {
				live = append(live, s)
				continue
			}
			s.conn.Write(tail)
			close(s.done)
		}
		clear(p.live[len(live):])
		p.live = live
		p.mu.Unlock()
	}
}

// replayURLEnv names a replay server started by hand, so that a profiler
// attached to the benchmark (perf stat follows children) sees the client
// alone:
//
//	LOADGEN_HELPER_REPLAY_SERVER=1ms ./loadgen.test -test.run TestHelperReplayServer
const replayURLEnv = "LOADGEN_REPLAY_URL"

// startReplay runs TestHelperReplayServer in a child process (GOMAXPROCS 1)
// and returns its base URL; the child ends with the benchmark.
func startReplay(b *testing.B, gap time.Duration) string {
	if url := os.Getenv(replayURLEnv); url != "" {
		return url
	}
	return startChildServer(b, "TestHelperReplayServer", replayEnv+"="+gap.String(), "GOMAXPROCS=1")
}

// BenchmarkClientCost measures the client's CPU time per streamed chunk
// (user + system, from getrusage, so other work on the machine does not
// count) against a server in another process that replays pre-encoded
// chunks to 64 streams in step, one chunk per stream every millisecond:
// every chunk arrives on its own, as from a real server, and costs the
// client a wake-up, a read, chunk decoding, SSE parsing and a timestamp.
//
// "client" is the load generator; "floor" reads the same sockets with bare
// conn.Read calls and one clock reading per read, and parses nothing: what
// the kernel and the Go runtime charge for delivering the bytes, which no
// parser can save.
//
//	go test ./internal/loadgen -run '^$' -bench ClientCost -benchtime 5x -cpu 1,2
func BenchmarkClientCost(b *testing.B) {
	const streams, tokens = 64, 1000
	base := startReplay(b, time.Millisecond)
	b.Run("client", func(b *testing.B) {
		c := NewClient(ClientOptions{BaseURL: base, MaxConns: streams})
		defer c.Close()
		p := &PromptSet{Method: MethodApproxText, Model: "m", Endpoint: EndpointCompletions, InputLen: 16}
		var chunks int
		var used cpuUse
		for b.Loop() {
			u0 := cpuNow()
			_, err := c.Run(context.Background(), Load{Prompts: p, N: streams, OutputLen: tokens, Concurrency: streams}, func(r Record) {
				if !r.OK() {
					b.Fatalf("request failed: %s", r.Error)
				}
				chunks += len(r.ITLsS) + 1
			})
			if err != nil {
				b.Fatal(err)
			}
			used = used.add(cpuNow().sub(u0))
		}
		used.report(b, chunks)
	})
	b.Run("floor", func(b *testing.B) {
		conns := make([]net.Conn, streams)
		for i := range conns {
			c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			conns[i] = c
		}
		body := fmt.Sprintf(`{"max_tokens":%d}`, tokens)
		req := []byte(fmt.Sprintf("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
		end := []byte("0\r\n\r\n")
		var used cpuUse
		for b.Loop() {
			u0 := cpuNow()
			var wg sync.WaitGroup
			for _, c := range conns {
				wg.Go(func() {
					if _, err := c.Write(req); err != nil {
						b.Error(err)
						return
					}
					buf := make([]byte, 4<<10)
					var tail []byte
					for !bytes.HasSuffix(tail, end) {
						n, err := c.Read(buf)
						if err != nil {
							b.Error(err)
							return
						}
						_ = time.Now()
						tail = append(tail[:0], buf[max(n-len(end), 0):n]...)
					}
				})
			}
			wg.Wait()
			used = used.add(cpuNow().sub(u0))
		}
		used.report(b, b.N*streams*tokens)
	})
}

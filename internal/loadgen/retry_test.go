package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// closingServer is a raw HTTP/1.1 server that answers requests with a short
// stream on kept-alive connections and closes a connection, without a byte
// of answer, when the request is the one its close rule picks: what a
// server does whose keep-alive timeout ran out just as a request came in.
type closingServer struct {
	// close picks the requests to drop: k is the request's position on its
	// connection (1 is the first) and n its position over the server.
	close func(k, n int) bool
	// cutAnswer sends the status line and headers of a dropped request
	// before closing, so the client sees bytes of an answer.
	cutAnswer bool

	ln      net.Listener
	served  atomic.Int64
	dropped atomic.Int64
	conns   atomic.Int64
	wg      sync.WaitGroup
}

// closingStream is the answer of every served request: one token with its
// finish_reason, the usage, and [DONE].
const closingStream = "data: {\"choices\":[{\"index\":0,\"text\":\"a\",\"finish_reason\":\"length\"}],\"usage\":null}\n\n" +
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n" +
	"data: [DONE]\n\n"

func newClosingServer(t *testing.T, s *closingServer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.wg.Go(func() { s.serve(conn) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return "http://" + ln.Addr().String()
}

func (s *closingServer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for k := 1; ; k++ {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		n := int(s.served.Load() + s.dropped.Load() + 1)
		if s.close(k, n) {
			s.dropped.Add(1)
			if s.cutAnswer {
				fmt.Fprint(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 1000\r\n\r\n")
			}
			return
		}
		s.served.Add(1)
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: %d\r\n\r\n%s", len(closingStream), closingStream)
		if req.Close {
			return
		}
	}
}

// approxPrompts are prompts that need no tokenizer.
func approxPrompts() *PromptSet {
	return &PromptSet{Method: MethodApproxText, Model: "m", Endpoint: EndpointCompletions, InputLen: 3}
}

func TestRunRetriesAConnectionClosedBeforeTheAnswer(t *testing.T) {
	// Every second request on a connection finds it closed, as with a
	// server that closes kept-alive connections between requests.
	s := &closingServer{close: func(k, _ int) bool { return k == 2 }}
	c := NewClient(ClientOptions{BaseURL: newClosingServer(t, s), MaxConns: 1})
	defer c.Close()
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: approxPrompts(), N: 6, OutputLen: 1, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, r := range recs {
		if !r.OK() {
			t.Errorf("request %d failed: %s", r.Index, r.Error)
		}
		if r.Retried {
			retried++
		}
	}
	if retried == 0 || int64(retried) != s.dropped.Load() {
		t.Errorf("%d records retried, the server dropped %d requests; want the same, > 0", retried, s.dropped.Load())
	}
	if s.served.Load() != 6 {
		t.Errorf("server answered %d requests, want 6", s.served.Load())
	}
}

func TestRunRetriesOnlyOnce(t *testing.T) {
	// Every request on a reused connection is dropped, and so is the retry
	// of the fourth request (the server's sixth): it fails, once retried.
	s := &closingServer{close: func(k, n int) bool { return k >= 2 || n == 6 }}
	c := NewClient(ClientOptions{BaseURL: newClosingServer(t, s), MaxConns: 1})
	defer c.Close()
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: approxPrompts(), N: 4, OutputLen: 1, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range recs {
		if !r.OK() {
			failed++
			if !r.Retried {
				t.Errorf("request %d failed without a retry: %s", r.Index, r.Error)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d requests failed, want 1 (a retry that the server dropped too): %+v", failed, recs)
	}
}

func TestRunDoesNotRetry(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *closingServer
	}{
		// A fresh connection closed at once: the server refused the request.
		{"fresh connection", &closingServer{close: func(k, n int) bool { return n == 1 }}},
		// Bytes of the answer came: the server had the request.
		{"answer begun", &closingServer{close: func(k, _ int) bool { return k == 2 }, cutAnswer: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClient(ClientOptions{BaseURL: newClosingServer(t, tc.s), MaxConns: 1})
			defer c.Close()
			recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: approxPrompts(), N: 2, OutputLen: 1, Concurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, r := range recs {
				if r.Retried {
					t.Errorf("request %d was retried", r.Index)
				}
				if !r.OK() {
					errs = append(errs, r.Error)
				}
			}
			if len(errs) != 1 {
				t.Errorf("failed requests: %q, want one", errs)
			}
			if tc.s.dropped.Load() != 1 {
				t.Errorf("the server dropped %d requests, want 1", tc.s.dropped.Load())
			}
			if strings.Contains(strings.Join(errs, ""), "retr") {
				t.Errorf("error mentions a retry: %q", errs)
			}
		})
	}
}

func TestCallRetriesAConnectionClosedBeforeTheAnswer(t *testing.T) {
	s := &closingServer{close: func(k, _ int) bool { return k == 2 }}
	c := NewClient(ClientOptions{BaseURL: newClosingServer(t, s), MaxConns: 1})
	defer c.Close()
	for i := range 3 {
		// The server answers a stream, not JSON: the point is that every
		// POST got an answer, not a transport error.
		var out struct{}
		if err := c.call(context.Background(), http.MethodPost, "/tokenize", map[string]string{"prompt": "x"}, &out); err == nil || !strings.Contains(err.Error(), "decoding") {
			t.Fatalf("call %d: err = %v, want a decoding error", i, err)
		}
	}
	if s.dropped.Load() == 0 {
		t.Error("the server dropped no request; the test proves nothing")
	}
}

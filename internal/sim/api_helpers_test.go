package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// startTestServer runs the API in-process over a real listener, with the
// flags of `args` (the model name comes first).
func startTestServer(t testing.TB, args ...string) (*server, string) {
	t.Helper()
	return startTestServerLog(t, io.Discard, args...)
}

// startTestServerLog is startTestServer with the log written to logW.
func startTestServerLog(t testing.TB, logW io.Writer, args ...string) (*server, string) {
	t.Helper()
	o, err := parseArgs(args)
	if err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	p, err := newPlan(&o)
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(42)
	if o.Seed != nil {
		seed = uint64(*o.Seed)
	}
	s := newServer(o, p, newLogger(logW), seed, speedFactor(newRand(seed, 0), o.SimRunCV))
	s.start()
	ts := httptest.NewServer(s.handler())
	t.Cleanup(func() {
		s.stop() // releases hung and streaming handlers first
		ts.Close()
	})
	return s, ts.URL
}

// post sends a JSON body and returns the status and the body.
func post(t testing.TB, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// sseEvents splits a streamed body into its data payloads, like vLLM's
// benchmark client does.
func sseEvents(t testing.TB, body []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("not an SSE data line: %q", line)
		}
		out = append(out, data)
	}
	return out
}

// streamChunk is the part of a streamed chunk the tests look at.
type streamChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Index        int     `json:"index"`
		Text         string  `json:"text"`
		FinishReason *string `json:"finish_reason"`
		Delta        struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

// parseStream decodes the chunks before [DONE] and reports whether [DONE]
// ended the stream.
func parseStream(t testing.TB, body []byte) (chunks []streamChunk, done bool) {
	t.Helper()
	events := sseEvents(t, body)
	for i, e := range events {
		if e == "[DONE]" {
			if i != len(events)-1 {
				t.Fatalf("[DONE] is not last")
			}
			return chunks, true
		}
		var c streamChunk
		if err := json.Unmarshal([]byte(e), &c); err != nil {
			t.Fatalf("chunk %q: %v", e, err)
		}
		chunks = append(chunks, c)
	}
	return chunks, false
}

func ids(n, start int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = firstOrdinaryID + (start+i*7919)%ordinaryCount
	}
	return out
}

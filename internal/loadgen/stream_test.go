package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fakeClock returns a clock that advances by step on every reading.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time {
		now = now.Add(step)
		return now
	}
}

const (
	tok       = `{"choices":[{"index":0,"text":"x"}]}`
	usage     = `{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}`
	fin       = `{"choices":[{"index":0,"text":"y","finish_reason":"length"}]}`
	finUsage  = `{"choices":[{"index":0,"text":"y","finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":2}}`
	second    = `{"choices":[{"index":1,"text":"z","finish_reason":null}]}`
	secondFin = `{"choices":[{"index":1,"text":"z","finish_reason":"stop"}]}`
)

func TestReadStream(t *testing.T) {
	long := `{"choices":[{"text":"` + strings.Repeat("a", 200<<10) + `"}]}`
	tests := []struct {
		name    string
		body    string
		chunks  int
		wantErr string
	}{
		{"plain", "data: " + tok + "\n\ndata: " + tok + "\n\ndata: " + tok + "\n\ndata: " + usage + "\n\ndata: [DONE]\n\n", 3, ""},
		{"crlf", "data: " + tok + "\r\n\r\ndata: " + usage + "\r\n\r\ndata: [DONE]\r\n\r\n", 1, ""},
		{"no space after data", "data:" + tok + "\n\ndata:[DONE]\n\n", 1, ""},
		{"comments and other fields", ": keep-alive\n\nevent: message\nid: 1\ndata: " + tok + "\n\n: ping\ndata: [DONE]\n\n", 1, ""},
		{"line over 64 KB", "data: " + long + "\n\ndata: " + tok + "\n\ndata: [DONE]\n\n", 2, ""},
		{"done without final blank line", "data: " + tok + "\n\ndata: [DONE]", 1, ""},
		{"lines without blank separators", "data: " + tok + "\ndata: " + tok + "\ndata: [DONE]\n", 2, ""},
		{"cut before done", "data: " + tok + "\n\ndata: " + tok + "\n\n", 2, "stream ended before [DONE] and before a finish_reason, after 2 messages"},
		{"finished and usage without done", "data: " + tok + "\n\ndata: " + fin + "\n\ndata: " + usage + "\n\n", 2, ""},
		{"finished through the decoder without done", "data: " + tok + "\n\ndata: " + finUsage + "\n\n", 2, ""},
		{"finished without usage or done", "data: " + tok + "\n\ndata: " + fin + "\n\n", 2, "without the usage it asked for"},
		{"one of two choices finished", "data: " + fin + "\n\ndata: " + second + "\n\ndata: " + usage + "\n\n", 2, "before a finish_reason"},
		{"both choices finished", "data: " + fin + "\n\ndata: " + secondFin + "\n\ndata: " + usage + "\n\n", 2, ""},
		{"cut mid message", "data: " + tok + "\n\ndata: {\"choi", 1, "malformed stream message"},
		{"error object", "data: " + tok + "\n\ndata: {\"error\":{\"message\":\"out of KV cache\",\"code\":500}}\n\n", 1, "error in stream: out of KV cache"},
		{"error string", "data: {\"error\":\"boom\"}\n\n", 0, "error in stream: boom"},
		{"object error", "data: {\"object\":\"error\",\"message\":\"bad prompt\",\"type\":\"BadRequestError\",\"code\":400}\n\n", 0, "error in stream: bad prompt"},
		{"empty", "", 0, "stream ended before [DONE] and before a finish_reason, after 0 messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Unix(1000, 0)
			st := streamState{sent: t0, needUsage: true}
			err := readStream(strings.NewReader(tt.body), fakeClock(t0, time.Millisecond), &st)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("readStream: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("readStream error = %v, want one containing %q", err, tt.wantErr)
			}
			if st.chunks != tt.chunks {
				t.Errorf("chunks = %d, want %d", st.chunks, tt.chunks)
			}
		})
	}
}

func TestReadStreamTimes(t *testing.T) {
	body := ": first comment\n\ndata: " + tok + "\n\ndata: " + tok + "\n\ndata: " + tok + "\n\ndata: " + usage + "\n\ndata: [DONE]\n\n"
	t0 := time.Unix(1000, 0)
	st := streamState{sent: t0}
	if err := readStream(strings.NewReader(body), fakeClock(t0, 10*time.Millisecond), &st); err != nil {
		t.Fatal(err)
	}
	// The clock is read once per event: tok at 10, 20, 30 ms, usage at 40.
	if st.ttftS != 0.010 || len(st.itls) != 2 || st.itls[0] != 0.010 || st.itls[1] != 0.010 {
		t.Errorf("ttft %v itls %v, want 0.01 and [0.01 0.01]", st.ttftS, st.itls)
	}
	if st.latencyS != 0.030 {
		t.Errorf("latency %v, want 0.03 (the usage message does not count)", st.latencyS)
	}
	if st.promptTok != 12 || st.complTok != 3 {
		t.Errorf("usage %d/%d, want 12/3", st.promptTok, st.complTok)
	}
}

func FuzzSSE(f *testing.F) {
	f.Add([]byte("data: " + tok + "\n\ndata: " + usage + "\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data:" + tok + "\r\n\r\n: c\r\ndata:[DONE]"))
	f.Add([]byte("data: {\"error\":{\"message\":\"x\"}}\n\n"))
	f.Add([]byte("data: {\"object\":\"error\"}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data: {\"choices\":[1,2]}\n\ndata: {\"usage\":null}\n\n"))
	f.Add([]byte("data\ndata\n\n\r\n::\n"))
	f.Add([]byte(`{"a":{"choices":[1]},"choices":[]}`))
	f.Add([]byte(`{"choices":[1]}`))
	f.Add([]byte(`{"choices":[{"index":1,"finish_reason":"stop"},{"index":0,"finish_reason":null,"text":"\u0041"}],"usage":null}`))
	f.Add([]byte(`{"choices" : [ {"text":"\\"usage\\":{"} ], "usage" : null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		// The allocation-free fast path must agree with the decoder.
		if m, ok := quickChoices(body); ok {
			var c sseChunk
			if err := json.Unmarshal(body, &c); err != nil || c.Usage != nil || len(c.Error) > 0 || c.Object == "error" || len(c.Choices) != m.count {
				t.Fatalf("fast path says %d choices for %q; decoder: %v, %+v", m.count, body, err, c)
			}
			if d := decodeMarks(c.Choices); d != m {
				t.Fatalf("fast path marks %+v for %q; decoder %+v", m, body, d)
			}
		}
		t0 := time.Unix(0, 0)
		st := streamState{sent: t0}
		err := readStream(strings.NewReader(string(body)), fakeClock(t0, time.Microsecond), &st)
		if err == nil && st.chunks > 0 && st.latencyS < st.ttftS {
			t.Fatalf("latency %v before ttft %v", st.latencyS, st.ttftS)
		}
		if st.chunks > 0 && len(st.itls) != st.chunks-1 {
			t.Fatalf("%d chunks but %d ITLs", st.chunks, len(st.itls))
		}
	})
}

// BenchmarkReadStream is the client's parse cost per chunk with no network
// in the way: SSE framing, the token-message scan and the timestamps of a
// 1,000-chunk vLLM stream read from memory.
//
//	go test ./internal/loadgen -run '^$' -bench ReadStream
func BenchmarkReadStream(b *testing.B) {
	body := streamBody(1000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		st := streamState{sent: time.Now(), needUsage: true, itls: make([]float32, 0, 1000)}
		if err := readStream(bytes.NewReader(body), time.Now, &st); err != nil || st.chunks != 1000 {
			b.Fatalf("read %d chunks: %v", st.chunks, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/chunk")
}

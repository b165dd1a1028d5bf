package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestStreamedCompletion(t *testing.T) {
	_, url := startTestServer(t, "meta-llama/Llama-2-7b-hf", "--sim-speedup", "100")
	code, body := post(t, url+"/v1/completions", map[string]any{
		"model": "meta-llama/Llama-2-7b-hf", "prompt": ids(512, 1), "max_tokens": 64,
		"ignore_eos": true, "stream": true, "stream_options": map[string]any{"include_usage": true},
	})
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	chunks, done := parseStream(t, body)
	if !done {
		t.Fatal("stream did not end with [DONE]")
	}
	content := chunks[:len(chunks)-1]
	if len(content) != 64 {
		t.Fatalf("%d content chunks, want 64", len(content))
	}
	for i, c := range content {
		if len(c.Choices) != 1 || c.Object != "text_completion" || !strings.HasPrefix(c.ID, "cmpl-") || c.Choices[0].Text == "" {
			t.Fatalf("chunk %d malformed: %+v", i, c)
		}
		fin := c.Choices[0].FinishReason
		if (i < 63) != (fin == nil) || (i == 63 && *fin != "length") {
			t.Fatalf("chunk %d finish_reason %v", i, fin)
		}
	}
	u := chunks[len(chunks)-1]
	if len(u.Choices) != 0 || u.Usage == nil || *u.Usage != (usage{PromptTokens: 512, CompletionTokens: 64, TotalTokens: 576}) {
		t.Fatalf("usage chunk %+v", u)
	}
	if !strings.Contains(string(body), `"choices":[],"usage":{"prompt_tokens":512,"total_tokens":576,"completion_tokens":64}`) {
		t.Errorf("usage chunk not in vLLM's shape")
	}
}

func TestStreamedChat(t *testing.T) {
	_, url := startTestServer(t, "m", "--served-model-name", "chatty", "--sim-speedup", "100")
	code, body := post(t, url+"/v1/chat/completions", map[string]any{
		"model": "chatty", "messages": []map[string]any{{"role": "user", "content": "Hello there, how are you?"}},
		"max_completion_tokens": 10, "ignore_eos": true, "stream": true,
		"stream_options": map[string]any{"include_usage": true},
	})
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	chunks, done := parseStream(t, body)
	if !done || len(chunks) != 12 {
		t.Fatalf("%d chunks (done=%v), want role + 10 tokens + usage", len(chunks), done)
	}
	if chunks[0].Choices[0].Delta.Role != "assistant" || chunks[0].Object != "chat.completion.chunk" || chunks[0].Model != "chatty" {
		t.Errorf("first chunk %+v, want the assistant role", chunks[0])
	}
	for _, c := range chunks[1:11] {
		if c.Choices[0].Delta.Content == "" {
			t.Fatalf("empty content chunk %+v", c)
		}
	}
	tok := newTokenizer()
	text, _ := renderChat([]chatMessage{{Role: "user", Content: json.RawMessage(`"Hello there, how are you?"`)}})
	want := usage{PromptTokens: len(tok.encode(text, true)), CompletionTokens: 10}
	want.TotalTokens = want.PromptTokens + 10
	if u := chunks[11].Usage; u == nil || *u != want {
		t.Errorf("usage %+v, want %+v", u, want)
	}
	// /tokenize of the same messages gives the same prompt count.
	_, tb := post(t, url+"/tokenize", map[string]any{"messages": []map[string]any{{"role": "user", "content": "Hello there, how are you?"}}})
	var tr struct{ Count int }
	_ = json.Unmarshal(tb, &tr)
	if tr.Count != want.PromptTokens {
		t.Errorf("/tokenize counts %d for the chat, usage %d", tr.Count, want.PromptTokens)
	}
}

func TestNonStreamedCompletions(t *testing.T) {
	_, url := startTestServer(t, "m", "--sim-speedup", "100", "--seed", "3")
	code, body := post(t, url+"/v1/completions", map[string]any{
		"prompt": []string{"first prompt", "a second, longer prompt here"}, "max_tokens": 5, "ignore_eos": true,
	})
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	var r struct {
		Object  string
		Choices []completionChoice
		Usage   usage
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	tok := newTokenizer()
	p := len(tok.encode("first prompt", true)) + len(tok.encode("a second, longer prompt here", true))
	if r.Object != "text_completion" || len(r.Choices) != 2 || r.Usage != (usage{p, p + 10, 10}) {
		t.Fatalf("response %+v, want 2 choices and usage %d+10", r, p)
	}
	for i, c := range r.Choices {
		if c.Index != i || c.FinishReason != "length" || len(strings.Fields(c.Text)) != 5 {
			t.Errorf("choice %+v", c)
		}
	}
	// Token-id lists and the chat form.
	code, body = post(t, url+"/v1/completions", map[string]any{"prompt": [][]int{ids(7, 0), ids(9, 5)}, "max_tokens": 2})
	if code != 200 || !strings.Contains(string(body), `"prompt_tokens":16`) {
		t.Errorf("list of token lists: %d %s", code, body)
	}
	code, body = post(t, url+"/v1/chat/completions", map[string]any{
		"messages": []map[string]any{{"role": "user", "content": []map[string]string{{"type": "text", "text": "hi"}}}}, "max_tokens": 3, "ignore_eos": true,
	})
	if code != 200 || !strings.Contains(string(body), `"object":"chat.completion"`) || !strings.Contains(string(body), `"completion_tokens":3`) {
		t.Errorf("chat: %d %s", code, body)
	}
}

func TestEOSStopsEarly(t *testing.T) {
	_, url := startTestServer(t, "m", "--sim-speedup", "1000", "--seed", "11")
	stops := 0
	for i := 0; i < 6; i++ {
		code, body := post(t, url+"/v1/completions", map[string]any{"prompt": ids(8, i), "max_tokens": 600, "min_tokens": 4})
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		var r struct {
			Choices []completionChoice
			Usage   usage
		}
		_ = json.Unmarshal(body, &r)
		n := r.Usage.CompletionTokens
		if n < 4 || n > 600 || len(strings.Fields(r.Choices[0].Text)) != n {
			t.Fatalf("completion tokens %d, text words %d", n, len(strings.Fields(r.Choices[0].Text)))
		}
		if r.Choices[0].FinishReason == "stop" {
			stops++
			if n == 600 {
				t.Error("finish_reason stop at max_tokens")
			}
		}
	}
	if stops == 0 {
		t.Error("no request stopped at an EOS in 6 tries with a mean of 256 tokens and max_tokens 600")
	}
}

func TestErrorShapes(t *testing.T) {
	_, url := startTestServer(t, "m", "--max-model-len", "1024", "--sim-speedup", "100")
	tests := []struct {
		name string
		path string
		body map[string]any
		code int
		msg  string
	}{
		{"prompt plus max_tokens too long", "/v1/completions", map[string]any{"prompt": ids(1000, 0), "max_tokens": 100}, 400, "maximum context length is 1024"},
		{"prompt too long", "/v1/completions", map[string]any{"prompt": ids(1024, 0)}, 400, "1024 input tokens"},
		{"unknown model", "/v1/completions", map[string]any{"model": "other", "prompt": "x"}, 404, "does not exist"},
		{"max_tokens 0", "/v1/completions", map[string]any{"prompt": "x", "max_tokens": 0}, 400, "max_tokens"},
		{"empty prompt", "/v1/completions", map[string]any{"prompt": []int{}}, 400, "empty"},
		{"token out of vocabulary", "/v1/completions", map[string]any{"prompt": []int{1, 99999}}, 400, "out of vocabulary"},
		{"stream options without stream", "/v1/completions", map[string]any{"prompt": "x", "stream_options": map[string]any{"include_usage": true}}, 400, "stream=True"},
		{"detokenize out of vocabulary", "/detokenize", map[string]any{"tokens": []int{-1}}, 400, "out of vocabulary"},
	}
	for _, tt := range tests {
		code, body := post(t, url+tt.path, tt.body)
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil || code != tt.code || e.Code != tt.code || e.Object != "error" ||
			!strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: %d %s, want %d mentioning %q", tt.name, code, body, tt.code, tt.msg)
		}
		if tt.code == 400 && (e.Type != "BadRequestError" || !strings.Contains(string(body), `"param":null`)) {
			t.Errorf("%s: %s is not vLLM's 400 shape", tt.name, body)
		}
	}
}

func TestTokenizeDetokenize(t *testing.T) {
	_, url := startTestServer(t, "m", "--max-model-len", "2048")
	text := "The simulator must round-trip this text: 42 tokens, more or less!"
	tokenize := func(body map[string]any) (r struct {
		Count       int   `json:"count"`
		MaxModelLen int   `json:"max_model_len"`
		Tokens      []int `json:"tokens"`
	}) {
		code, b := post(t, url+"/tokenize", body)
		if code != 200 || json.Unmarshal(b, &r) != nil {
			t.Fatalf("/tokenize: %d %s", code, b)
		}
		return r
	}
	first := tokenize(map[string]any{"model": "m", "prompt": text})
	if first.Count != len(first.Tokens) || first.MaxModelLen != 2048 || first.Tokens[0] != bosID {
		t.Fatalf("/tokenize: %+v", first)
	}
	code, b := post(t, url+"/detokenize", map[string]any{"model": "m", "tokens": first.Tokens})
	var d struct{ Prompt string }
	if code != 200 || json.Unmarshal(b, &d) != nil || d.Prompt == "" {
		t.Fatalf("/detokenize: %d %s", code, b)
	}
	if again := tokenize(map[string]any{"prompt": d.Prompt}); !slices.Equal(again.Tokens, first.Tokens) {
		t.Errorf("round trip changed the ids: %v vs %v", again.Tokens, first.Tokens)
	}
	if raw := tokenize(map[string]any{"prompt": text, "add_special_tokens": false}); !slices.Equal(raw.Tokens, first.Tokens[1:]) {
		t.Errorf("add_special_tokens false must drop only BOS")
	}
}

func TestInfoEndpoints(t *testing.T) {
	_, url := startTestServer(t, "meta-llama/Llama-2-7b-hf", "--served-model-name", "llama", "--max-model-len", "4096", "--sim-speedup", "100")
	get := func(path string) (int, string) {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/health"); code != 200 || body != "" {
		t.Errorf("/health: %d %q, want 200 and an empty body", code, body)
	}
	if code, body := get("/version"); code != 200 || body != `{"version":"`+Version+`"}` {
		t.Errorf("/version: %d %s", code, body)
	}
	code, body := get("/v1/models")
	var models struct {
		Object string
		Data   []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &models); code != 200 || err != nil || models.Object != "list" || len(models.Data) != 1 {
		t.Fatalf("/v1/models: %d %s", code, body)
	}
	m := models.Data[0]
	if m["id"] != "llama" || m["object"] != "model" || m["owned_by"] != "vllm" || m["root"] != "meta-llama/Llama-2-7b-hf" ||
		m["max_model_len"] != 4096.0 || m["created"] == nil {
		t.Errorf("model card %v", m)
	}
	if v, ok := m["parent"]; !ok || v != nil {
		t.Errorf("parent must be null, got %v", m)
	}
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
	if code, body := get("/v1/completions"); code != 405 || !strings.Contains(body, "Method Not Allowed") {
		t.Errorf("GET of a POST route: %d %s, want 405 as FastAPI answers", code, body)
	}
	post(t, url+"/v1/completions", map[string]any{"prompt": ids(100, 0), "max_tokens": 7, "ignore_eos": true})
	_, metrics := get("/metrics")
	for _, want := range []string{
		`vllm:num_requests_running{engine="0",model_name="llama"} 0.0`,
		`vllm:num_requests_waiting{engine="0",model_name="llama"} 0.0`,
		`vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.0`,
		`vllm:prompt_tokens_total{engine="0",model_name="llama"} 100.0`,
		`vllm:generation_tokens_total{engine="0",model_name="llama"} 7.0`,
		`vllm:request_success_total{engine="0",finished_reason="length",model_name="llama"} 1.0`,
		`vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="llama"} 1.0`,
		`vllm:time_to_first_token_seconds_count{engine="0",model_name="llama"} 1.0`,
		`vllm:inter_token_latency_seconds_count{engine="0",model_name="llama"} 6.0`,
		`vllm:num_preemptions_total{engine="0",model_name="llama"} 0.0`,
		`vllm:prefix_cache_queries_total{engine="0",model_name="llama"} 100.0`,
		"# TYPE vllm:time_to_first_token_seconds histogram",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestRequestsAreNotLoggedByDefault(t *testing.T) {
	for _, enable := range []bool{false, true} {
		args := []string{"m", "--sim-speedup", "100"}
		if enable {
			args = append(args, "--enable-log-requests")
		}
		var buf lockedLog
		_, url := startTestServerLog(t, &buf, args...)
		post(t, url+"/v1/completions", map[string]any{"prompt": "hello", "max_tokens": 2})
		if got := strings.Contains(buf.String(), "Received request cmpl-"); got != enable {
			t.Errorf("--enable-log-requests=%v: request logged=%v", enable, got)
		}
	}
}

// lockedLog is a goroutine-safe log sink.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

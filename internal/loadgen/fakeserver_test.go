package loadgen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer is a small OpenAI-compatible server for tests: a word-level
// tokenizer whose round trip is exact and streamed completions with fixed
// delays.
type fakeServer struct {
	ttft, itl   time.Duration
	failEvery   int    // answer 500 to every failEvery-th completion
	hang        bool   // send one chunk, then block until the client leaves
	hangFrom    int64  // from this completion on (1-based), hang like hang
	noTokenize  bool   // answer 404 on /tokenize
	noDetoken   bool   // answer 404 on /detokenize
	tokenizer   string // "" vLLM's tokenizer API, "sglang", "llama.cpp", or "empty" (no tokens for any shape)
	noDone      bool   // end streams after usage, without data: [DONE]
	cutAfter    int    // end streams after this many tokens, before any finish_reason
	promptExtra int    // add to usage.prompt_tokens, as a chat template does
	wantAPIKey  string // require this bearer token
	mu          sync.Mutex
	vocab       map[string]int
	words       []string
	requests    atomic.Int64
	inFlight    atomic.Int64
	maxInFlight atomic.Int64
	bodies      []map[string]any
}

func newFakeServer(t *testing.T, f *fakeServer) *httptest.Server {
	f.vocab = map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"fake-model","object":"model"}]}`)
	})
	mux.HandleFunc("POST /tokenize", f.tokenize)
	mux.HandleFunc("POST /detokenize", f.detokenize)
	mux.HandleFunc("POST /v1/completions", f.complete)
	mux.HandleFunc("POST /v1/chat/completions", f.complete)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeServer) ids(text string) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []int
	for _, w := range strings.Fields(text) {
		id, ok := f.vocab[w]
		if !ok {
			id = len(f.words)
			f.vocab[w] = id
			f.words = append(f.words, w)
		}
		ids = append(ids, id)
	}
	return ids
}

func (f *fakeServer) tokenize(w http.ResponseWriter, r *http.Request) {
	if f.noTokenize {
		http.Error(w, `{"detail":"Not Found"}`, http.StatusNotFound)
		return
	}
	var req struct{ Prompt, Content string }
	json.NewDecoder(r.Body).Decode(&req)
	text := req.Prompt
	switch f.tokenizer {
	case "llama.cpp":
		// An unknown field reads as empty text: 200 with no tokens.
		text = req.Content
	case "empty":
		text = ""
	}
	ids := f.ids(text)
	if ids == nil {
		ids = []int{}
	}
	json.NewEncoder(w).Encode(map[string]any{"count": len(ids), "tokens": ids})
}

func (f *fakeServer) detokenize(w http.ResponseWriter, r *http.Request) {
	if f.noDetoken {
		http.Error(w, `{"detail":"Not Found"}`, http.StatusNotFound)
		return
	}
	var req struct{ Tokens []int }
	json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	words := make([]string, len(req.Tokens))
	for i, id := range req.Tokens {
		words[i] = f.words[id]
	}
	f.mu.Unlock()
	key := map[string]string{"": "prompt", "sglang": "text", "llama.cpp": "content"}[f.tokenizer]
	json.NewEncoder(w).Encode(map[string]any{key: strings.Join(words, " ")})
}

func (f *fakeServer) complete(w http.ResponseWriter, r *http.Request) {
	n := f.requests.Add(1)
	cur := f.inFlight.Add(1)
	left := false
	leave := func() {
		if !left {
			left = true
			f.inFlight.Add(-1)
		}
	}
	defer leave()
	for {
		m := f.maxInFlight.Load()
		if cur <= m || f.maxInFlight.CompareAndSwap(m, cur) {
			break
		}
	}
	if f.wantAPIKey != "" && r.Header.Get("Authorization") != "Bearer "+f.wantAPIKey {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"Unauthorized"}`)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.mu.Unlock()
	if f.failEvery > 0 && n%int64(f.failEvery) == 0 {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"object":"error","message":"injected failure %d","type":"InternalServerError","param":null,"code":500}`, n)
		return
	}
	promptTokens := 0
	switch p := body["prompt"].(type) {
	case []any:
		promptTokens = len(p)
	case string:
		promptTokens = len(strings.Fields(p))
	}
	if msgs, ok := body["messages"].([]any); ok && len(msgs) > 0 {
		promptTokens = len(strings.Fields(msgs[0].(map[string]any)["content"].(string)))
	}
	promptTokens += f.promptExtra
	maxTokens := 0
	for _, k := range []string{"max_tokens", "max_completion_tokens"} {
		if v, ok := body[k].(float64); ok {
			maxTokens = int(v)
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	for i := range maxTokens {
		delay := f.itl
		if i == 0 {
			delay = f.ttft
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		if f.cutAfter > 0 && i == f.cutAfter {
			return
		}
		finish := "null"
		if i == maxTokens-1 {
			finish = `"length"`
		}
		fmt.Fprintf(w, "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" t%d\",\"finish_reason\":%s}],\"usage\":null}\n\n", i, finish)
		fl.Flush()
		if f.hang || (f.hangFrom > 0 && n >= f.hangFrom) {
			<-r.Context().Done()
			return
		}
	}
	// The client may send its next request as soon as it reads the end.
	leave()
	fmt.Fprintf(w, "data: {\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n", promptTokens, maxTokens, promptTokens+maxTokens)
	if !f.noDone {
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
	fl.Flush()
}

package loadgen

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestPromptsTokenIDs(t *testing.T) {
	srv := newFakeServer(t, &fakeServer{})
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	p := prompts(t, c, EndpointCompletions, 100, 0)
	if p.Method != MethodTokenIDs {
		t.Fatalf("method %q", p.Method)
	}
	a, b := p.Prompt(5), p.Prompt(5)
	if len(a.TokenIDs) != 100 || a.Len != 100 || !reflect.DeepEqual(a, b) {
		t.Errorf("prompt 5 not exact or not reproducible: %d ids", len(a.TokenIDs))
	}
	if reflect.DeepEqual(a.TokenIDs, p.Prompt(6).TokenIDs) {
		t.Error("prompts 5 and 6 are equal")
	}
	q := prompts(t, c, EndpointCompletions, 100, 0)
	if !reflect.DeepEqual(a, q.Prompt(5)) {
		t.Error("the same seed gave another prompt")
	}
}

func TestPromptsChat(t *testing.T) {
	f := &fakeServer{}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	p := prompts(t, c, EndpointChat, 50, 12)
	if p.Method != MethodCheckedText {
		t.Fatalf("method %q", p.Method)
	}
	for i := range 12 {
		text := p.Prompt(i).Text
		if n := len(strings.Fields(text)); n != 50 {
			t.Errorf("prompt %d has %d tokens, want 50", i, n)
		}
	}
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 3, OutputLen: 2, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if !r.OK() || r.PromptTokens != 50 {
			t.Errorf("chat record %+v", r)
		}
	}
	for _, key := range []string{"max_completion_tokens", "max_tokens"} {
		if v, ok := f.bodies[0][key]; !ok || v != float64(2) {
			t.Errorf("chat body's %s = %v, want 2: %v", key, v, f.bodies[0])
		}
	}
}

func TestPromptsChatWithoutDetokenize(t *testing.T) {
	f := &fakeServer{noDetoken: true}
	srv := newFakeServer(t, f)
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	p := prompts(t, c, EndpointChat, 40, 6)
	if p.Method != MethodCountedText {
		t.Fatalf("method %q, want %q", p.Method, MethodCountedText)
	}
	for i := range 6 {
		if n := len(strings.Fields(p.Prompt(i).Text)); n != 40 {
			t.Errorf("prompt %d has %d tokens, want 40", i, n)
		}
	}
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 6, OutputLen: 2, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if !r.OK() || r.PromptTokens != 40 {
			t.Errorf("chat record %+v", r)
		}
	}
}

func TestPromptsChatWithoutTokenizer(t *testing.T) {
	srv := newFakeServer(t, &fakeServer{noTokenize: true, noDetoken: true, promptExtra: 7})
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	p := prompts(t, c, EndpointChat, 30, 4)
	if p.Method != MethodApproxText {
		t.Fatalf("method %q, want %q", p.Method, MethodApproxText)
	}
	recs, _, err := roundOf(t, context.Background(), c, Load{Prompts: p, N: 4, OutputLen: 2, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		// The length is the server's usage.prompt_tokens: 30 words and 7
		// tokens of chat template.
		if !r.OK() || r.PromptTokens != 37 {
			t.Errorf("chat record %+v", r)
		}
	}
}

func TestPromptsWithoutTokenizer(t *testing.T) {
	srv := newFakeServer(t, &fakeServer{noTokenize: true})
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	p := prompts(t, c, EndpointCompletions, 30, 0)
	if p.Method != MethodApproxText {
		t.Fatalf("method %q", p.Method)
	}
	if n := len(strings.Fields(p.Prompt(0).Text)); n != 30 {
		t.Errorf("approximate prompt has %d words, want 30", n)
	}
}

func TestPromptsUnreachable(t *testing.T) {
	c := NewClient(ClientOptions{BaseURL: "http://127.0.0.1:1"})
	_, err := BuildPrompts(context.Background(), c, PromptOptions{InputLen: 4})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("err = %v, want one naming the server", err)
	}
}

func TestPromptsTokenizerAPIs(t *testing.T) {
	for _, tc := range []struct {
		tokenizer, endpoint, method, api string
	}{
		{"", EndpointCompletions, MethodTokenIDs, TokenizerVLLM},
		{"", EndpointChat, MethodCheckedText, TokenizerVLLM},
		{"sglang", EndpointChat, MethodCheckedText, TokenizerSGLang},
		{"llama.cpp", EndpointCompletions, MethodTokenIDs, TokenizerLlamaCpp},
		{"llama.cpp", EndpointChat, MethodCheckedText, TokenizerLlamaCpp},
	} {
		t.Run(tc.tokenizer+"/"+tc.endpoint, func(t *testing.T) {
			srv := newFakeServer(t, &fakeServer{tokenizer: tc.tokenizer})
			c := NewClient(ClientOptions{BaseURL: srv.URL})
			p := prompts(t, c, tc.endpoint, 20, 3)
			if p.Method != tc.method || p.TokenizerAPI != tc.api {
				t.Fatalf("method %q, tokenizer API %q; want %q, %q", p.Method, p.TokenizerAPI, tc.method, tc.api)
			}
			for i := range 3 {
				pr := p.Prompt(i)
				n := len(pr.TokenIDs)
				if tc.endpoint == EndpointChat {
					n = len(strings.Fields(pr.Text))
				}
				if n != 20 {
					t.Errorf("prompt %d has %d tokens, want 20", i, n)
				}
			}
		})
	}
}

func TestPromptsEmptyTokenizeIsAnError(t *testing.T) {
	srv := newFakeServer(t, &fakeServer{tokenizer: "empty"})
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	_, err := BuildPrompts(context.Background(), c, PromptOptions{InputLen: 4, Endpoint: EndpointCompletions})
	if err == nil || !strings.Contains(err.Error(), `{"content": ...}`) || !strings.Contains(err.Error(), `{"prompt": ...}`) {
		t.Errorf("err = %v, want one naming both request shapes", err)
	}
}

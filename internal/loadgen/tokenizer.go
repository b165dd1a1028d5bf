package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// Tokenizer APIs, as PromptSet.TokenizerAPI reports the shape of the
// server's /tokenize and /detokenize.
const (
	// TokenizerVLLM: /tokenize reads {"prompt": text} and /detokenize
	// answers {"prompt": text}, as vLLM does. SGLang's /tokenize has the
	// same shape, so a completions run (which never detokenizes) against
	// SGLang records this one too.
	TokenizerVLLM = "vllm"
	// TokenizerSGLang: /tokenize reads {"prompt": text} and /detokenize
	// answers {"text": text}.
	TokenizerSGLang = "sglang"
	// TokenizerLlamaCpp: /tokenize reads {"content": text} and /detokenize
	// answers {"content": text}, as llama.cpp's server does. It answers an
	// empty list, not an error, to vLLM's shape.
	TokenizerLlamaCpp = "llama.cpp"
)

// Request fields that carry the text to /tokenize, tried in this order.
const (
	tokenizeFieldPrompt  = "prompt"
	tokenizeFieldContent = "content"
)

// tokenizerShape is what a client learnt of the server's tokenizer API: the
// request field /tokenize reads and the answer field of /detokenize. It is
// safe for concurrent use; the empty shape means not yet known.
type tokenizerShape struct {
	mu       sync.Mutex
	field    string
	detokKey string
}

func (s *tokenizerShape) get() (field, detokKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.field, s.detokKey
}

func (s *tokenizerShape) setField(field string) {
	s.mu.Lock()
	s.field = field
	s.mu.Unlock()
}

func (s *tokenizerShape) setDetokKey(key string) {
	s.mu.Lock()
	s.detokKey = key
	s.mu.Unlock()
}

// TokenizerAPI names the tokenizer API the server answered to so far
// (TokenizerVLLM, TokenizerSGLang or TokenizerLlamaCpp); "" before a
// /tokenize call succeeded.
func (c *Client) TokenizerAPI() string {
	field, detokKey := c.tok.get()
	switch {
	case field == tokenizeFieldContent:
		return TokenizerLlamaCpp
	case field == tokenizeFieldPrompt && detokKey == "text":
		return TokenizerSGLang
	case field == tokenizeFieldPrompt:
		return TokenizerVLLM
	}
	return ""
}

// Tokenize returns the token ids of text as the server's tokenizer sees it,
// without special tokens. It wraps ErrNotFound when the server has no
// /tokenize. The first call finds the request shape the server reads:
// vLLM's and SGLang's {"prompt": ...}, else llama.cpp's {"content": ...};
// an answer without tokens for non-empty text is no success in either.
func (c *Client) Tokenize(ctx context.Context, model, text string) ([]int, error) {
	field, _ := c.tok.get()
	if field != "" {
		ids, err := c.tokenize(ctx, model, field, text)
		if err == nil && len(ids) == 0 && text != "" {
			err = fmt.Errorf("POST %s/tokenize: the server answered no tokens for %d bytes of text", c.baseURL, len(text))
		}
		return ids, err
	}
	var first error
	for _, field := range []string{tokenizeFieldPrompt, tokenizeFieldContent} {
		ids, err := c.tokenize(ctx, model, field, text)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil, err
		case err != nil:
			if first == nil {
				first = err
			}
		case len(ids) > 0 || text == "":
			c.tok.setField(field)
			return ids, nil
		}
	}
	if first != nil {
		return nil, first
	}
	return nil, fmt.Errorf(`POST %s/tokenize: the server answered no tokens for %d bytes of text, asked as {"prompt": ...} (vLLM, SGLang) and as {"content": ...} (llama.cpp)`,
		c.baseURL, len(text))
}

// tokenize sends text to /tokenize in the field that one API reads.
func (c *Client) tokenize(ctx context.Context, model, field, text string) ([]int, error) {
	req := map[string]any{field: text}
	if field == tokenizeFieldContent {
		req["add_special"] = false
	} else {
		req["add_special_tokens"] = false
	}
	if model != "" {
		req["model"] = model
	}
	var resp struct {
		Tokens []int `json:"tokens"`
	}
	if err := c.call(ctx, http.MethodPost, "/tokenize", req, &resp); err != nil {
		return nil, err
	}
	return resp.Tokens, nil
}

// Detokenize returns the text of token ids. It wraps ErrNotFound when the
// server has no /detokenize. The answer's text is read from "prompt"
// (vLLM), "text" (SGLang) or "content" (llama.cpp); an answer with none of
// them, or with no text for some ids, is an error.
func (c *Client) Detokenize(ctx context.Context, model string, ids []int) (string, error) {
	req := map[string]any{"tokens": ids}
	if model != "" {
		req["model"] = model
	}
	var resp struct {
		Prompt  *string `json:"prompt"`
		Text    *string `json:"text"`
		Content *string `json:"content"`
	}
	if err := c.call(ctx, http.MethodPost, "/detokenize", req, &resp); err != nil {
		return "", err
	}
	var key string
	var text *string
	switch {
	case resp.Prompt != nil && *resp.Prompt != "":
		key, text = "prompt", resp.Prompt
	case resp.Text != nil && *resp.Text != "":
		key, text = "text", resp.Text
	case resp.Content != nil && *resp.Content != "":
		key, text = "content", resp.Content
	}
	if text == nil {
		if len(ids) == 0 {
			return "", nil
		}
		return "", fmt.Errorf(`POST %s/detokenize: the answer holds no text for %d tokens in "prompt" (vLLM), "text" (SGLang) or "content" (llama.cpp)`,
			c.baseURL, len(ids))
	}
	c.tok.setDetokKey(key)
	return *text, nil
}

package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// Endpoints the load generator can drive.
const (
	// EndpointCompletions is POST /v1/completions; prompts are token ids.
	EndpointCompletions = "completions"
	// EndpointChat is POST /v1/chat/completions; prompts are text.
	EndpointChat = "chat"
)

// Prompt methods, as PromptSet.Method reports them.
const (
	// MethodTokenIDs: prompts are lists of token ids that the server's own
	// /tokenize returned; their length is exact.
	MethodTokenIDs = "token-ids"
	// MethodCheckedText: prompts are text built with /detokenize and
	// checked with /tokenize to have the asked number of tokens.
	MethodCheckedText = "checked-text"
	// MethodCountedText: chat on a server with /tokenize but no
	// /detokenize; prompts are text of common one-token words, corrected
	// with /tokenize until it counts the asked number of tokens.
	MethodCountedText = "counted-text"
	// MethodApproxText: the server has no /tokenize; prompts are text of
	// common one-token words, about the asked length. The real length is
	// taken from the server's usage.prompt_tokens.
	MethodApproxText = "approx-text"
)

// maxChatFixes is how many detokenize/tokenize rounds a chat prompt gets to
// reach its exact length.
const maxChatFixes = 4

// PromptOptions describe the prompts of one benchmark point.
type PromptOptions struct {
	// Model is the model id sent with /tokenize and /detokenize.
	Model string
	// Endpoint is EndpointCompletions or EndpointChat.
	Endpoint string
	// InputLen is the number of tokens of every prompt.
	InputLen int
	// Count is how many prompts are needed (warmup and all repeats). Only
	// chat prompts are built ahead; token-id prompts are made on demand.
	Count int
	// Seed makes the prompts reproducible.
	Seed int64
	// Workers bounds the concurrent /tokenize calls while building chat
	// prompts; 0 means 8.
	Workers int
}

// Prompt is one request's input.
type Prompt struct {
	// TokenIDs is the prompt as token ids (completions with a tokenizer).
	TokenIDs []int
	// Text is the prompt as text (chat, or no tokenizer).
	Text string
	// Len is the intended number of prompt tokens.
	Len int
}

// PromptSet makes the prompts of one point. Prompt i is the same for the
// same options, whatever the order it is asked in.
type PromptSet struct {
	// Method says how the prompts were made (MethodTokenIDs, ...).
	Method string
	// Model and Endpoint are those of the options.
	Model, Endpoint string
	// InputLen is the asked prompt length.
	InputLen int
	// TokenizerAPI names the shape of the server's /tokenize and
	// /detokenize that the prompts were made with (TokenizerVLLM, ...);
	// "" for MethodApproxText.
	TokenizerAPI string

	seed  int64
	pool  []int    // token ids, for MethodTokenIDs and chat building
	texts []string // prebuilt chat prompts
}

// BuildPrompts makes the prompts of one point against the server behind c.
// It fails when the server cannot be reached; a server without /tokenize
// (404) gives approximate text prompts instead, and chat on a server with
// /tokenize but without /detokenize gives counted text.
func BuildPrompts(ctx context.Context, c *Client, o PromptOptions) (*PromptSet, error) {
	if o.InputLen < 1 {
		return nil, fmt.Errorf("prompt length must be >= 1, got %d", o.InputLen)
	}
	p := &PromptSet{Model: o.Model, Endpoint: o.Endpoint, InputLen: o.InputLen, seed: o.Seed}
	pool, err := c.Tokenize(ctx, o.Model, sourceText)
	switch {
	case errors.Is(err, ErrNotFound):
		p.Method = MethodApproxText
		return p, nil
	case err != nil:
		return nil, fmt.Errorf("building prompts: %w", err)
	}
	p.pool = uniqueIDs(pool)
	if len(p.pool) == 0 {
		return nil, fmt.Errorf("building prompts: /tokenize returned no tokens for the built-in text")
	}
	if o.Endpoint != EndpointChat {
		p.Method = MethodTokenIDs
		p.TokenizerAPI = c.TokenizerAPI()
		return p, nil
	}
	p.Method = MethodCheckedText
	switch _, err := c.Detokenize(ctx, o.Model, p.pool[:1]); {
	case errors.Is(err, ErrNotFound):
		p.Method = MethodCountedText
	case err != nil:
		return nil, fmt.Errorf("building chat prompts: %w", err)
	}
	if err := p.buildChat(ctx, c, o); err != nil {
		return nil, err
	}
	p.TokenizerAPI = c.TokenizerAPI()
	return p, nil
}

// Prompt returns prompt i.
func (p *PromptSet) Prompt(i int) Prompt {
	switch {
	case p.Method == MethodTokenIDs:
		return Prompt{TokenIDs: p.randomIDs(i, p.InputLen), Len: p.InputLen}
	case (p.Method == MethodCheckedText || p.Method == MethodCountedText) && i < len(p.texts):
		return Prompt{Text: p.texts[i], Len: p.InputLen}
	default:
		return Prompt{Text: p.approxText(i), Len: p.InputLen}
	}
}

// rng returns the random source of prompt i.
func (p *PromptSet) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(p.seed), uint64(i)+1))
}

// randomIDs draws n token ids from the pool for prompt i.
func (p *PromptSet) randomIDs(i, n int) []int {
	r := p.rng(i)
	ids := make([]int, n)
	for k := range ids {
		ids[k] = p.pool[r.IntN(len(p.pool))]
	}
	return ids
}

// approxText returns about InputLen tokens of common words for prompt i.
func (p *PromptSet) approxText(i int) string {
	return joinWords(p.approxWords(i, p.InputLen))
}

// approxWords draws n common words for prompt i.
func (p *PromptSet) approxWords(i, n int) []string {
	r := p.rng(i)
	words := make([]string, n)
	for k := range words {
		words[k] = approxWords[r.IntN(len(approxWords))]
	}
	return words
}

// joinWords joins words with single spaces.
func joinWords(words []string) string {
	return strings.Join(words, " ")
}

// buildChat builds o.Count chat prompts of exactly InputLen tokens where the
// server's tokenizer allows it.
func (p *PromptSet) buildChat(ctx context.Context, c *Client, o PromptOptions) error {
	p.texts = make([]string, o.Count)
	workers := o.Workers
	if workers <= 0 {
		workers = 8
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan int)
	)
	for range min(workers, max(o.Count, 1)) {
		wg.Go(func() {
			for i := range next {
				build := p.chatPrompt
				if p.Method == MethodCountedText {
					build = p.countedPrompt
				}
				text, err := build(ctx, c, i)
				if err != nil {
					once.Do(func() { first = err; cancel() })
					continue
				}
				p.texts[i] = text
			}
		})
	}
feed:
	for i := range o.Count {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return fmt.Errorf("building chat prompts: %w", first)
	}
	return ctx.Err()
}

// chatPrompt turns random ids into text and corrects it until the server's
// tokenizer counts exactly InputLen tokens, or maxChatFixes rounds pass; the
// last text is kept either way (the request records the server's count).
func (p *PromptSet) chatPrompt(ctx context.Context, c *Client, i int) (string, error) {
	n := p.InputLen
	ids := p.randomIDs(i, n)
	r := p.rng(-i - 1)
	var text string
	for range maxChatFixes {
		var err error
		if text, err = c.Detokenize(ctx, p.Model, ids); err != nil {
			return "", err
		}
		got, err := c.Tokenize(ctx, p.Model, text)
		if err != nil {
			return "", err
		}
		if len(got) == n {
			return text, nil
		}
		if len(got) > n {
			ids = got[:n]
			continue
		}
		ids = got
		for len(ids) < n {
			ids = append(ids, p.pool[r.IntN(len(p.pool))])
		}
	}
	return text, nil
}

// countedPrompt draws common words and adds or drops words until the
// server's tokenizer counts exactly InputLen tokens, or maxChatFixes rounds
// pass; the last text is kept either way (the request records the server's
// count).
func (p *PromptSet) countedPrompt(ctx context.Context, c *Client, i int) (string, error) {
	n := p.InputLen
	words := p.approxWords(i, n)
	r := p.rng(-i - 1)
	var text string
	for range maxChatFixes {
		text = joinWords(words)
		got, err := c.Tokenize(ctx, p.Model, text)
		if err != nil {
			return "", err
		}
		switch {
		case len(got) == n:
			return text, nil
		case len(got) > n:
			words = words[:max(len(words)-(len(got)-n), 1)]
		default:
			for range n - len(got) {
				words = append(words, approxWords[r.IntN(len(approxWords))])
			}
		}
	}
	return text, nil
}

// uniqueIDs returns the distinct ids of ids in first-seen order.
func uniqueIDs(ids []int) []int {
	seen := make(map[int]bool, len(ids))
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return slices.Clip(out)
}

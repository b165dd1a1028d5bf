package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// call is one admitted generation request: one sequence per prompt and per
// n, all delivered through d.
type call struct {
	id           string
	chat         bool
	seed         uint64
	seqs         []*sequence
	d            *delivery
	promptTokens int
	includeUsage bool
}

// abort tells the engines to drop the call's sequences.
func (c *call) abort() {
	for _, s := range c.seqs {
		s.aborted.Store(true)
	}
}

func (s *server) handleCompletions(w http.ResponseWriter, r *http.Request) { s.generate(w, r, false) }

func (s *server) handleChat(w http.ResponseWriter, r *http.Request) { s.generate(w, r, true) }

// generate validates a generation request like vLLM, admits it to the
// engines and answers it, streamed or not.
func (s *server) generate(w http.ResponseWriter, r *http.Request, chat bool) {
	code := http.StatusOK
	if s.opts.EnableLogRequests {
		defer func() {
			s.log.uvicornf("%s - \"%s %s %s\" %d %s", r.RemoteAddr, r.Method, r.URL.Path, r.Proto, code, http.StatusText(code))
		}()
	}
	fail := func(c int, format string, args ...any) {
		code = c
		writeError(w, c, fmt.Sprintf(format, args...))
	}
	var req genRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "JSON decode error: %v", err)
		return
	}
	if !s.opts.servesModel(req.Model) {
		fail(http.StatusNotFound, "The model `%s` does not exist.", req.Model)
		return
	}
	prompts, err := s.prompts(&req, chat)
	if err != nil {
		fail(http.StatusBadRequest, "%v", err)
		return
	}
	maxTokens := req.MaxTokens
	if chat && req.MaxCompletionTokens != nil {
		maxTokens = req.MaxCompletionTokens
	}
	n := 1
	if req.N != nil {
		n = *req.N
	}
	switch {
	case maxTokens != nil && *maxTokens < 1:
		fail(http.StatusBadRequest, "max_tokens must be at least 1, got %d.", *maxTokens)
		return
	case req.MinTokens < 0:
		fail(http.StatusBadRequest, "min_tokens must be greater than or equal to 0, got %d.", req.MinTokens)
		return
	case maxTokens != nil && req.MinTokens > *maxTokens:
		fail(http.StatusBadRequest, "min_tokens must be less than or equal to max_tokens=%d, got %d.", *maxTokens, req.MinTokens)
		return
	case req.Temperature != nil && *req.Temperature < 0:
		fail(http.StatusBadRequest, "temperature must be non-negative, got %g.", *req.Temperature)
		return
	case n < 1 || n > 128:
		fail(http.StatusBadRequest, "n must be in [1, 128], got %d.", n)
		return
	case !req.Stream && req.StreamOptions != nil:
		fail(http.StatusBadRequest, "Stream options can only be defined when `stream=True`.")
		return
	}
	limit := s.opts.MaxModelLen
	for _, p := range prompts {
		if len(p) >= limit {
			fail(http.StatusBadRequest, "This model's maximum context length is %d tokens. However, your request has %d input tokens. Please reduce the length of the input messages.", limit, len(p))
			return
		}
		if maxTokens != nil && len(p)+*maxTokens > limit {
			fail(http.StatusBadRequest, "'max_tokens' or 'max_completion_tokens' is too large: %d. This model's maximum context length is %d tokens and your request has %d input tokens (%d > %d - %d).",
				*maxTokens, limit, len(p), *maxTokens, limit, len(p))
			return
		}
	}
	if s.faults.drawError() {
		fail(http.StatusInternalServerError, "The engine encountered an internal error (injected by --sim-error-rate).")
		return
	}
	s.faults.admit()
	c := s.admit(&req, chat, prompts, maxTokens, n)
	if s.opts.EnableLogRequests {
		s.logRequest(c, &req, prompts[0], maxTokens)
	}
	if req.Stream {
		s.stream(w, r, c)
	} else {
		s.respond(w, r, c)
	}
}

// prompts returns the token lists of a request.
func (s *server) prompts(req *genRequest, chat bool) ([][]int, error) {
	if chat {
		text, err := renderChat(req.Messages)
		if err != nil {
			return nil, err
		}
		return [][]int{s.tok.encode(text, true)}, nil
	}
	p, err := parsePrompts(req.Prompt, s.tok, true)
	if err != nil {
		return nil, err
	}
	return p, checkIDs(p)
}

// admit creates the call's sequences and hands each to the least-loaded
// replica.
func (s *server) admit(req *genRequest, chat bool, prompts [][]int, maxTokens *int, n int) *call {
	_, seed := s.nextRequest()
	if req.Seed != nil {
		seed = splitmix64(uint64(*req.Seed))
	}
	prefix := "cmpl-"
	if chat {
		prefix = "chatcmpl-"
	}
	c := &call{
		id:           fmt.Sprintf("%s%016x%016x", prefix, splitmix64(seed^0xa5a5), splitmix64(seed^0x5a5a)),
		chat:         chat,
		seed:         seed,
		d:            newDelivery(len(prompts) * n),
		includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
	}
	arrivalS := s.clk.simNow()
	for i, p := range prompts {
		mt := s.opts.MaxModelLen - len(p)
		if maxTokens != nil {
			mt = *maxTokens
		}
		for j := 0; j < n; j++ {
			idx := i*n + j
			c.seqs = append(c.seqs, &sequence{
				promptTokens: len(p),
				maxTokens:    mt,
				stopAfter:    outputLength(seed^uint64(idx)*0x9e37, mt, req.MinTokens, req.IgnoreEOS),
				arrivalS:     arrivalS,
				out:          c.d,
				index:        idx,
			})
			c.promptTokens += len(p)
		}
	}
	for _, sq := range c.seqs {
		s.pickReplica().submit(sq)
	}
	return c
}

// await waits for news from the engines. It returns false when the answer
// must end: the client left (the call is aborted), the server is stopping,
// or the server hung (after blocking until the client leaves or the server
// stops).
func (s *server) await(r *http.Request, c *call) bool {
	select {
	case <-c.d.notify:
		return true
	case <-r.Context().Done():
		c.abort()
		return false
	case <-s.ctx.Done():
		return false
	case <-s.faults.hung:
		s.hang(r)
		c.abort()
		return false
	}
}

// stream answers with server-sent events: one chunk per token per choice
// as the engine releases it, a usage chunk when asked, then [DONE]. All
// chunks that are ready are written together and flushed once.
func (s *server) stream(w http.ResponseWriter, r *http.Request, c *call) {
	enc := newChunkEncoder(c.id, s.created, s.opts.servedName(), c.chat, s.tok)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	sent := make([]int, len(c.seqs))
	buf := make([]byte, 0, 1024)
	for s.await(r, c) {
		done, completion := true, 0
		for i := range c.seqs {
			p := c.d.snapshot(i)
			for sent[i] < p.generated {
				sent[i]++
				finish := ""
				if p.done && sent[i] == p.generated {
					finish = p.reason
				}
				if c.chat && sent[i] == 1 {
					buf = enc.appendRole(buf, i)
				}
				buf = enc.appendToken(buf, i, tokenAt(c.seed, i, sent[i]-1), finish)
			}
			done = done && p.done
			completion += p.generated
		}
		if done {
			if c.includeUsage {
				buf = enc.appendUsage(buf, c.promptTokens, completion)
			}
			buf = appendDone(buf)
		}
		if len(buf) > 0 {
			if _, err := w.Write(buf); err != nil {
				c.abort()
				return
			}
			buf = buf[:0]
			if err := rc.Flush(); err != nil {
				c.abort()
				return
			}
		}
		if done {
			return
		}
	}
}

// completionChoice and chatChoice are the non-streamed choices.
type completionChoice struct {
	Index        int     `json:"index"`
	Text         string  `json:"text"`
	Logprobs     *string `json:"logprobs"`
	FinishReason string  `json:"finish_reason"`
	StopReason   *string `json:"stop_reason"`
}

type chatChoice struct {
	Index        int               `json:"index"`
	Message      map[string]string `json:"message"`
	Logprobs     *string           `json:"logprobs"`
	FinishReason string            `json:"finish_reason"`
	StopReason   *string           `json:"stop_reason"`
}

// usage is OpenAI's token accounting.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// respond waits for every choice to finish and answers with one JSON body.
func (s *server) respond(w http.ResponseWriter, r *http.Request, c *call) {
	for {
		if !s.await(r, c) {
			return
		}
		all := true
		for i := range c.seqs {
			all = all && c.d.snapshot(i).done
		}
		if all {
			break
		}
	}
	u := usage{PromptTokens: c.promptTokens}
	var choices []any
	for i := range c.seqs {
		p := c.d.snapshot(i)
		u.CompletionTokens += p.generated
		var text strings.Builder
		for k := 0; k < p.generated; k++ {
			text.WriteString(s.tok.piece(tokenAt(c.seed, i, k)))
		}
		if c.chat {
			choices = append(choices, chatChoice{Index: i, FinishReason: p.reason,
				Message: map[string]string{"role": "assistant", "content": text.String()}})
		} else {
			choices = append(choices, completionChoice{Index: i, Text: text.String(), FinishReason: p.reason})
		}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	object := "text_completion"
	if c.chat {
		object = "chat.completion"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": c.id, "object": object, "created": s.created, "model": s.opts.servedName(),
		"choices": choices, "usage": u,
	})
}

// logRequest logs the request like vLLM's request logger.
func (s *server) logRequest(c *call, req *genRequest, prompt []int, maxTokens *int) {
	shown := prompt
	if len(shown) > 16 {
		shown = shown[:16]
	}
	mt := "None"
	if maxTokens != nil {
		mt = fmt.Sprint(*maxTokens)
	}
	temp := 1.0
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	s.log.infof("logger.py", "Received request %s: params: SamplingParams(n=%d, temperature=%g, max_tokens=%s, min_tokens=%d, ignore_eos=%s), prompt_token_ids: %v (%d tokens), lora_request: None.",
		c.id, len(c.seqs), temp, mt, req.MinTokens, pyBool(req.IgnoreEOS), shown, len(prompt))
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

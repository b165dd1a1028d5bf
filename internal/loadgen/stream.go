package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// sseChunk is the part of a streamed completion message that the load
// generator reads: whether it carries choices, the usage, and an error.
type sseChunk struct {
	Choices []json.RawMessage `json:"choices"`
	Usage   *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error   json.RawMessage `json:"error"`
	Object  string          `json:"object"`
	Message string          `json:"message"`
}

// maxChoices bounds the choice indexes a stream's completeness is tracked
// for (requests ask for one choice).
const maxChoices = 64

// choiceMarks tells which choices messages carried and which of them had a
// finish_reason, as bit masks of their indexes.
type choiceMarks struct {
	// count is the number of choice elements.
	count int
	// seen and finished hold bit i for choice index i.
	seen, finished uint64
	// outOfRange is set by an index outside [0, maxChoices).
	outOfRange bool
}

// mark records one choice element.
func (m *choiceMarks) mark(index int, finished bool) {
	m.count++
	if index < 0 || index >= maxChoices {
		m.outOfRange = true
		return
	}
	m.seen |= 1 << index
	if finished {
		m.finished |= 1 << index
	}
}

// merge adds the marks of a later message.
func (m *choiceMarks) merge(o choiceMarks) {
	m.count += o.count
	m.seen |= o.seen
	m.finished |= o.finished
	m.outOfRange = m.outOfRange || o.outOfRange
}

// allFinished reports whether every choice seen carried a finish_reason.
func (m *choiceMarks) allFinished() bool {
	return m.seen != 0 && !m.outOfRange && m.seen&^m.finished == 0
}

// choiceInfo is what the decoder reads of one choice.
type choiceInfo struct {
	Index        *int            `json:"index"`
	FinishReason json.RawMessage `json:"finish_reason"`
}

// streamState collects what a stream tells about one request.
type streamState struct {
	sent      time.Time
	last      time.Time
	chunks    int
	itls      []float32
	ttftS     float64
	latencyS  float64
	promptTok int
	complTok  int
	hasUsage  bool
	// needUsage: the request asked for usage (stream_options.include_usage),
	// so a stream without [DONE] is complete only with it.
	needUsage bool
	marks     choiceMarks
}

// readStream reads an SSE body until [DONE] and fills st. now is the clock,
// read as each message is parsed. It returns an error that describes why the
// request failed: an error object in the stream, a malformed message, or a
// stream that ended before [DONE] with a choice still unfinished (or without
// the usage it asked for). A stream that ends without [DONE] after every
// choice carried a finish_reason is complete, as vLLM's own client counts it.
func readStream(body io.Reader, now func() time.Time, st *streamState) error {
	r := newSSEReader(body)
	for {
		data, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return st.endWithoutDone()
			}
			return fmt.Errorf("reading stream after %d messages with choices: %w", st.chunks, err)
		}
		at := now()
		data = bytes.TrimSpace(data)
		if len(data) == 0 {
			continue
		}
		if string(data) == "[DONE]" {
			return nil
		}
		if err := st.message(data, at); err != nil {
			// A non-conforming server may put several data lines in one
			// event, each a whole message: read them one by one.
			if bytes.IndexByte(data, '\n') < 0 {
				return err
			}
			for _, part := range bytes.Split(data, []byte("\n")) {
				part = bytes.TrimSpace(part)
				if string(part) == "[DONE]" {
					return nil
				}
				if len(part) > 0 {
					if err := st.message(part, at); err != nil {
						return err
					}
				}
			}
		}
	}
}

// endWithoutDone decides on a stream that ended without [DONE].
func (st *streamState) endWithoutDone() error {
	switch {
	case !st.marks.allFinished():
		return fmt.Errorf("stream ended before [DONE] and before a finish_reason, after %d messages with choices", st.chunks)
	case st.needUsage && !st.hasUsage:
		return fmt.Errorf("stream ended before [DONE] and without the usage it asked for, after %d messages with choices", st.chunks)
	}
	return nil
}

// message applies one JSON message received at at.
func (st *streamState) message(data []byte, at time.Time) error {
	if m, ok := quickChoices(data); ok {
		if m.count > 0 {
			st.choices(at)
			st.marks.merge(m)
		}
		return nil
	}
	var c sseChunk
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("malformed stream message %q: %v", clip(data, 120), err)
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		return fmt.Errorf("error in stream: %s", errorText(c.Error))
	}
	if c.Object == "error" {
		msg := c.Message
		if msg == "" {
			msg = string(clip(data, 200))
		}
		return fmt.Errorf("error in stream: %s", msg)
	}
	if len(c.Choices) > 0 {
		st.choices(at)
		st.marks.merge(decodeMarks(c.Choices))
	}
	if c.Usage != nil {
		st.hasUsage = true
		st.promptTok = c.Usage.PromptTokens
		st.complTok = c.Usage.CompletionTokens
	}
	return nil
}

// decodeMarks marks decoded choices; an element the decoder cannot read as
// a choice object counts as choice 0 without a finish_reason.
func decodeMarks(choices []json.RawMessage) choiceMarks {
	var m choiceMarks
	for _, raw := range choices {
		var c choiceInfo
		if json.Unmarshal(raw, &c) != nil {
			c = choiceInfo{}
		}
		index := 0
		if c.Index != nil {
			index = *c.Index
		}
		m.mark(index, len(c.FinishReason) > 0 && string(c.FinishReason) != "null")
	}
	return m
}

// errorText returns the message of an error value found in a body or a
// stream: a string, or an object's "message" (or "detail"), else the raw JSON.
func errorText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		switch {
		case obj.Message != "":
			return obj.Message
		case len(obj.Error) > 0 && string(obj.Error) != "null":
			return errorText(obj.Error)
		case len(obj.Detail) > 0 && string(obj.Detail) != "null":
			return errorText(obj.Detail)
		}
	}
	return string(clip(raw, 200))
}

// clip shortens b to at most n bytes for a message.
func clip(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return append(b[:n:n], "..."...)
}

// choices records a message with non-empty choices received at at.
func (st *streamState) choices(at time.Time) {
	if st.chunks == 0 {
		st.ttftS = at.Sub(st.sent).Seconds()
	} else {
		st.itls = append(st.itls, float32(at.Sub(st.last).Seconds()))
	}
	st.chunks++
	st.last = at
	st.latencyS = at.Sub(st.sent).Seconds()
}

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
}

// readStream reads an SSE body until [DONE] and fills st. now is the clock,
// read as each message is parsed. It returns an error that describes why the
// request failed: an error object in the stream, a malformed message, or a
// stream that ended before [DONE].
func readStream(body io.Reader, now func() time.Time, st *streamState) error {
	r := newSSEReader(body)
	for {
		data, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("stream ended before [DONE] after %d messages with choices", st.chunks)
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

// message applies one JSON message received at at.
func (st *streamState) message(data []byte, at time.Time) error {
	if nonEmpty, ok := quickChoices(data); ok {
		if nonEmpty {
			st.choices(at)
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
	}
	if c.Usage != nil {
		st.hasUsage = true
		st.promptTok = c.Usage.PromptTokens
		st.complTok = c.Usage.CompletionTokens
	}
	return nil
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

package sim

import (
	"encoding/json"
	"strconv"
)

// chunkEncoder appends vLLM's SSE messages for one request to a buffer. The
// part shared by every chunk (id, object, created, model) is encoded once,
// so a token costs a few appends and no allocation.
type chunkEncoder struct {
	head []byte // `data: {"id":...,"model":...,"choices":[`
	chat bool
	tok  *tokenizer
}

func newChunkEncoder(id string, created int64, model string, chat bool, tok *tokenizer) *chunkEncoder {
	object := "text_completion"
	if chat {
		object = "chat.completion.chunk"
	}
	m, _ := json.Marshal(model) // a string always marshals
	h := make([]byte, 0, 96+len(id)+len(m))
	h = append(h, `data: {"id":"`...)
	h = append(h, id...)
	h = append(h, `","object":"`...)
	h = append(h, object...)
	h = append(h, `","created":`...)
	h = strconv.AppendInt(h, created, 10)
	h = append(h, `,"model":`...)
	h = append(h, m...)
	h = append(h, `,"choices":[`...)
	return &chunkEncoder{head: h, chat: chat, tok: tok}
}

// appendRole appends the chat chunk that opens a choice (role, empty
// content); vLLM sends it with the first token.
func (e *chunkEncoder) appendRole(buf []byte, index int) []byte {
	buf = append(buf, e.head...)
	buf = append(buf, `{"index":`...)
	buf = strconv.AppendInt(buf, int64(index), 10)
	return append(buf, `,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`+"\n\n"...)
}

// appendToken appends the chunk of one token; finish is "" until the last
// token of the choice.
func (e *chunkEncoder) appendToken(buf []byte, index, id int, finish string) []byte {
	buf = append(buf, e.head...)
	buf = append(buf, `{"index":`...)
	buf = strconv.AppendInt(buf, int64(index), 10)
	if e.chat {
		buf = append(buf, `,"delta":{"content":" `...)
		buf = append(buf, e.tok.words[id]...)
		buf = append(buf, `"},"logprobs":null,"finish_reason":`...)
	} else {
		buf = append(buf, `,"text":" `...)
		buf = append(buf, e.tok.words[id]...)
		buf = append(buf, `","logprobs":null,"finish_reason":`...)
	}
	if finish == "" {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '"')
		buf = append(buf, finish...)
		buf = append(buf, '"')
	}
	return append(buf, `,"stop_reason":null}]}`+"\n\n"...)
}

// appendUsage appends the final usage chunk (empty choices).
func (e *chunkEncoder) appendUsage(buf []byte, promptTokens, completionTokens int) []byte {
	buf = append(buf, e.head...)
	buf = append(buf, `],"usage":{"prompt_tokens":`...)
	buf = strconv.AppendInt(buf, int64(promptTokens), 10)
	buf = append(buf, `,"total_tokens":`...)
	buf = strconv.AppendInt(buf, int64(promptTokens+completionTokens), 10)
	buf = append(buf, `,"completion_tokens":`...)
	buf = strconv.AppendInt(buf, int64(completionTokens), 10)
	return append(buf, "}}\n\n"...)
}

// appendDone appends the end-of-stream marker.
func appendDone(buf []byte) []byte { return append(buf, "data: [DONE]\n\n"...) }

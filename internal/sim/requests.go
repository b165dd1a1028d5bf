package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Chat prompts are rendered with this toy template before tokenizing, so a
// chat prompt's token count is that of the rendered text (plus BOS).
const (
	chatTurnOpen      = "<|%s|> "
	chatTurnClose     = " <|end|> "
	chatGenerationCue = "<|assistant|>"
)

// streamOptions is OpenAI's stream_options.
type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// chatMessage is one message of a chat request; content is a string or a
// list of parts of which the text parts count.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// genRequest holds the fields of /v1/completions and /v1/chat/completions
// that the simulator uses; other fields are accepted and ignored.
type genRequest struct {
	Model               string          `json:"model"`
	Prompt              json.RawMessage `json:"prompt"`
	Messages            []chatMessage   `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MinTokens           int             `json:"min_tokens"`
	IgnoreEOS           bool            `json:"ignore_eos"`
	Temperature         *float64        `json:"temperature"`
	N                   *int            `json:"n"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	Seed                *int64          `json:"seed"`
}

// tokenizeRequest is the body of /tokenize (completion or chat form).
type tokenizeRequest struct {
	Model            string          `json:"model"`
	Prompt           json.RawMessage `json:"prompt"`
	Messages         []chatMessage   `json:"messages"`
	AddSpecialTokens *bool           `json:"add_special_tokens"`
}

// detokenizeRequest is the body of /detokenize.
type detokenizeRequest struct {
	Model  string `json:"model"`
	Tokens []int  `json:"tokens"`
}

// parsePrompts turns a completions "prompt" into token lists: a string, a
// list of strings, a list of token ids or a list of such lists. Text gets a
// BOS token like vLLM's Llama tokenizer adds.
func parsePrompts(raw json.RawMessage, tok *tokenizer, addSpecial bool) ([][]int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("Either prompt or prompt_embeds must be provided and non-empty.")
	}
	var text string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Errorf("invalid prompt: %v", err)
		}
		return [][]int{tok.encode(text, addSpecial)}, nil
	}
	var ids []int
	if err := json.Unmarshal(raw, &ids); err == nil {
		if len(ids) == 0 {
			return nil, errors.New("Prompt cannot be empty")
		}
		return [][]int{ids}, nil
	}
	var texts []string
	if err := json.Unmarshal(raw, &texts); err == nil {
		if len(texts) == 0 {
			return nil, errors.New("Prompt cannot be empty")
		}
		out := make([][]int, len(texts))
		for i, t := range texts {
			out[i] = tok.encode(t, addSpecial)
		}
		return out, nil
	}
	var lists [][]int
	if err := json.Unmarshal(raw, &lists); err == nil && len(lists) > 0 {
		for _, l := range lists {
			if len(l) == 0 {
				return nil, errors.New("Prompt cannot be empty")
			}
		}
		return lists, nil
	}
	return nil, errors.New("prompt must be a string, a list of strings, a list of token ids or a list of lists of token ids")
}

// renderChat applies the toy chat template to messages.
func renderChat(msgs []chatMessage) (string, error) {
	if len(msgs) == 0 {
		return "", errors.New("messages must be a non-empty list")
	}
	var b strings.Builder
	for _, m := range msgs {
		text, err := messageText(m.Content)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, chatTurnOpen, m.Role)
		b.WriteString(text)
		b.WriteString(chatTurnClose)
	}
	b.WriteString(chatGenerationCue)
	return b.String(), nil
}

// messageText returns the text of a message's content.
func messageText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] == '"' {
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("invalid message content: %v", err)
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// checkIDs rejects token ids outside the vocabulary.
func checkIDs(prompts [][]int) error {
	for _, p := range prompts {
		for _, id := range p {
			if id < 0 || id >= vocabSize {
				return fmt.Errorf("Token id %d is out of vocabulary", id)
			}
		}
	}
	return nil
}

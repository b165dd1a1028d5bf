package loadgen

import "encoding/json"

// streamOptions asks the server for a final usage message.
type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// completionRequest is the body of POST /v1/completions, as vLLM's own
// benchmark sends it.
type completionRequest struct {
	Model         string        `json:"model"`
	Prompt        any           `json:"prompt"`
	MaxTokens     int           `json:"max_tokens"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
	IgnoreEOS     bool          `json:"ignore_eos"`
}

// chatMessage is one message of a chat request.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatRequest is the body of POST /v1/chat/completions. It carries the
// output length twice: OpenAI's max_completion_tokens, and the max_tokens
// it replaced, which llama.cpp's server reads instead (without it, that
// server generates until the slot's context is full).
type chatRequest struct {
	Model               string        `json:"model"`
	Messages            []chatMessage `json:"messages"`
	MaxTokens           int           `json:"max_tokens"`
	MaxCompletionTokens int           `json:"max_completion_tokens"`
	Stream              bool          `json:"stream"`
	StreamOptions       streamOptions `json:"stream_options"`
	IgnoreEOS           bool          `json:"ignore_eos"`
}

// requestPath returns the URL path of an endpoint.
func requestPath(endpoint string) string {
	if endpoint == EndpointChat {
		return "/v1/chat/completions"
	}
	return "/v1/completions"
}

// requestBody encodes the streamed request of one prompt.
func requestBody(model, endpoint string, p Prompt, outputLen int) ([]byte, error) {
	if endpoint == EndpointChat {
		return json.Marshal(chatRequest{
			Model:               model,
			Messages:            []chatMessage{{Role: "user", Content: p.Text}},
			MaxTokens:           outputLen,
			MaxCompletionTokens: outputLen,
			Stream:              true,
			StreamOptions:       streamOptions{IncludeUsage: true},
			IgnoreEOS:           true,
		})
	}
	var prompt any = p.Text
	if p.TokenIDs != nil {
		prompt = p.TokenIDs
	}
	return json.Marshal(completionRequest{
		Model:         model,
		Prompt:        prompt,
		MaxTokens:     outputLen,
		Stream:        true,
		StreamOptions: streamOptions{IncludeUsage: true},
		IgnoreEOS:     true,
	})
}

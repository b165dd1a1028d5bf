package results

import "fmt"

// Lengths is what the server's own usage counts said of the completed
// requests' prompt and output lengths. Every prompt is made to be
// context_size tokens long and every request asks for output_len tokens
// with ignore_eos, so other counts mean the server cut the prompts or did
// not keep to the asked output length: the point did not measure what its
// name says. Requests whose stream carried no usage are not counted.
type Lengths struct {
	// Requests counts the completed requests with usage.
	Requests int `json:"requests"`
	// PromptTokensMin and PromptTokensMax bound usage.prompt_tokens.
	PromptTokensMin int `json:"prompt_tokens_min"`
	PromptTokensMax int `json:"prompt_tokens_max"`
	// OutputTokensMin and OutputTokensMax bound usage.completion_tokens.
	OutputTokensMin int `json:"output_tokens_min"`
	OutputTokensMax int `json:"output_tokens_max"`
	// OutputShort and OutputLong count the requests with fewer and with
	// more output tokens than output_len.
	OutputShort int `json:"output_short"`
	OutputLong  int `json:"output_long"`
}

// Add counts one completed request's usage against the asked output length.
func (l *Lengths) Add(promptTokens, outputTokens, outputLen int) {
	if l.Requests == 0 {
		l.PromptTokensMin, l.PromptTokensMax = promptTokens, promptTokens
		l.OutputTokensMin, l.OutputTokensMax = outputTokens, outputTokens
	}
	l.Requests++
	l.PromptTokensMin, l.PromptTokensMax = min(l.PromptTokensMin, promptTokens), max(l.PromptTokensMax, promptTokens)
	l.OutputTokensMin, l.OutputTokensMax = min(l.OutputTokensMin, outputTokens), max(l.OutputTokensMax, outputTokens)
	switch {
	case outputTokens < outputLen:
		l.OutputShort++
	case outputTokens > outputLen:
		l.OutputLong++
	}
}

// reasons says what is wrong with the lengths of a point with context_size
// and output_len tokens; none when they are as asked. Prompts count as
// truncated only when every one of them came out shorter: a chat template
// adds tokens, and text prompts made without /tokenize vary around the
// asked length, so a single short prompt proves nothing.
func (l *Lengths) reasons(contextSize, outputLen int) []string {
	if l == nil || l.Requests == 0 {
		return nil
	}
	var out []string
	if l.PromptTokensMax < contextSize {
		out = append(out, fmt.Sprintf("prompts truncated to %d tokens: the server counted %d to %d prompt tokens where %d were sent",
			l.PromptTokensMax, l.PromptTokensMin, l.PromptTokensMax, contextSize))
	}
	if l.OutputLong > 0 {
		out = append(out, fmt.Sprintf("the server ignored max_tokens: %d of %d outputs were longer than the %d tokens asked (up to %d)",
			l.OutputLong, l.Requests, outputLen, l.OutputTokensMax))
	}
	if l.OutputShort > 0 {
		out = append(out, fmt.Sprintf("the server stopped early despite ignore_eos: %d of %d outputs were shorter than the %d tokens asked (down to %d)",
			l.OutputShort, l.Requests, outputLen, l.OutputTokensMin))
	}
	return out
}

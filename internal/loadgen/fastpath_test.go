package loadgen

import (
	"strings"
	"testing"
)

func TestQuickChoices(t *testing.T) {
	vllm := strings.TrimSuffix(strings.TrimPrefix(vllmChunk, "data: "), "\n\n")
	tests := []struct {
		name         string
		msg          string
		nonEmpty, ok bool
	}{
		{"vllm completion chunk", vllm, true, true},
		{"chat chunk", `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\"hi\"\n"},"finish_reason":null}]}`, true, true},
		{"empty choices", `{"choices":[ ],"usage":null}`, false, true},
		{"usage", `{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}`, false, false},
		{"error key", `{"choices":[],"error":{"message":"x"}}`, false, false},
		{"object error", `{"object":"error","choices":[1]}`, false, false},
		{"object not a string", `{"object":1,"choices":[1]}`, false, false},
		{"message not a string", `{"message":1,"choices":[1]}`, false, false},
		{"key in another case", `{"Choices":[1]}`, false, false},
		{"key with escape", `{"choi\u0063es":[1]}`, false, false},
		{"non-ASCII key", `{"ſ":1,"choices":[1]}`, false, false},
		{"two choices", `{"choices":[],"choices":[1]}`, false, false},
		{"no choices", `{"id":"x"}`, false, false},
		{"nested choices only", `{"a":{"choices":[1]}}`, false, false},
		{"choices null", `{"choices":null}`, false, false},
		{"not an object", `[{"choices":[1]}]`, false, false},
		{"trailing garbage", `{"choices":[1]}x`, false, false},
		{"bad number", `{"choices":[01]}`, false, false},
		{"control character in string", "{\"choices\":[\"a\x01\"]}", false, false},
		{"bad escape", `{"choices":["\x"]}`, false, false},
		{"cut", `{"choices":[1`, false, false},
		{"usage in text", `{"choices":[{"text":"\"usage\":{"}],"usage":null}`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nonEmpty, ok := quickChoices([]byte(tt.msg))
			if nonEmpty != tt.nonEmpty || ok != tt.ok {
				t.Errorf("quickChoices(%s) = %v, %v; want %v, %v", tt.msg, nonEmpty, ok, tt.nonEmpty, tt.ok)
			}
		})
	}
}

// BenchmarkQuickChoices is the parse cost of one vLLM-sized token message.
//
//	go test ./internal/loadgen -run '^$' -bench QuickChoices
func BenchmarkQuickChoices(b *testing.B) {
	msg := []byte(strings.TrimSuffix(strings.TrimPrefix(vllmChunk, "data: "), "\n\n"))
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, ok := quickChoices(msg); !ok {
			b.Fatal("the fast path refused a token message")
		}
	}
}

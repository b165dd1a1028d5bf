package loadgen

import (
	"encoding/json"
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
		{"bad number", `{"choices":[{"index":01}]}`, false, false},
		{"control character in string", "{\"choices\":[{\"text\":\"a\x01\"}]}", false, false},
		{"bad escape", `{"choices":[{"text":"\x"}]}`, false, false},
		{"cut", `{"choices":[1`, false, false},
		{"usage in text", `{"choices":[{"text":"\"usage\":{"}],"usage":null}`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := quickChoices([]byte(tt.msg))
			if nonEmpty := m.count > 0; nonEmpty != tt.nonEmpty || ok != tt.ok {
				t.Errorf("quickChoices(%s) = %v, %v; want %v, %v", tt.msg, nonEmpty, ok, tt.nonEmpty, tt.ok)
			}
		})
	}
}

func TestQuickChoicesMarks(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want choiceMarks
		ok   bool
	}{
		{"unfinished", `{"choices":[{"index":0,"text":"a","finish_reason":null}]}`, choiceMarks{count: 1, seen: 1}, true},
		{"finished", `{"choices":[{"index":0,"text":"a","finish_reason":"length","stop_reason":null}]}`, choiceMarks{count: 1, seen: 1, finished: 1}, true},
		{"no index is choice 0", `{"choices":[{"finish_reason":"stop"}]}`, choiceMarks{count: 1, seen: 1, finished: 1}, true},
		{"two choices", `{"choices":[{"index":1,"finish_reason":"stop"},{"index":3}]}`, choiceMarks{count: 2, seen: 0b1010, finished: 0b10}, true},
		{"index 64", `{"choices":[{"index":64}]}`, choiceMarks{}, false},
		{"negative index", `{"choices":[{"index":-1}]}`, choiceMarks{}, false},
		{"fractional index", `{"choices":[{"index":1.0}]}`, choiceMarks{}, false},
		{"index in another case", `{"choices":[{"Index":1}]}`, choiceMarks{}, false},
		{"finish_reason twice", `{"choices":[{"finish_reason":"stop","finish_reason":null}]}`, choiceMarks{}, false},
		{"element not an object", `{"choices":[1]}`, choiceMarks{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := quickChoices([]byte(tt.msg))
			if ok != tt.ok || (ok && m != tt.want) {
				t.Errorf("quickChoices(%s) = %+v, %v; want %+v, %v", tt.msg, m, ok, tt.want, tt.ok)
			}
			var c sseChunk
			if err := json.Unmarshal([]byte(tt.msg), &c); err != nil {
				t.Fatal(err)
			}
			if d := decodeMarks(c.Choices); ok && d != m {
				t.Errorf("decoder marks %+v, fast path %+v", d, m)
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

package github

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMarker(t *testing.T) {
	tests := map[string]string{
		"./bench/llama.yaml": "<!-- vllm-bench-action:bench/llama.yaml -->",
		"bench/llama.yaml":   "<!-- vllm-bench-action:bench/llama.yaml -->",
		"a-->b.yaml":         "<!-- vllm-bench-action:a-%2D%3Eb.yaml -->",
	}
	for in, want := range tests {
		if got := Marker(in); got != want {
			t.Errorf("Marker(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommentBodyCap(t *testing.T) {
	marker := Marker("examples/quickstart.yaml")
	trailer := "\n\n<sub>run link</sub>\n"
	var b strings.Builder
	b.WriteString("## Results\n\n<details><summary>all points</summary>\n\n```text\n")
	for i := 0; b.Len() < 200_000; i++ {
		b.WriteString("| llama_TP1_DP1_CTX1024_C64_P200_O128 | 41.2 ms | 42.0 ms | +1.9% | ~ | µs ✓ |\n")
		if i%50 == 0 {
			b.WriteString("<!-- a hidden note that spans\nseveral lines -->\n")
		}
	}
	body := CommentBody(marker, b.String(), trailer)
	if n := utf8.RuneCountInString(body); n >= 65536 || len(body) > MaxCommentBytes {
		t.Fatalf("body has %d characters, %d bytes", n, len(body))
	}
	if !strings.HasPrefix(body, marker+"\n") || !strings.HasSuffix(body, trailer) {
		t.Error("marker or trailer lost")
	}
	if !strings.Contains(body, CutNote) || !utf8.ValidString(body) {
		t.Error("no cut note, or invalid UTF-8")
	}
	if strings.Count(body, "<!--") != strings.Count(body, "-->") {
		t.Error("cut inside an HTML comment")
	}
	if openFence(body) || strings.Count(body, "<details") != strings.Count(body, "</details>") {
		t.Error("open code fence or <details> left by the cut")
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("short", 10, "cut"); got != "short" {
		t.Errorf("a body that fits changed: %q", got)
	}
	s := "line one\n<!-- open\nstill open\nline four -->\nline five\n"
	got := Truncate(s, 30, "cut")
	if strings.Contains(got, "<!--") || !strings.HasSuffix(got, "cut\n") || len(got) > 30 {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate(strings.Repeat("é", 100), 21, "n"); !utf8.ValidString(got) || len(got) > 21 {
		t.Errorf("Truncate split a rune or overflowed: %q", got)
	}
}

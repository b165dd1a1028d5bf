package github

import (
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MaxCommentBytes caps a comment body. GitHub refuses bodies of 65,536
// characters or more; counting bytes (never fewer than characters) and
// keeping a margin stays below that for any text.
const MaxCommentBytes = 65000

// markerPrefix starts the hidden marker of every comment this action writes.
const markerPrefix = "<!-- vllm-bench-action:"

// Marker returns the hidden HTML comment that identifies the sticky comment
// of one config, e.g. "<!-- vllm-bench-action:bench/llama.yaml -->". The path
// is cleaned and written with forward slashes so "./a.yaml" and "a.yaml"
// share a comment; characters that could end the HTML comment are escaped.
func Marker(configPath string) string {
	p := path.Clean(filepath.ToSlash(configPath))
	p = strings.NewReplacer("--", "-%2D", ">", "%3E").Replace(p)
	return markerPrefix + p + " -->"
}

// CutNote ends a comment whose report was cut to fit.
const CutNote = "*This comment was cut to fit GitHub's size limit; the full report is in the job summary of the workflow run.*"

// CommentBody returns the marker line, markdown and trailer (e.g. a link to
// the run), with markdown cut so the whole stays within MaxCommentBytes. The
// marker comes first and the trailer last, so a cut loses neither.
func CommentBody(marker, markdown, trailer string) string {
	room := MaxCommentBytes - len(marker) - 1 - len(trailer)
	return marker + "\n" + Truncate(markdown, room, CutNote) + trailer
}

// Truncate returns s when it fits in limit bytes. Otherwise it cuts s at the
// last line break that fits, never inside an HTML comment, closes an open
// code fence and open <details> blocks, and appends note on its own
// paragraph; the result is at most limit bytes.
func Truncate(s string, limit int, note string) string {
	if len(s) <= limit {
		return s
	}
	tail := "\n\n" + note + "\n"
	for budget := limit - len(tail); budget > 0; budget -= 256 {
		out := cutClean(s, budget) + tail
		if len(out) <= limit {
			return out
		}
	}
	return truncateBytes(note, limit)
}

// cutClean cuts s to at most budget bytes at a line break and repairs the
// markdown structure the cut may have opened. The closers may take the
// result a few bytes past budget; Truncate checks the final length.
func cutClean(s string, budget int) string {
	kept := truncateBytes(s, budget)
	if i := strings.LastIndexByte(kept, '\n'); i >= 0 {
		kept = kept[:i]
	}
	if i := strings.LastIndex(kept, "<!--"); i >= 0 && !strings.Contains(kept[i:], "-->") {
		kept = strings.TrimRight(kept[:i], " \t")
	}
	var closers strings.Builder
	if openFence(kept) {
		closers.WriteString("\n```")
	}
	for range strings.Count(kept, "<details") - strings.Count(kept, "</details>") {
		closers.WriteString("\n</details>")
	}
	return kept + closers.String()
}

// openFence reports whether s ends inside a fenced code block.
func openFence(s string) bool {
	open := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			open = !open
		}
	}
	return open
}

// truncateBytes cuts s to at most n bytes without splitting a UTF-8 rune.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

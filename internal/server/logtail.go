package server

import (
	"io"
	"os"
	"strings"
)

// tailBytes is how much of the end of a log is read for its last lines.
const tailBytes = 64 << 10

// LogTail returns up to n last lines this start wrote to the log.
func (s *Server) LogTail(n int) []string {
	return tailLines(s.opts.LogPath, s.logStart, n)
}

// tailLines returns the last n lines of the file at path written after
// offset from.
func tailLines(path string, from int64, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil
	}
	start := max(from, info.Size()-tailBytes)
	data, err := io.ReadAll(io.NewSectionReader(f, start, info.Size()-start))
	if err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if start > from && len(lines) > 1 {
		lines = lines[1:] // the first line was cut by the read window
	}
	var out []string
	for _, l := range lines {
		if l != "" && !strings.HasPrefix(l, "=== vllm-bench: starting ") {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

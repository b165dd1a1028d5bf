package config

import "strings"

// indentedWithTab reports whether line n (from 1) of data has a tab in its
// indentation. YAML indents with spaces only, and yaml.v3 says of such a
// tab only that it "cannot start any token", at that line.
func indentedWithTab(data []byte, n int) bool {
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return false
	}
	line := lines[n-1]
	rest := strings.TrimLeft(line, " \t")
	return strings.Contains(line[:len(line)-len(rest)], "\t")
}

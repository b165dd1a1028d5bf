package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Check judges a decoded config by rules this package does not own (the
// gate's, say). It reports each problem through add at the key's path, e.g.
// runs[0].gate.tolerance; the problem gets the key's line and joins the
// file's other problems.
type Check func(cfg *Config, add func(path, format string, args ...any))

// Load reads, decodes, defaults and validates the config file at path, and
// runs the checks. On invalid content it returns *Errors holding every
// problem in the file, each with its line.
func Load(path string, checks ...Check) (*Config, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("config file %q not found", path)
	case err != nil:
		return nil, fmt.Errorf("config file %q: %w", path, err)
	}
	return Parse(path, data, checks...)
}

// Parse decodes, defaults and validates config data and runs the checks;
// path names it in messages.
func Parse(path string, data []byte, checks ...Check) (*Config, error) {
	errs := &Errors{file: path}
	if len(bytes.TrimSpace(data)) == 0 {
		errs.add(0, "", "the file is empty; a config lists benchmark runs under 'runs:' (see examples/quickstart.yaml)")
		return nil, errs.err()
	}
	if line, col, ok := invalidUTF8(data); ok {
		errs.add(line, "", "invalid UTF-8: byte 0x%02x at column %d is not UTF-8 text; save the file as UTF-8", data[col.offset], col.column)
		return nil, errs.err()
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := yamlErrorLine(err)
		if indentedWithTab(data, line) {
			errs.add(line, "", "invalid YAML: this line is indented with a tab; YAML indents with spaces only (%s)", yamlErrorText(err))
			return nil, errs.err()
		}
		errs.add(line, "", "invalid YAML: %s", yamlErrorText(err))
		return nil, errs.err()
	}
	sum := sha256.Sum256(data)
	cfg := &Config{Path: path, SHA256: hex.EncodeToString(sum[:])}
	if len(doc.Content) == 0 {
		errs.add(0, "", "the file holds only comments; a config lists benchmark runs under 'runs:'")
		return nil, errs.err()
	}
	d := &decoder{errs: errs, lines: map[string]int{}}
	d.decode(doc.Content[0], reflect.ValueOf(cfg).Elem(), "")
	cfg.lines = d.lines
	if len(errs.List) == 0 && len(cfg.Runs) == 0 {
		errs.add(doc.Content[0].Line, "runs", "no runs: list at least one benchmark run under 'runs:'")
	}
	// Validate even after decoding problems, so that one pass reports
	// everything; values that failed to decode are not judged again.
	applyDefaults(cfg, func(path string) bool { _, ok := d.lines[path]; return ok })
	v := &validator{errs: errs, lines: d.lines, failed: map[string]bool{}}
	for _, e := range errs.List {
		v.failed[e.Path] = true
	}
	v.config(cfg)
	for _, check := range checks {
		check(cfg, v.add)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// byteAt is where in a file a byte is: its offset, and its column (1-based,
// in bytes) on its line.
type byteAt struct{ offset, column int }

// invalidUTF8 finds the first byte of data that is not UTF-8 text and
// returns its line (1-based) and place; ok is false when data is all
// UTF-8. YAML parsers report it without a line.
func invalidUTF8(data []byte) (line int, at byteAt, ok bool) {
	if utf8.Valid(data) {
		return 0, byteAt{}, false
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, byteAt{offset: i, column: i - start + 1}, true
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return 0, byteAt{}, false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func yamlErrorText(err error) string {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		return m[2]
	}
	return err.Error()
}

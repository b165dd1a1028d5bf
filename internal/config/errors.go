package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a config file, at a line.
type Error struct {
	File string
	Line int
	// Path names the key, e.g. runs[0].bench.context_size[2].
	Path string
	Msg  string
}

// Error formats the problem as FILE:LINE: path: message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one config file, in line order.
type Errors struct {
	file string
	List []*Error
}

func (es *Errors) add(line int, path, format string, args ...any) {
	es.List = append(es.List, &Error{File: es.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Error prints one problem per line.
func (es *Errors) Error() string {
	lines := make([]string, len(es.List))
	for i, e := range es.List {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns es sorted by line, or nil when there is no problem.
func (es *Errors) err() error {
	if len(es.List) == 0 {
		return nil
	}
	sort.SliceStable(es.List, func(i, j int) bool { return es.List[i].Line < es.List[j].Line })
	return es
}

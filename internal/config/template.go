package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Placeholders are the names serve.args may use as {name}: the serve
// options and the parallel layout of the server being started.
var Placeholders = []string{"model", "port", "tp", "dp", "pp", "max_model_len", "max_num_seqs", "gpu_memory_utilization", "dtype"}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// ArgError is a problem with one item of serve.args.
type ArgError struct {
	// Index is the item's index in serve.args.
	Index int
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as args[i]: message.
func (e *ArgError) Error() string { return fmt.Sprintf("args[%d]: %s", e.Index, e.Msg) }

// ExpandArgs fills the placeholders of serve.args for one parallel layout.
// An item that is only a placeholder whose value is unset (max_model_len
// left out, say) is dropped, and so is an item --flag={name} whose value is
// unset; a placeholder that is unset inside any other item, or unknown, is
// an *ArgError naming the item, and so is a dropped item that would leave
// the flag before it without its value.
func (s *Serve) ExpandArgs(pair Parallel) ([]string, error) {
	values := s.placeholderValues(pair)
	out := make([]string, 0, len(s.Args))
	for i, arg := range s.Args {
		var problem error
		unsetOnly := false
		expanded := placeholder.ReplaceAllStringFunc(arg, func(m string) string {
			name := m[1 : len(m)-1]
			v, known := values[name]
			switch {
			case !known:
				problem = &ArgError{i, fmt.Sprintf("unknown placeholder %s (valid: {%s})", m, strings.Join(Placeholders, "}, {"))}
			case v == "" && (arg == m || isFlagOf(arg, m)):
				unsetOnly = true
			case v == "":
				problem = &ArgError{i, fmt.Sprintf("%s is unset in %q; set serve.%s or give the placeholder an item of its own, which is then left out", m, arg, serveKey(name))}
			}
			return v
		})
		if problem != nil {
			return nil, problem
		}
		if !unsetOnly {
			out = append(out, expanded)
			continue
		}
		if i > 0 && arg != "" && strings.HasPrefix(s.Args[i-1], "-") && !strings.Contains(s.Args[i-1], "=") && placeholder.FindString(s.Args[i-1]) == "" {
			return nil, &ArgError{i, fmt.Sprintf("%s is unset, which would leave %s without its value; write %s=%s to drop both", arg, s.Args[i-1], s.Args[i-1], arg)}
		}
	}
	return out, nil
}

// isFlagOf reports whether arg is --flag=m (or -f=m).
func isFlagOf(arg, m string) bool {
	flag, value, ok := strings.Cut(arg, "=")
	return ok && value == m && strings.HasPrefix(flag, "-")
}

// placeholderValues maps each placeholder to its value; unset ones map to
// "".
func (s *Serve) placeholderValues(pair Parallel) map[string]string {
	maxModelLen := ""
	if s.MaxModelLen > 0 {
		maxModelLen = strconv.Itoa(s.MaxModelLen)
	}
	return map[string]string{
		"model":                  s.ModelPath,
		"port":                   strconv.Itoa(s.Port),
		"tp":                     strconv.Itoa(pair.TP),
		"dp":                     strconv.Itoa(pair.DP),
		"pp":                     strconv.Itoa(pair.PP),
		"max_model_len":          maxModelLen,
		"max_num_seqs":           strconv.Itoa(s.MaxNumSeqs),
		"gpu_memory_utilization": strconv.FormatFloat(s.GPUMemoryUtilization, 'f', -1, 64),
		"dtype":                  s.Dtype,
	}
}

// serveKey is the serve key a placeholder takes its value from.
func serveKey(name string) string {
	switch name {
	case "model":
		return "model_path"
	case "tp", "dp", "pp":
		return "tp_dp_pairs[]." + name
	}
	return name
}

package loadgen

import (
	"bytes"
	"encoding/json"
)

// Keys the fast path looks for.
var (
	keyChoices = []byte(`"choices"`)
	keyUsage   = []byte(`"usage"`)
	keyError   = []byte(`"error"`)
)

// quickChoices classifies the common token message without decoding it:
// valid JSON with one top-level "choices" array, no usage object and no
// error. ok is false for anything else, which then takes the full decoder;
// nonEmpty tells whether the choices list has an element. It allocates
// nothing, which keeps the garbage collector, and its pauses, out of the
// timestamps.
func quickChoices(data []byte) (nonEmpty, ok bool) {
	if bytes.Contains(data, keyError) {
		return false, false // an error key or an "error" value: decode fully
	}
	if u := bytes.Index(data, keyUsage); u >= 0 {
		if bytes.Contains(data[u+1:], keyUsage) || !bytes.HasPrefix(afterColon(data[u+len(keyUsage):]), []byte("null")) {
			return false, false
		}
	}
	i := bytes.Index(data, keyChoices)
	if i < 0 || bytes.Contains(data[i+1:], keyChoices) || depthAt(data, i) != 1 {
		return false, false
	}
	rest := afterColon(data[i+len(keyChoices):])
	if len(rest) == 0 || rest[0] != '[' {
		return false, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || !json.Valid(data) {
		return false, false
	}
	return rest[0] != ']', true
}

// afterColon skips white space, one colon and white space.
func afterColon(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != ':' {
		return nil
	}
	return bytes.TrimLeft(b[1:], " \t\r\n")
}

// depthAt returns the nesting depth of objects and arrays at byte i of a
// JSON text (1 inside the top-level object), or -1 when i is inside a string.
func depthAt(data []byte, i int) int {
	depth, inString, escaped := 0, false, false
	for _, c := range data[:i] {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	if inString {
		return -1
	}
	return depth
}

package loadgen

// maxFastDepth bounds the nesting the fast path follows; deeper messages
// take the full decoder (whose own limit is far higher).
const maxFastDepth = 32

// quickChoices classifies the common token message in one pass, without
// decoding or allocating: valid JSON whose top level is an object with one
// "choices" array of objects, no usage object, no error and a string
// "object" other than "error". ok is false for anything else, which then
// takes the full decoder; m marks the choices the message carries. Keeping
// the garbage collector out keeps its pauses out of the timestamps, and one
// pass instead of a validation and several searches halves the parse cost.
//
// Top-level keys that match a field of sseChunk only without regard to case,
// or that hold escapes, make ok false, because the decoder would match them
// where a byte comparison does not.
func quickChoices(data []byte) (m choiceMarks, ok bool) {
	var none choiceMarks
	s := fastScanner{data: data, ok: true}
	s.space()
	if !s.take('{') {
		return none, false
	}
	seen := false
	s.space()
	if s.take('}') {
		return none, false // no choices
	}
	for {
		s.space()
		key, plain := s.str()
		if !s.ok {
			return none, false
		}
		s.space()
		if !s.take(':') {
			return none, false
		}
		s.space()
		field := fieldOf(key, plain)
		switch field {
		case fieldOther:
			s.value(1)
		case fieldAmbiguous:
			return none, false
		case fieldChoices:
			if seen || s.peek() != '[' {
				return none, false
			}
			seen = true
			if m, ok = s.choices(); !ok {
				return none, false
			}
		case fieldUsage, fieldMessage:
			// usage must be null for the fast path; message must be what
			// the decoder accepts for a string field.
			switch {
			case s.literal("null"):
			case field == fieldMessage && s.peek() == '"':
				s.str()
			default:
				return none, false
			}
		case fieldError:
			return none, false
		case fieldObject:
			if s.peek() != '"' {
				return none, false
			}
			v, vplain := s.str()
			if !vplain || string(v) == "error" {
				return none, false
			}
		}
		if !s.ok {
			return none, false
		}
		s.space()
		if s.take(',') {
			continue
		}
		if !s.take('}') {
			return none, false
		}
		break
	}
	s.space()
	if !s.ok || s.pos != len(data) || !seen {
		return none, false
	}
	return m, true
}

// Top-level keys the fast path tells apart.
const (
	fieldOther = iota
	fieldAmbiguous
	fieldChoices
	fieldUsage
	fieldError
	fieldObject
	fieldMessage
)

// fieldOf names a top-level key: one of sseChunk's fields when it is spelt
// exactly so, fieldAmbiguous when the decoder could take it for one (another
// case, or escapes), else fieldOther.
func fieldOf(key []byte, plain bool) int {
	if !plain {
		return fieldAmbiguous
	}
	switch string(key) {
	case "choices":
		return fieldChoices
	case "usage":
		return fieldUsage
	case "error":
		return fieldError
	case "object":
		return fieldObject
	case "message":
		return fieldMessage
	}
	for _, name := range foldedNames {
		if len(key) == len(name) && equalFoldASCII(key, name) {
			return fieldAmbiguous
		}
	}
	// The decoder also folds the Kelvin sign and the long s onto k and s.
	for _, c := range key {
		if c >= 0x80 {
			return fieldAmbiguous
		}
	}
	return fieldOther
}

// foldedNames are the JSON names of sseChunk's fields.
var foldedNames = [...]string{"choices", "usage", "error", "object", "message"}

// choices consumes the top-level choices array (depth 2) and marks its
// elements. ok is false for what the decoder might read otherwise: an
// element that is not an object, an index that is not an integer from 0 to
// 63, or index or finish_reason spelt otherwise or given twice.
func (s *fastScanner) choices() (m choiceMarks, ok bool) {
	s.pos++ // the '['
	s.space()
	if s.take(']') {
		return m, true
	}
	for {
		s.space()
		index, finished, good := s.choice()
		if !good || !s.ok {
			return m, false
		}
		m.mark(index, finished)
		s.space()
		if s.take(',') {
			continue
		}
		return m, s.take(']')
	}
}

// choice consumes one element of the choices array (depth 3) and returns its
// index (0 when absent) and whether its finish_reason is set.
func (s *fastScanner) choice() (index int, finished, ok bool) {
	if !s.take('{') {
		return 0, false, false
	}
	s.space()
	if s.take('}') {
		return 0, false, true
	}
	hasIndex, hasFinish := false, false
	for {
		s.space()
		key, plain := s.str()
		s.space()
		if !s.ok || !s.take(':') {
			return 0, false, false
		}
		s.space()
		switch choiceFieldOf(key, plain) {
		case fieldIndex:
			start := s.pos
			s.number()
			digits := s.data[start:s.pos]
			if hasIndex || !s.ok || len(digits) > 2 || digits[0] == '-' {
				return 0, false, false
			}
			hasIndex, index = true, 0
			for _, c := range digits {
				if c < '0' || c > '9' {
					return 0, false, false
				}
				index = index*10 + int(c-'0')
			}
			if index >= maxChoices {
				return 0, false, false
			}
		case fieldFinish:
			if hasFinish {
				return 0, false, false
			}
			hasFinish = true
			if finished = !s.literal("null"); finished {
				s.value(3)
			}
		case fieldAmbiguous:
			return 0, false, false
		default:
			s.value(3)
		}
		s.space()
		if !s.ok {
			return 0, false, false
		}
		if s.take(',') {
			continue
		}
		return index, finished, s.take('}')
	}
}

// Keys of a choice the fast path tells apart (besides fieldOther and
// fieldAmbiguous).
const (
	fieldIndex = iota + fieldMessage + 1
	fieldFinish
)

// choiceFieldOf names a key of a choice object like fieldOf.
func choiceFieldOf(key []byte, plain bool) int {
	if !plain {
		return fieldAmbiguous
	}
	switch string(key) {
	case "index":
		return fieldIndex
	case "finish_reason":
		return fieldFinish
	}
	if len(key) == len("index") && equalFoldASCII(key, "index") ||
		len(key) == len("finish_reason") && equalFoldASCII(key, "finish_reason") {
		return fieldAmbiguous
	}
	for _, c := range key {
		if c >= 0x80 {
			return fieldAmbiguous
		}
	}
	return fieldOther
}

// equalFoldASCII reports whether b equals the lowercase ASCII name without
// regard to case.
func equalFoldASCII(b []byte, name string) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// fastScanner checks JSON grammar over data as encoding/json does; ok turns
// false at the first error and stays false.
type fastScanner struct {
	data []byte
	pos  int
	ok   bool
}

// peek returns the next byte, or 0 at the end.
func (s *fastScanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// take consumes c when it is next.
func (s *fastScanner) take(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// space skips JSON white space.
func (s *fastScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// literal consumes word when it is next.
func (s *fastScanner) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// fail marks the text invalid.
func (s *fastScanner) fail() { s.ok = false; s.pos = len(s.data) }

// value consumes one JSON value at nesting depth (the top-level object is
// depth 1).
func (s *fastScanner) value(depth int) {
	if !s.ok {
		return
	}
	switch c := s.peek(); {
	case c == '"':
		s.str()
	case c == '{', c == '[':
		if depth >= maxFastDepth {
			s.fail()
			return
		}
		s.container(depth + 1)
	case c == '-' || ('0' <= c && c <= '9'):
		s.number()
	case c == 't':
		s.require(s.literal("true"))
	case c == 'f':
		s.require(s.literal("false"))
	case c == 'n':
		s.require(s.literal("null"))
	default:
		s.fail()
	}
}

// require fails the scan when cond is false.
func (s *fastScanner) require(cond bool) {
	if !cond {
		s.fail()
	}
}

// container consumes an object or array.
func (s *fastScanner) container(depth int) {
	open := s.data[s.pos]
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	s.pos++
	s.space()
	if s.take(closing) {
		return
	}
	for s.ok {
		s.space()
		if open == '{' {
			if s.peek() != '"' {
				s.fail()
				return
			}
			s.str()
			s.space()
			if !s.take(':') {
				s.fail()
				return
			}
			s.space()
		}
		s.value(depth)
		s.space()
		if s.take(',') {
			continue
		}
		s.require(s.take(closing))
		return
	}
}

// str consumes a string and returns its raw bytes between the quotes;
// plain is false when it holds an escape.
func (s *fastScanner) str() (raw []byte, plain bool) {
	if !s.ok {
		return nil, false
	}
	if !s.take('"') {
		s.fail()
		return nil, false
	}
	start := s.pos
	plain = true
	data := s.data
	for {
		i := s.pos
		for i < len(data) && !strSpecial[data[i]] {
			i++
		}
		s.pos = i
		if i == len(data) {
			s.fail()
			return nil, false
		}
		switch c := data[i]; {
		case c == '"':
			s.pos++
			return data[start:i], plain
		case c == '\\':
			plain = false
			s.pos++
			s.escape()
			if !s.ok {
				return nil, false
			}
		default: // a control character
			s.fail()
			return nil, false
		}
	}
}

// strSpecial marks the bytes that end a run of plain string content: the
// quote, the backslash and the control characters.
var strSpecial = [256]bool{
	'"': true, '\\': true,
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
}

// escape consumes the rest of an escape sequence after its backslash.
func (s *fastScanner) escape() {
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
	case 'u':
		s.pos++
		for range 4 {
			if !isHex(s.peek()) {
				s.fail()
				return
			}
			s.pos++
		}
	default:
		s.fail()
	}
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number consumes a JSON number.
func (s *fastScanner) number() {
	s.take('-')
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		s.fail()
		return
	}
	if s.take('.') {
		s.require(s.digits())
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		s.require(s.digits())
	}
}

// digits consumes one or more decimal digits.
func (s *fastScanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

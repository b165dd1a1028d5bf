package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a YAML node tree into Go values, keeping the line of every
// key so that each problem is reported at its place, and collecting every
// problem instead of stopping at the first.
type decoder struct {
	errs  *Errors
	lines map[string]int // path -> line of the key or element
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	precisionType = reflect.TypeOf(Precision{})
)

// decode fills v from node. path names the value for messages, in the form
// runs[0].bench.context_size[1].
func (d *decoder) decode(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if isNull(node) {
		return // an empty value leaves the default
	}
	if path != "" {
		d.lines[path] = node.Line
	}
	switch {
	case v.Kind() == reflect.Pointer:
		// An optional value: nil when the key is left out.
		elem := reflect.New(v.Type().Elem())
		d.decode(node, elem.Elem(), path)
		v.Set(elem)
	case v.Type() == durationType:
		d.decodeDuration(node, v, path)
	case v.Type() == precisionType:
		d.decodePrecision(node, v, path)
	case v.Kind() == reflect.Struct:
		d.decodeStruct(node, v, path)
	case v.Kind() == reflect.Slice:
		d.decodeSlice(node, v, path)
	case v.Kind() == reflect.Map:
		d.decodeMap(node, v, path)
	default:
		d.decodeScalar(node, v, path)
	}
}

func (d *decoder) decodeStruct(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind != yaml.MappingNode {
		d.errs.add(node.Line, path, "expected a mapping of keys, got %s", describe(node))
		return
	}
	fields := yamlFields(v.Type())
	for _, kv := range d.pairs(node, path) {
		key, val := kv.key, kv.val
		sub := join(path, key.Value)
		idx, ok := fields[key.Value]
		if !ok {
			d.errs.add(key.Line, sub, "unknown key (valid keys: %s)", validKeys(fields))
			continue
		}
		d.decode(val, v.Field(idx), sub)
		if !isNull(val) {
			d.lines[sub] = key.Line
		}
	}
	if line, ok := lineField(v); ok {
		line.SetInt(int64(node.Line))
	}
}

// keyValue is one key of a mapping and its value.
type keyValue struct{ key, val *yaml.Node }

// pairs returns the keys of a mapping node in file order, a key given twice
// reported and dropped, and merge keys (<<: *name, or <<: [*a, *b])
// resolved as yaml.v3 resolves them: the mapping's own keys win, then the
// merged mappings' keys in their order, the first one given winning. A
// merged key keeps its node, so a problem with it is reported at the line
// where the anchored mapping gives it.
func (d *decoder) pairs(node *yaml.Node, path string) []keyValue {
	var own, merges []keyValue
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i], node.Content[i+1]
		switch {
		case isMergeKey(key):
			merges = append(merges, keyValue{key, val})
		case seen[key.Value]:
			d.errs.add(key.Line, join(path, key.Value), "key given twice")
		default:
			seen[key.Value] = true
			own = append(own, keyValue{key, val})
		}
	}
	for _, m := range merges {
		for _, src := range d.mergedMappings(m, path) {
			for _, kv := range d.pairs(src, path) {
				if !seen[kv.key.Value] {
					seen[kv.key.Value] = true
					own = append(own, kv)
				}
			}
		}
	}
	return own
}

// mergedMappings returns the mappings a merge key names: one alias or
// mapping, or a list of them.
func (d *decoder) mergedMappings(m keyValue, path string) []*yaml.Node {
	items := []*yaml.Node{m.val}
	if m.val.Kind == yaml.SequenceNode {
		items = m.val.Content
	}
	var out []*yaml.Node
	for _, item := range items {
		if item.Kind == yaml.AliasNode {
			item = item.Alias
		}
		if item.Kind != yaml.MappingNode {
			d.errs.add(m.key.Line, join(path, "<<"), "a merge key takes a mapping, an alias of one (<<: *name) or a list of them, got %s", describe(item))
			return nil
		}
		out = append(out, item)
	}
	return out
}

// isMergeKey reports whether a key is YAML's merge key, an unquoted <<.
func isMergeKey(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.Value == "<<" && key.ShortTag() == "!!merge"
}

func (d *decoder) decodeSlice(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind != yaml.SequenceNode {
		d.errs.add(node.Line, path, "expected a list, got %s", describe(node))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(node.Content), len(node.Content))
	for i, item := range node.Content {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

func (d *decoder) decodeMap(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind != yaml.MappingNode {
		d.errs.add(node.Line, path, "expected a mapping, got %s", describe(node))
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(node.Content)/2)
	for _, kv := range d.pairs(node, path) {
		key, val := kv.key, kv.val
		elem := reflect.New(v.Type().Elem()).Elem()
		sub := join(path, key.Value)
		d.decode(val, elem, sub)
		d.lines[sub] = key.Line
		out.SetMapIndex(reflect.ValueOf(key.Value), elem)
	}
	v.Set(out)
}

func (d *decoder) decodeScalar(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind != yaml.ScalarNode {
		d.errs.add(node.Line, path, "expected %s, got %s", kindName(v.Kind()), describe(node))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(node.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(node.Value)
		if node.Tag != "!!bool" || err != nil {
			d.errs.add(node.Line, path, "expected true or false, got %q", node.Value)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(node.Value, 0, 64)
		if node.Tag != "!!int" || err != nil {
			d.errs.add(node.Line, path, "expected an integer, got %q", node.Value)
			return
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(node.Value, 64)
		if (node.Tag != "!!int" && node.Tag != "!!float") || err != nil {
			d.errs.add(node.Line, path, "expected a number, got %q", node.Value)
			return
		}
		v.SetFloat(f)
	default:
		d.errs.add(node.Line, path, "unsupported value type %s", v.Type())
	}
}

// decodePrecision reads bench.precision: auto or a number (its range is
// the validator's to judge).
func (d *decoder) decodePrecision(node *yaml.Node, v reflect.Value, path string) {
	var p Precision
	switch {
	case node.Kind == yaml.ScalarNode && node.Value == PrecisionAuto:
		p.Auto = true
	case node.Kind == yaml.ScalarNode && (node.Tag == "!!int" || node.Tag == "!!float"):
		f, err := strconv.ParseFloat(node.Value, 64)
		if err != nil {
			d.errs.add(node.Line, path, "expected a number such as 0.02 or %s, got %q", PrecisionAuto, node.Value)
			return
		}
		p.Value = f
	default:
		d.errs.add(node.Line, path, "expected a number such as 0.02 or %s, got %s", PrecisionAuto, describe(node))
		return
	}
	v.Set(reflect.ValueOf(p))
}

func (d *decoder) decodeDuration(node *yaml.Node, v reflect.Value, path string) {
	if node.Kind != yaml.ScalarNode {
		d.errs.add(node.Line, path, "expected a duration like 90s or 20m, got %s", describe(node))
		return
	}
	text := node.Value
	if node.Tag == "!!int" {
		text += "s" // a bare number means seconds
	}
	dur, err := time.ParseDuration(text)
	if err != nil || dur <= 0 {
		d.errs.add(node.Line, path, "expected a positive duration like 90s or 20m, got %q", node.Value)
		return
	}
	v.SetInt(int64(dur))
}

func isNull(node *yaml.Node) bool {
	return node.Kind == yaml.ScalarNode && node.Tag == "!!null"
}

// yamlFields maps the yaml key of each settable field of t to its index.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

// lineField returns the Line field of a struct, which records where the
// struct starts in the file.
func lineField(v reflect.Value) (reflect.Value, bool) {
	f := v.FieldByName("Line")
	return f, f.IsValid() && f.Kind() == reflect.Int
}

func validKeys(fields map[string]int) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(node.Value)
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	}
	return k.String()
}

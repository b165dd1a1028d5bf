package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// metricTitle names a gated metric for people (gate.MetricTitle).
func metricTitle(name string) string { return gate.MetricTitle(name) }

// metricHeading is a metric's column heading with its unit, short enough
// for a table at a comment's width: "median TTFT ms", "output tok/s".
func metricHeading(name, unit string) string {
	title := metricTitle(name)
	if t, ok := strings.CutSuffix(title, " throughput"); ok && unit != "" {
		return t + " " + unit
	}
	if unit == "" {
		return title
	}
	return title + " " + unit
}

// changeHeading is a metric's column heading over changes, which need no
// unit: "median TTFT"; a throughput is named by its unit, which is
// shorter: "output tok/s".
func changeHeading(name, unit string) string {
	if _, ok := strings.CutSuffix(metricTitle(name), " throughput"); ok && unit != "" {
		return metricHeading(name, unit)
	}
	return metricTitle(name)
}

// serverName names a server configuration briefly: the run and its tensor
// parallelism, with DP and PP only when they are not 1 ("llama-7b TP1",
// "llama-70b TP4 PP2").
func serverName(s sweep.Server) string {
	name := fmt.Sprintf("%s TP%d", s.Run, s.TP)
	if s.DP > 1 {
		name += fmt.Sprintf(" DP%d", s.DP)
	}
	if s.PP > 1 {
		name += fmt.Sprintf(" PP%d", s.PP)
	}
	return name
}

// dimension is one part of a point's label, e.g. "C" with value "32".
type dimension struct {
	key, value string
}

// String is the part as the label prints it: C32.
func (d dimension) String() string { return d.key + d.value }

// dimensions splits a point's label into its parts (CTX512, C32, P200,
// O128 and R<rate> when set).
func dimensions(p sweep.Point) []dimension {
	fields := strings.Fields(p.Label())
	out := make([]dimension, 0, len(fields))
	for _, f := range fields {
		i := strings.IndexFunc(f, func(r rune) bool { return r < 'A' || r > 'Z' })
		if i < 0 {
			i = len(f)
		}
		out = append(out, dimension{key: f[:i], value: f[i:]})
	}
	return out
}

// axisTitle is the words for a swept dimension on a chart's x-axis.
func axisTitle(key string) string {
	switch key {
	case "C":
		return "concurrency"
	case "CTX":
		return "context tokens"
	case "O":
		return "output tokens"
	case "P":
		return "prompts"
	case "R":
		return "request rate (req/s)"
	}
	return key
}

// sweepPreference orders the dimensions a chart puts on its x-axis when
// several vary equally often.
func sweepPreference() []string { return []string{"C", "R", "CTX", "O", "P"} }

// labeler names the report's points by what differs between them.
func (r *Report) labeler() labeler {
	var points []sweep.Point
	for _, row := range r.Rows() {
		points = append(points, row.Point)
	}
	return newLabeler(points)
}

// labeler names points by what differs between them: the dimensions that
// take one value across the whole report (the shared part, e.g. P200 O128)
// go into headings, the rest into rows ("CTX512 C32").
type labeler struct {
	// varying holds the keys of the dimensions that take more than one
	// value, in label order.
	varying []string
	// shared is the label of the dimensions that take one value.
	shared string
	// swept is the dimension charts put on their x-axis: the varying one
	// with the most values.
	swept string
}

// newLabeler finds the shared and varying dimensions of points. When no
// dimension varies, concurrency stays in the row names so that a row is
// never nameless.
func newLabeler(points []sweep.Point) labeler {
	points = slices.DeleteFunc(slices.Clone(points), gate.IsStartPoint) // named startLabel
	values := map[string]map[string]bool{}
	var order []string
	for _, p := range points {
		for _, d := range dimensions(p) {
			if values[d.key] == nil {
				values[d.key] = map[string]bool{}
				order = append(order, d.key)
			}
			values[d.key][d.value] = true
		}
	}
	// A dimension some points lack (R) varies when any point lacks it.
	for _, p := range points {
		have := map[string]bool{}
		for _, d := range dimensions(p) {
			have[d.key] = true
		}
		for key := range values {
			if !have[key] {
				values[key][""] = true
			}
		}
	}
	var l labeler
	var shared []string
	for _, key := range order {
		if len(values[key]) > 1 {
			l.varying = append(l.varying, key)
		}
	}
	if len(l.varying) == 0 {
		l.varying = []string{"C"}
	}
	for _, key := range order {
		if !l.isVarying(key) {
			for v := range values[key] {
				shared = append(shared, key+v)
			}
		}
	}
	l.shared = strings.Join(shared, " ")
	best := -1
	for _, key := range sweepPreference() {
		if n := len(values[key]); l.isVarying(key) && n > best {
			l.swept, best = key, n
		}
	}
	return l
}

func (l labeler) isVarying(key string) bool {
	for _, k := range l.varying {
		if k == key {
			return true
		}
	}
	return false
}

// unlimitedRate is the swept value of a point without a request rate when
// other points have one: all requests at once (vLLM's "inf").
const unlimitedRate = "∞"

// parts returns the point's dimensions that vary, in label order, with
// R∞ for a point without a request rate when others have one.
func (l labeler) parts(p sweep.Point) []dimension {
	ds := dimensions(p)
	have := map[string]bool{}
	for _, d := range ds {
		have[d.key] = true
	}
	var out []dimension
	for _, d := range ds {
		if l.isVarying(d.key) {
			out = append(out, d)
		}
	}
	if l.isVarying("R") && !have["R"] {
		out = append(out, dimension{key: "R", value: unlimitedRate})
	}
	return out
}

// row names a point by its varying dimensions: "CTX512 C32".
func (l labeler) row(p sweep.Point) string {
	if gate.IsStartPoint(p) {
		return startLabel
	}
	var parts []string
	for _, d := range l.parts(p) {
		parts = append(parts, d.String())
	}
	return strings.Join(parts, " ")
}

// series names a point by its varying dimensions other than the swept one,
// the part that one line of a chart shares ("CTX512"); "" when only the
// swept dimension varies.
func (l labeler) series(p sweep.Point) string {
	if gate.IsStartPoint(p) {
		return startLabel // a line of no chart
	}
	var parts []string
	for _, d := range l.parts(p) {
		if d.key != l.swept {
			parts = append(parts, d.String())
		}
	}
	return strings.Join(parts, " ")
}

// sweptValue is the point's value of the swept dimension ("32").
func (l labeler) sweptValue(p sweep.Point) string {
	for _, d := range l.parts(p) {
		if d.key == l.swept {
			return d.value
		}
	}
	return ""
}

// heading names a server configuration with the shared part of the point
// names: "llama-7b TP1 · P200 O128".
func (l labeler) heading(s sweep.Server) string {
	if l.shared == "" {
		return serverName(s)
	}
	return serverName(s) + " · " + l.shared
}

// where names a point in one phrase: "llama-7b TP1 · CTX512 C32".
func (l labeler) where(s sweep.Server, p sweep.Point) string {
	return serverName(s) + " · " + l.row(p)
}

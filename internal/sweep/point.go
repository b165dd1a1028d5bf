package sweep

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Point is one benchmark combination inside a server configuration: the
// values that vary across the bench lists of a run.
type Point struct {
	// ContextSize is the number of input tokens of every prompt.
	ContextSize int `json:"context_size"`
	// Concurrency is the most requests in flight at once.
	Concurrency int `json:"concurrency"`
	// NumPrompts is the number of timed requests.
	NumPrompts int `json:"num_prompts"`
	// OutputLen is max_tokens of every request (sent with ignore_eos).
	OutputLen int `json:"output_len"`
	// RequestRate is the mean arrival rate in requests per second; 0 means
	// all requests at once, limited by Concurrency (vLLM's "inf").
	RequestRate float64 `json:"request_rate,omitempty"`
}

// Server identifies one server configuration: a run and one tp/dp/pp pair.
type Server struct {
	// Run is the run's name from the config.
	Run string `json:"run"`
	// TP, DP and PP are the tensor-, data- and pipeline-parallel sizes.
	TP int `json:"tp"`
	DP int `json:"dp"`
	PP int `json:"pp"`
}

// Stem is the server part of every file name of this configuration:
// NAME_TP<tp>_DP<dp>, with _PP<pp> appended when pp > 1.
func (s Server) Stem() string {
	stem := fmt.Sprintf("%s_TP%d_DP%d", s.Run, s.TP, s.DP)
	if s.PP > 1 {
		stem += fmt.Sprintf("_PP%d", s.PP)
	}
	return stem
}

// LogName is the file name of the server's log under <output_dir>/logs.
func (s Server) LogName() string { return s.Stem() + ".log" }

// ResultName is the file name of one point's result, exactly as the seed tool
// names it: NAME_TP1_DP1_CTX512_C50_P100_O128.json, with _PP<pp> after DP when
// pp > 1 and _R<rate> after O when a request rate is set.
func ResultName(s Server, p Point) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s_CTX%d_C%d_P%d_O%d", s.Stem(), p.ContextSize, p.Concurrency, p.NumPrompts, p.OutputLen)
	if p.RequestRate > 0 {
		b.WriteString("_R" + FormatRate(p.RequestRate))
	}
	b.WriteString(".json")
	return b.String()
}

// FormatRate prints a request rate the shortest way that reads back exactly
// (4, 0.5, 12.25), as it appears in file names.
func FormatRate(rate float64) string {
	return strconv.FormatFloat(rate, 'f', -1, 64)
}

// Label names the point the way file names do, without the server stem:
// CTX512 C50 P100 O128, with R<rate> when a request rate is set.
func (p Point) Label() string {
	label := fmt.Sprintf("CTX%d C%d P%d O%d", p.ContextSize, p.Concurrency, p.NumPrompts, p.OutputLen)
	if p.RequestRate > 0 {
		label += " R" + FormatRate(p.RequestRate)
	}
	return label
}

// resultName matches a result file name; the run name may itself hold
// underscores, so the server and point fields are read from the end.
var resultName = regexp.MustCompile(`^(.+)_TP(\d+)_DP(\d+)(?:_PP(\d+))?_CTX(\d+)_C(\d+)_P(\d+)_O(\d+)(?:_R([0-9.]+))?(?:\.failed)?\.json$`)

// ParseResultName reads the server and the point back from a result file
// name (NAME.json or NAME.failed.json), the inverse of ResultName.
func ParseResultName(name string) (Server, Point, error) {
	m := resultName.FindStringSubmatch(name)
	if m == nil {
		return Server{}, Point{}, fmt.Errorf("%q is not a result file name (want RUN_TP1_DP1_CTX512_C8_P100_O128.json)", name)
	}
	n := func(s string) int {
		v, _ := strconv.Atoi(s)
		return v
	}
	s := Server{Run: m[1], TP: n(m[2]), DP: n(m[3]), PP: 1}
	if m[4] != "" {
		s.PP = n(m[4])
	}
	p := Point{ContextSize: n(m[5]), Concurrency: n(m[6]), NumPrompts: n(m[7]), OutputLen: n(m[8])}
	if m[9] != "" {
		rate, err := strconv.ParseFloat(m[9], 64)
		if err != nil {
			return Server{}, Point{}, fmt.Errorf("%q: request rate %q: %w", name, m[9], err)
		}
		p.RequestRate = rate
	}
	return s, p, nil
}

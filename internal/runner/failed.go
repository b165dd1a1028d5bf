package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/metrics"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/server"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// writeFailed records points that could not be measured as
// <point>.failed.json, with the cause and the server's last log lines.
func (sw *sweeper) writeFailed(s sweep.ServerConfig, points []sweep.Point, meta results.Meta, cause error, tail []string) {
	now := time.Now()
	b := &s.Run.Bench
	for _, p := range points {
		resultPath := filepath.Join(b.OutputDir, sweep.ResultName(s.Server, p))
		path := failedPath(resultPath)
		f := results.FromSummary(metrics.Summary{Failed: p.NumPrompts * b.Repeats}, nil, results.Info{
			Model: s.Run.Serve.ModelPath, Endpoint: b.Endpoint, Point: p, Burstiness: b.Burstiness,
			Seed: b.Seed, WarmupPrompts: b.WarmupPrompts, Start: now, End: now,
		})
		sw.fill(f, meta)
		m := &f.VllmBench
		m.Error, m.LogTail = briefError(cause), tail
		if _, err := os.Stat(m.LogPath); err != nil {
			m.LogPath = "" // the server never started, so it wrote no log
		}
		data, err := results.Encode(f)
		if err == nil {
			err = sw.opts.WriteFile(path, data)
		}
		if err != nil {
			sw.obs.Step(err.Error())
			continue
		}
		// A result of an earlier sweep no longer stands for this point.
		_ = os.Remove(resultPath)
		sw.status[path] = results.PointStatus{File: filepath.Base(path), Status: results.StatusFailed, Failed: f.Failed, Error: m.Error}
	}
}

// failedPath is where a point that could not be measured is recorded.
func failedPath(resultPath string) string {
	return strings.TrimSuffix(resultPath, ".json") + results.FailedSuffix
}

// briefError is the one-line form of an error: a start failure gives its
// reason and the log's last line rather than the whole quoted log.
func briefError(err error) string {
	var se *server.StartError
	if errors.As(err, &se) {
		return se.Summary()
	}
	return firstLine(err)
}

func logTailOf(err error) []string {
	var se *server.StartError
	if errors.As(err, &se) {
		return se.LogTail
	}
	return nil
}

func firstLine(v any) string {
	s := fmt.Sprint(v)
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// plural returns "n noun", with an s when n != 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ShellQuote prints argv as a shell would need it typed.
func ShellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

package app

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
		if err := results.Write(path, f); err != nil {
			fmt.Fprintf(sw.env.Stderr, "vllm-bench: %v\n", err)
			continue
		}
		// A result of an earlier sweep no longer stands for this point.
		_ = os.Remove(resultPath)
		sw.status[path] = results.PointStatus{File: filepath.Base(path), Status: "failed", Failed: f.Failed, Error: m.Error}
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

func firstError(errs []string) string {
	for _, e := range errs {
		if e != "" {
			return e
		}
	}
	return "no error message"
}

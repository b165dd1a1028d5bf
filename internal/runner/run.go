package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/engine"
	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
	"github.com/vllm-bench-action/vllm-bench-action/internal/probe"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/server"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Options configure Run. The zero value runs every point with no progress
// reports.
type Options struct {
	// Resume skips points whose result file is complete and was measured
	// with the same settings.
	Resume bool
	// Executable is this binary, which runs the simulator (engine sim).
	Executable string
	// Getenv reads the harness's environment (OPENAI_API_KEY for requests,
	// GITHUB_SHA when the working directory is no git checkout); nil reads
	// nothing.
	Getenv func(string) string
	// Abort, when closed, kills servers without their grace period.
	Abort <-chan struct{}
	// Observer is told the sweep's progress; nil reports nothing.
	Observer Observer
	// HarnessVersion is recorded in every result file.
	HarnessVersion string
	// Gated holds each run's gated metrics, by run name: bench.precision
	// watches their latency medians and throughputs.
	Gated map[string][]string
	// RunToRun gives the run-to-run CV that the gate judges a metric of a
	// point with (by run name, result file name and metric key): the
	// target of bench.precision auto. Nil, or a value that is not
	// positive, leaves the median no target: its point sends every
	// num_prompts.
	RunToRun func(run, name, metric string) float64
	// WriteFile writes one file of the sweep (a result, summary.json)
	// whole or not at all; nil is results.WriteAtomic. Tests inject a full
	// disk here.
	WriteFile func(path string, data []byte) error
}

// Outcome is what a sweep produced.
type Outcome struct {
	// Rows holds one row per point measured or kept, in sweep order.
	Rows []Row
	// Failures holds one line per server configuration that failed.
	Failures []string
	// FailedRequests holds one line per point that was measured but had
	// failed requests: a failed point, though its server stood.
	FailedRequests []string
	// Interrupted is true when ctx ended before the sweep did; finished
	// result files are kept.
	Interrupted bool
	// Accounts holds one entry per server started (or external server
	// waited for): where its time went.
	Accounts []results.ServerAccount
	// Unindexed lists the output directories whose summary.json could not
	// be written (Run's error says why).
	Unindexed []string
}

// Row is one point of a sweep and its result.
type Row struct {
	// Server is the configuration the point ran on.
	Server sweep.ServerConfig
	// Point is the benchmark point.
	Point sweep.Point
	// File is the point's result.
	File *results.File
	// Note is "kept" for a point --resume kept, "failed" for one whose
	// every request failed, else "".
	Note string
}

// Run executes the plan: each server configuration in order, started,
// measured point by point (every repeat) and stopped; points that could not
// be measured are recorded as <point>.failed.json, and summary.json in each
// output directory lists every planned point's status. A failed server
// configuration does not stop the sweep; it is in Outcome.Failures. The
// error is only for summary.json that could not be written.
func Run(ctx context.Context, plan Plan, opts Options) (Outcome, error) {
	if opts.Observer == nil {
		opts.Observer = Quiet{}
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.WriteFile == nil {
		opts.WriteFile = results.WriteAtomic
	}
	sw := &sweeper{opts: opts, obs: opts.Observer, cfg: plan.Config, shard: plan.Shard, status: map[string]results.PointStatus{}, points: plan.Points()}
	sw.machine = captureEnv(ctx, opts.Getenv, opts.HarnessVersion)
	out := sw.run(ctx, plan.Servers)
	out.FailedRequests = sw.failedRequests
	out.Accounts = sw.accountsIn("")
	out.Interrupted = ctx.Err() != nil
	var err error
	out.Unindexed, err = sw.writeSummaries(plan.Servers)
	return out, err
}

// sweeper runs server configurations one after another.
type sweeper struct {
	opts    Options
	obs     Observer
	cfg     *config.Config
	shard   string
	machine results.Env
	// status records, per result path, what became of the point.
	status map[string]results.PointStatus
	// points is the number of points of the plan; point counts those
	// reached so far (measured or kept), for progress.
	points, point int
	// failedRequests lists the points measured with failed requests.
	failedRequests []string
	// accounts are the server starts so far, each with its output
	// directory.
	accounts []booked
	// reasonsField is the throttle-reasons field nvidia-smi answered on
	// this machine, once a point has sampled the GPUs.
	reasonsField string
	// round is the round of a paired A/B comparison being measured (0 in a
	// sweep); its servers log to ABLogName.
	round int
}

func (sw *sweeper) run(ctx context.Context, servers []sweep.ServerConfig) Outcome {
	var out Outcome
	for i, s := range servers {
		if ctx.Err() != nil {
			break
		}
		sw.obs.BeginServer(i+1, len(servers), s)
		rows, err := sw.runServer(ctx, s)
		out.Rows = append(out.Rows, rows...)
		if ctx.Err() != nil {
			err = nil
		}
		if err != nil {
			out.Failures = append(out.Failures, fmt.Sprintf("%s: %s", s.Stem(), briefError(err)))
		}
		sw.obs.EndServer(s, err)
	}
	return out
}

// runServer starts one server, measures its points and stops it. The error
// is the reason the configuration failed, after its failed points were
// written.
func (sw *sweeper) runServer(ctx context.Context, s sweep.ServerConfig) ([]Row, error) {
	dir := s.Run.Bench.OutputDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory %q: %w", dir, err)
	}
	settings := settingsDigest(s)
	var todo []sweep.Point
	var rows []Row
	for _, p := range s.Points {
		path := filepath.Join(dir, sweep.ResultName(s.Server, p))
		if sw.opts.Resume {
			f, err := results.Read(path)
			if err == nil && f.Complete() && f.VllmBench.SettingsSHA256 == settings {
				sw.status[path] = results.PointStatus{File: filepath.Base(path), Status: results.StatusSkipped, Completed: f.Completed, Failed: f.Failed}
				rows = append(rows, Row{Server: s, Point: p, File: f, Note: "kept"})
				sw.point++
				continue
			}
			if err == nil && f.Complete() {
				sw.obs.Step(filepath.Base(path) + " was measured with other settings; measuring it again")
			}
		}
		todo = append(todo, p)
	}
	if len(todo) == 0 {
		sw.obs.Step(fmt.Sprintf("all %s complete, nothing to run (--resume)", plural(len(s.Points), "point")))
		return rows, nil
	}

	recipe, version, err := Recipe(ctx, s, sw.opts.Executable, sw.opts.Getenv)
	if err != nil {
		return rows, err
	}
	meta := results.Meta{
		Run: s.Run.Name, Engine: s.Run.Engine, TP: s.TP, DP: s.DP, PP: s.PP, SettingsSHA256: settings,
		ServerArgv: recipe.Argv, ServerVersion: version, Env: sw.machine,
		Measurement: results.MeasurementOf(*s.Run, s.TP, s.DP, s.PP, sw.opts.HarnessVersion),
	}
	meta.Env.ServerVersion = version
	if s.Run.Engine == config.EngineSim {
		meta.Env.GPUModel = simGPUModel
	}
	acct := results.ServerAccount{Server: s.Stem(), GPUs: s.TP * s.PP * s.DP}
	held := time.Now()
	var srv *server.Server
	defer func() {
		if srv != nil {
			begin := time.Now()
			err := srv.Stop()
			acct.StoppingS = time.Since(begin).Seconds()
			if err != nil {
				sw.obs.Step(fmt.Sprintf("stopping server %s: %v", s.Stem(), err))
			} else {
				sw.obs.Step(fmt.Sprintf("server %s stopped in %.1fs", s.Stem(), acct.StoppingS))
			}
		}
		sw.book(dir, acct, time.Since(held))
	}()
	srv, model, err := sw.startServer(ctx, s, recipe, &meta)
	acct.Started = err == nil
	acct.CacheWarm = meta.CacheWarm
	if meta.CacheWarm != nil {
		acct.CacheDir = recipe.CacheDir
	}
	acct.StartS = meta.StartupS
	if srv == nil || err != nil {
		acct.StartS = time.Since(held).Seconds() // a wait, or a start that failed
	}
	if err != nil {
		if ctx.Err() == nil {
			sw.writeFailed(s, todo, meta, err, logTailOf(err))
		}
		return rows, err
	}

	var pointErrs []string
	for k, p := range todo {
		var phases Phases
		f, err := sw.measure(ctx, s, p, recipe, model, srv, &phases)
		acct.WarmupS += phases.WarmupS
		acct.MeasuringS += phases.MeasuringS
		if err == nil && ctx.Err() == nil {
			acct.Points++
		}
		if ctx.Err() != nil {
			return rows, nil // interrupted: the unfinished point is not written
		}
		if err != nil {
			var tail []string
			if srv != nil {
				tail = srv.LogTail(server.LogTailLines)
			}
			sw.writeFailed(s, todo[k:], meta, err, tail)
			return rows, err
		}
		sw.fill(f, meta)
		path := filepath.Join(dir, sweep.ResultName(s.Server, p))
		if f.Completed == 0 {
			// Every request failed on a live server: a failed point, kept
			// with its errors, which --resume measures again.
			f.VllmBench.Error = "every request failed: " + f.FirstError()
			pointErrs = append(pointErrs, fmt.Sprintf("%s: %s", p.Label(), f.VllmBench.Error))
			path, stale := failedPath(path), path
			if err := sw.writeResult(path, p, f); err != nil {
				return rows, err
			}
			_ = os.Remove(stale)
			sw.status[path] = results.PointStatus{File: filepath.Base(path), Status: results.StatusFailed, Failed: f.Failed, Error: f.VllmBench.Error}
			rows = append(rows, Row{Server: s, Point: p, File: f, Note: "failed"})
			continue
		}
		if err := sw.writeResult(path, p, f); err != nil {
			return rows, err
		}
		_ = os.Remove(failedPath(path))
		status := results.PointStatus{File: filepath.Base(path), Status: results.StatusOK, Completed: f.Completed, Failed: f.Failed}
		if f.Failed > 0 {
			// The server stood, but some requests failed: a failed point.
			status.Status, status.Error = results.StatusRequestsFailed, f.FirstError()
			sw.failedRequests = append(sw.failedRequests, fmt.Sprintf("%s %s: %d of %d requests failed; first: %s",
				s.Stem(), p.Label(), f.Failed, f.Failed+f.Completed, f.FirstError()))
		}
		sw.status[path] = status
		rows = append(rows, Row{Server: s, Point: p, File: f})
	}
	if len(pointErrs) > 0 {
		return rows, fmt.Errorf("%s of %d failed; first: %s", plural(len(pointErrs), "point"), len(todo), pointErrs[0])
	}
	return rows, nil
}

// booked is a server start's account and the output directory it wrote to.
type booked struct {
	dir  string
	acct results.ServerAccount
}

// accountsIn returns the accounts of the starts that wrote to dir, or of
// every start when dir is "".
func (sw *sweeper) accountsIn(dir string) []results.ServerAccount {
	var out []results.ServerAccount
	for _, b := range sw.accounts {
		if dir == "" || b.dir == dir {
			out = append(out, b.acct)
		}
	}
	return out
}

// book completes a server start's account with the time the server was
// held, to the millisecond, and adds it to the sweep's.
func (sw *sweeper) book(dir string, acct results.ServerAccount, held time.Duration) {
	ms := func(s float64) float64 { return math.Round(s*1000) / 1000 }
	acct.StartS, acct.WarmupS, acct.MeasuringS, acct.StoppingS = ms(acct.StartS), ms(acct.WarmupS), ms(acct.MeasuringS), ms(acct.StoppingS)
	acct.HeldS = ms(held.Seconds())
	acct.OtherS = ms(max(0, acct.HeldS-acct.StartS-acct.WarmupS-acct.MeasuringS-acct.StoppingS))
	acct.GPUSeconds = ms(acct.HeldS * float64(acct.GPUs))
	sw.accounts = append(sw.accounts, booked{dir: dir, acct: acct})
}

// writeResult writes a measured point's file. A failed write (a full
// disk) removes its temporary file, which may free what the write needs,
// so the point, still in memory, is written once more before the
// measurement is given up as lost; the error then names the point and the
// file.
func (sw *sweeper) writeResult(path string, p sweep.Point, f *results.File) error {
	data, err := results.Encode(f)
	if err != nil {
		return fmt.Errorf("point %s: encoding %q: %w", p.Label(), path, err)
	}
	first := sw.opts.WriteFile(path, data)
	if first == nil {
		return nil
	}
	sw.obs.Step(fmt.Sprintf("%v; writing point %s once more", first, p.Label()))
	if err := sw.opts.WriteFile(path, data); err != nil {
		return fmt.Errorf("point %s was measured but is lost: %w (written twice, the temporary file removed after each try)", p.Label(), err)
	}
	return nil
}

// settingsDigest digests what shapes a configuration's measurements besides
// the point: the engine, the serve options, the layout and the load
// options. Left out: the grid lists and the layout list (the file name
// holds the point and the layout), and what does not change a measurement
// (output directory, port, startup timeout, compile cache).
func settingsDigest(s sweep.ServerConfig) string {
	b, serve := s.Run.Bench, s.Run.Serve
	b.OutputDir, b.ContextSize, b.Concurrency, b.NumPrompts, b.OutputLen, b.RequestRate = "", nil, nil, nil, nil, nil
	b.StallTimeout = 0
	serve.TPDPPairs, serve.Port, serve.StartupTimeout, serve.CacheDir = nil, 0, 0, ""
	data, _ := json.Marshal(struct {
		Engine config.Engine
		Serve  config.Serve
		Server sweep.Server
		Bench  config.Bench
	}{s.Run.Engine, serve, s.Server, b})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// simGPUModel is the hardware a simulated server reports, so simulator
// baselines never gate results from real GPUs and the other way round.
const simGPUModel = "vllm-bench sim"

// startServer starts the configuration's server (or waits for an external
// one) and returns it with the id of the model it serves.
func (sw *sweeper) startServer(ctx context.Context, s sweep.ServerConfig, recipe engine.Recipe, meta *results.Meta) (*server.Server, string, error) {
	serve := &s.Run.Serve
	if len(recipe.Argv) == 0 {
		sw.obs.Step(fmt.Sprintf("waiting for external server %s ...", recipe.BaseURL))
		wait, cancel := context.WithTimeout(ctx, serve.StartupTimeout)
		defer cancel()
		model, err := server.WaitReady(wait, recipe.BaseURL, recipe.HealthPath, 0)
		if err != nil {
			return nil, "", fmt.Errorf("external server %s not ready: %w", recipe.BaseURL, err)
		}
		return nil, model, nil
	}
	logName := s.LogName()
	if sw.round > 0 {
		logName = ABLogName(s.Server, sw.round)
	}
	logPath := filepath.Join(s.Run.Bench.OutputDir, "logs", logName)
	meta.LogPath = logPath
	cache := ""
	if recipe.CacheDir != "" {
		warm, err := prepareCache(recipe.CacheDir, recipe.Argv)
		if err != nil {
			return nil, "", err
		}
		meta.CacheWarm = &warm
		cache = fmt.Sprintf("\n  compile cache (%s): %s", map[bool]string{true: "warm", false: "cold"}[warm], recipe.CacheDir)
	}
	sw.obs.Step(fmt.Sprintf("starting server: %s\n  log: %s%s", ShellQuote(recipe.Argv), logPath, cache))
	srv, err := server.Start(ctx, server.Options{
		Name: s.Stem(), Argv: recipe.Argv, Env: recipe.Env, LogPath: logPath,
		BaseURL: recipe.BaseURL, HealthPath: recipe.HealthPath, Port: recipe.Port,
		StartupTimeout: serve.StartupTimeout, Abort: sw.opts.Abort,
	})
	if err != nil {
		return nil, "", err
	}
	meta.StartupS = srv.StartupS
	if recipe.CacheDir != "" {
		if err := keepStart(recipe.CacheDir, recipe.Argv); err != nil {
			sw.obs.Step(fmt.Sprintf("warning: the compile cache %q will not count as warm next time: %v", recipe.CacheDir, err))
		}
	}
	sw.obs.Step(fmt.Sprintf("server ready in %.1fs, serving %q", srv.StartupS, srv.ModelID))
	return srv, srv.ModelID, nil
}

// targets returns the relative error each watched metric of a point must
// reach to stop it early: bench.precision, or with auto the metric's
// run-to-run CV (none when it is unknown). Nil when the run does not stop
// early.
func (sw *sweeper) targets(s sweep.ServerConfig, p sweep.Point, watch []string) map[string]float64 {
	pr := s.Run.Bench.Precision
	if !pr.On() {
		return nil
	}
	out := make(map[string]float64, len(watch))
	for _, m := range watch {
		target := pr.Value
		if pr.Auto {
			target = 0 // no noise known, no target
			if sw.opts.RunToRun != nil {
				if cv := sw.opts.RunToRun(s.Run.Name, sweep.ResultName(s.Server, p), m); cv > 0 {
					target = cv
				}
			}
		}
		out[m] = target
	}
	return out
}

// crashSettle bounds how long a point with failed requests waits for the
// server's exit to be seen before its requests count as failed on a live
// server.
const crashSettle = 2 * time.Second

// measure runs one point. When the server process dies during the point,
// the measurement is cut short and the death is the error.
func (sw *sweeper) measure(ctx context.Context, s sweep.ServerConfig, p sweep.Point, recipe engine.Recipe, model string, srv *server.Server, phases *Phases) (*results.File, error) {
	b := &s.Run.Bench
	watch := Watched(sw.opts.Gated[s.Run.Name])
	pointCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var exited <-chan struct{}
	if srv != nil {
		exited = srv.Exited()
		go func() {
			select {
			case <-exited:
				cancel()
			case <-pointCtx.Done():
			}
		}()
	}
	sw.point++
	sw.obs.BeginPoint(sw.point, sw.points, p)
	visible := visibleDevices(recipe, sw.opts.Getenv)
	host := probe.HostOptions{VisibleDevices: visible}
	if srv != nil {
		host.ServerPID = srv.PID()
	}
	f, err := Measure(pointCtx, Spec{
		BaseURL: recipe.BaseURL, Model: model, Point: p, Endpoint: b.Endpoint, Burstiness: b.Burstiness,
		WarmupPrompts: b.WarmupPrompts, Repeats: b.Repeats, Seed: b.Seed, RequestTimeout: b.RequestTimeout,
		StallTimeout: b.StallTimeout, Goodput: b.Goodput, SaveDetailed: b.SaveDetailed, APIKey: sw.opts.Getenv("OPENAI_API_KEY"),
		HarnessVersion: sw.opts.HarnessVersion, Observer: sw.obs, Phases: phases,
		Precision: b.Precision, MinPrompts: b.MinPrompts, Watch: watch, Targets: sw.targets(s, p, watch),
		GPU:        probe.GPUOptions{VisibleDevices: visible, ReasonsField: sw.reasonsField},
		Host:       host,
		SharedHost: sw.opts.Getenv != nil && sw.opts.Getenv(SharedHostVar) == "1",
	})
	if err == nil && f.VllmBench.GPUTelemetry != nil && len(f.VllmBench.GPUTelemetry.GPUs) > 0 {
		sw.reasonsField = f.VllmBench.GPUTelemetry.ReasonsField // asked once a sweep
	}
	if exited != nil && ctx.Err() == nil && (err != nil || f.Failed > 0) {
		// A crash fails the requests in flight at once, often before the
		// process's exit is seen: give it a moment to tell a dead server
		// from requests that failed on a live one.
		select {
		case <-exited:
		case <-ctx.Done():
		case <-time.After(crashSettle):
		}
	}
	select {
	case <-exited:
		// A point that finished whole before the exit stands; the next
		// point will find the server gone.
		if ctx.Err() == nil && (err != nil || f.Failed > 0) {
			return nil, fmt.Errorf("server exited during point %s (%s)", p.Label(), srv.ExitText())
		}
	default:
	}
	if err != nil {
		if errors.Is(err, loadgen.ErrStalled) && ctx.Err() == nil {
			// The stall comes first, so that the failed files of this
			// point and the server's remaining ones lead with it.
			return nil, fmt.Errorf("%w (point %s)", stallCause(ctx, err, recipe.BaseURL+recipe.HealthPath), p.Label())
		}
		return nil, fmt.Errorf("point %s: %w", p.Label(), err)
	}
	return f, nil
}

// visibleDevices is the CUDA_VISIBLE_DEVICES the server runs with: its
// recipe's (serve.env) or else the harness's; "" (all GPUs) for an external
// server, whose GPUs the harness cannot know.
func visibleDevices(recipe engine.Recipe, getenv func(string) string) string {
	if len(recipe.Argv) == 0 {
		return ""
	}
	for _, kv := range slices.Backward(recipe.Env) {
		if v, ok := strings.CutPrefix(kv, "CUDA_VISIBLE_DEVICES="); ok {
			return v
		}
	}
	return getenv("CUDA_VISIBLE_DEVICES")
}

// fill adds what the sweep knows about the server to a measured file.
func (sw *sweeper) fill(f *results.File, meta results.Meta) {
	m := &f.VllmBench
	m.Run, m.Engine, m.TP, m.DP, m.PP, m.SettingsSHA256 = meta.Run, meta.Engine, meta.TP, meta.DP, meta.PP, meta.SettingsSHA256
	m.ServerArgv, m.ServerVersion, m.StartupS, m.LogPath, m.Env = meta.ServerArgv, meta.ServerVersion, meta.StartupS, meta.LogPath, meta.Env
	m.CacheWarm = meta.CacheWarm
	if meta.Measurement != nil {
		m.Measurement = meta.Measurement.WithPoint(m.Point)
	}
	if meta.Engine == config.EngineSGLang && f.Backend == results.BackendCompletions {
		f.Backend = "sglang" // vLLM's bench names the SGLang completions backend so
	}
}

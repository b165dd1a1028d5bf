package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// The two builds of a paired A/B comparison, as directory names under the
// output directory.
const (
	// SideBaseline is the reference build (the run's ab.baseline).
	SideBaseline = "baseline"
	// SideCandidate is the build under test (the run's own serve).
	SideCandidate = "candidate"
)

// ABRound is what one round measured: each build's result per point
// result name (the name a sweep gives it, without the round). A point that
// could not be measured is absent or carries its error.
type ABRound struct {
	Baseline, Candidate map[string]*results.File
}

// ABServer is the outcome of one server configuration of a paired A/B
// comparison.
type ABServer struct {
	// Server is the candidate's configuration (its points and run).
	Server sweep.ServerConfig
	// Rounds are the rounds measured, in order.
	Rounds []ABRound
	// MaxRounds is the most rounds the run's ab section allows.
	MaxRounds int
	// Accounts holds one entry per server start, with its side and round.
	Accounts []results.ServerAccount
}

// ABOutcome is what a paired A/B comparison produced.
type ABOutcome struct {
	// Servers holds one entry per server configuration started.
	Servers []ABServer
	// Failures holds one line per server configuration whose server failed
	// (it did not start or died): its comparison stopped there.
	Failures []string
	// Interrupted is true when ctx ended first.
	Interrupted bool
}

// ABNext decides after each round which of a server configuration's
// points the next round measures: none when its comparison is over (its
// verdicts are clear), else those still undecided.
type ABNext func(s sweep.ServerConfig, rounds []ABRound) []sweep.Point

// ABFileName is the name of a point's result in round k: the sweep's name
// with _round<k> before .json (or before .failed.json). Not _R<k>: that
// suffix already names a point's request rate, so a round file would read
// as a point at another rate.
func ABFileName(name string, round int) string {
	stem, failed := strings.CutSuffix(name, results.FailedSuffix)
	if !failed {
		stem = strings.TrimSuffix(name, ".json")
	}
	out := fmt.Sprintf("%s_round%d", stem, round)
	if failed {
		return out + results.FailedSuffix
	}
	return out + ".json"
}

// RunAB runs a paired A/B comparison of every server configuration of the
// plan whose run has an ab section: the reference build (the run's
// ab.baseline over its serve) and the candidate (the run's serve) are
// started in turn, a fresh server each time, in the order A B, B A, A B,
// ... so that drift of the machine cancels. The first round measures every
// point of the configuration; after each round next says which points the
// next one measures (both builds the same), and none ends the
// configuration's comparison: no more servers start for it. It runs at
// most ab.rounds rounds. Results go to outDir/baseline and
// outDir/candidate under ABFileName, with each start's server log as
// logs/<server>_round<k>.log and a summary.json listing every file (a
// point not measured in a round has no file of it). The error is only for
// files that could not be written.
func RunAB(ctx context.Context, plan Plan, outDir string, opts Options, next ABNext) (ABOutcome, error) {
	if opts.Observer == nil {
		opts.Observer = Quiet{}
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.WriteFile == nil {
		opts.WriteFile = results.WriteAtomic
	}
	sw := &sweeper{opts: opts, obs: opts.Observer, cfg: plan.Config, status: map[string]results.PointStatus{}}
	sw.machine = captureEnv(ctx, opts.Getenv, opts.HarnessVersion)
	ab := &abRunner{sw: sw, outDir: outDir, summaries: map[string]*results.Summary{}}
	var out ABOutcome
	var servers []sweep.ServerConfig
	for _, s := range plan.Servers {
		if s.Run.AB != nil {
			servers = append(servers, s)
			sw.points += 2 * s.Run.AB.Rounds * len(s.Points) // the most: rounds may stop early
		}
	}
	for i, s := range servers {
		if ctx.Err() != nil {
			break
		}
		res, err := ab.server(ctx, i+1, len(servers), s, next)
		out.Servers = append(out.Servers, res)
		if err != nil && ctx.Err() == nil {
			out.Failures = append(out.Failures, fmt.Sprintf("%s: %s", s.Stem(), briefError(err)))
		}
	}
	out.Interrupted = ctx.Err() != nil
	return out, ab.writeSummaries()
}

// abRunner runs the starts of a paired comparison.
type abRunner struct {
	sw        *sweeper
	outDir    string
	summaries map[string]*results.Summary // per side directory
	dirs      []string
}

// server runs the rounds of one server configuration; the error is why its
// server failed.
func (ab *abRunner) server(ctx context.Context, i, n int, s sweep.ServerConfig, next ABNext) (ABServer, error) {
	res := ABServer{Server: s, MaxRounds: s.Run.AB.Rounds}
	candidate := *s.Run
	candidate.Bench.OutputDir = filepath.Join(ab.outDir, SideCandidate)
	reference := s.Run.BaselineRun()
	reference.Bench.OutputDir = filepath.Join(ab.outDir, SideBaseline)
	points := s.Points
	for k := 1; k <= res.MaxRounds && len(points) > 0; k++ {
		round := ABRound{Baseline: map[string]*results.File{}, Candidate: map[string]*results.File{}}
		order := []string{SideBaseline, SideCandidate}
		if k%2 == 0 {
			order = []string{SideCandidate, SideBaseline}
		}
		for _, side := range order {
			run, files := &candidate, round.Candidate
			if side == SideBaseline {
				run, files = &reference, round.Baseline
			}
			start := sweep.ServerConfig{Server: s.Server, Run: run, Points: points}
			ab.sw.obs.BeginServer(i, n, start)
			step := fmt.Sprintf("round %d of at most %d: %s build", k, res.MaxRounds, side)
			if len(points) < len(s.Points) {
				step += fmt.Sprintf(", %d of %d points (the others are settled)", len(points), len(s.Points))
			}
			ab.sw.obs.Step(step)
			booked := len(ab.sw.accounts)
			ab.sw.round = k
			rows, err := ab.sw.runServer(ctx, start)
			for j := booked; j < len(ab.sw.accounts); j++ {
				a := &ab.sw.accounts[j].acct
				a.Side, a.Round = side, k
				res.Accounts = append(res.Accounts, *a)
			}
			ab.sw.obs.EndServer(start, err)
			if werr := ab.keep(start, k, rows, files); werr != nil && err == nil {
				err = werr
			}
			if err != nil || ctx.Err() != nil {
				return res, err
			}
		}
		res.Rounds = append(res.Rounds, round)
		if next != nil {
			points = next(s, res.Rounds)
		}
	}
	return res, nil
}

// keep moves one start's result files to their round's names (the
// server wrote its log under the round's name), records them for the summary and returns the files by point name.
func (ab *abRunner) keep(s sweep.ServerConfig, round int, rows []Row, files map[string]*results.File) error {
	dir := s.Run.Bench.OutputDir
	sum, ok := ab.summaries[dir]
	if !ok {
		sum = &results.Summary{Config: ab.sw.cfg.Path, ConfigSHA256: ab.sw.cfg.SHA256, Harness: ab.sw.opts.HarnessVersion, Points: []results.PointStatus{}}
		ab.summaries[dir] = sum
		ab.dirs = append(ab.dirs, dir)
	}
	for _, r := range rows {
		files[sweep.ResultName(s.Server, r.Point)] = r.File
	}
	for _, name := range s.ResultNames() {
		for _, file := range []string{name, strings.TrimSuffix(name, ".json") + results.FailedSuffix} {
			path := filepath.Join(dir, file)
			st, ok := ab.sw.status[path]
			if !ok {
				continue
			}
			delete(ab.sw.status, path)
			st.File = ABFileName(file, round)
			if err := os.Rename(path, filepath.Join(dir, st.File)); err != nil {
				return fmt.Errorf("keeping round %d's result: %w", round, err)
			}
			sum.Points = append(sum.Points, st)
		}
	}
	return nil
}

// ABLogName is the name of a server's log in round k of a paired A/B
// comparison: the sweep's name with _round<k> before .log.
func ABLogName(s sweep.Server, round int) string {
	return fmt.Sprintf("%s_round%d.log", s.Stem(), round)
}

// writeSummaries writes summary.json into each side's directory.
func (ab *abRunner) writeSummaries() error {
	for _, dir := range ab.dirs {
		sum := ab.summaries[dir]
		sum.Written = time.Now().Format(time.RFC3339)
		sum.Accounting = results.NewAccounting(ab.sw.accountsIn(dir))
		if err := results.WriteSummary(dir, sum); err != nil {
			return err
		}
	}
	return nil
}

package app

import (
	"fmt"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/gate"
	"github.com/vllm-bench-action/vllm-bench-action/internal/github"
)

// VerdictAccepted is the action's verdict output when the gate found
// regressions and they were accepted on purpose (update-baselines: accept,
// or the pull request's accept label): the check passes and says so.
const VerdictAccepted = "accepted"

// acceptance is a decision to take the results as they are: who made it
// and why.
type acceptance struct {
	by, reason string
}

// acceptanceOf returns the acceptance the inputs and the event carry:
// update-baselines: accept names the workflow's actor and accept-reason; a
// pull request that carries the accept label names the label. Nil when
// there is none.
func acceptanceOf(in github.Inputs, getenv func(string) string) *acceptance {
	if in.Accept {
		return &acceptance{by: actor(getenv), reason: in.AcceptReason}
	}
	ev, err := github.LoadEvent(getenv)
	if err == nil && ev.HasLabel(in.AcceptLabel) {
		return &acceptance{by: "label " + in.AcceptLabel, reason: fmt.Sprintf("pull request #%d carries the label %q", ev.PR, in.AcceptLabel)}
	}
	return nil
}

// updateBaselines keeps the record of every completed run: it promotes the
// results when the gate passed or the run was accepted (its line names who
// and why), and otherwise appends the run to the history without
// promoting, so trend and the dashboard see the nights that failed too.
// Failed and incomplete points are never promoted nor written as values. A
// sweep with points or shards missing is no completed run: nothing is
// written. History keeps the gated metrics of cfg's runs.
func updateBaselines(env *Env, x *github.Actions, dirs []string, baselines string, cfg *config.Config, verdict string, missing int, acc *acceptance) {
	if missing > 0 {
		x.Warning(fmt.Sprintf("update-baselines: nothing recorded or promoted: the sweep is incomplete (%d planned points or shards not measured)", missing))
		return
	}
	opts := historyOptions(cfg)
	opts.Verdict, opts.AllowSuspect = verdict, allowSuspectEnv(env)
	switch {
	case acc != nil:
		opts.AcceptedBy, opts.AcceptReason = acc.by, acc.reason
	case verdict != gate.VerdictPass:
		opts.RecordOnly = true
		x.Warning(fmt.Sprintf("update-baselines: the gate's verdict is %s, so the results are recorded in the history but not promoted (update-baselines: accept with accept-reason promotes them on purpose)", verdict))
	}
	for _, dir := range dirs {
		u, err := baseline.UpdateWith(dir, baselines, opts)
		if err != nil {
			x.Error("update-baselines: " + err.Error())
			continue
		}
		line := fmt.Sprintf("update-baselines: recorded %s in the history of %s", plural(len(u.Histories), "run"), baselines)
		if !opts.RecordOnly {
			line = fmt.Sprintf("update-baselines: promoted %s from %s into %s", plural(len(u.Promoted), "point"), dir, baselines)
		}
		fmt.Fprintln(env.Stderr, line)
		if acc != nil {
			summary := fmt.Sprintf("\n**Baselines accepted by %s**: %s. Promoted %s from `%s`; the history line names the reason.\n",
				acc.by, acc.reason, plural(len(u.Promoted), "point"), dir)
			if err := x.AppendSummary(summary); err != nil {
				x.Warning("update-baselines: job summary: " + err.Error())
			}
		}
	}
}

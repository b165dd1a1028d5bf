package github

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Output names, as declared in action.yml.
const (
	OutputVerdict     = "verdict"
	OutputRegressions = "regressions"
	OutputResultsDir  = "results-dir"
	OutputReportPath  = "report-path"
	// OutputReportJSON is the path of the JSON report next to the
	// markdown one.
	OutputReportJSON = "report-json"
	OutputCommentURL = "comment-url"
	// OutputMatrix is set by mode plan only: the shards as a GitHub
	// Actions matrix, {"include":[{"shard":"1/3","servers":"..."},...]}.
	OutputMatrix = "matrix"
	// OutputChangePoints is the number of change points in the trend of a
	// nightly run (update-baselines on a schedule); unset otherwise.
	OutputChangePoints = "change-points"
)

// PublishOptions is what the action publishes once the gate has decided. It
// carries plain values so this package does not depend on how the report
// was built.
type PublishOptions struct {
	// Markdown is the PR comment's report, under the marker; it is the
	// job summary too when Summary is empty.
	Markdown string
	// Summary is the report for the job summary, which holds up to 1 MiB:
	// the full report where Markdown had to be trimmed to fit a comment.
	Summary string
	// Cost is the run's GPU time in a line or a few ("GPU time 11m20s:
	// 3 starts 2m10s, measuring 9m"), written under the job summary and
	// the comment; none when no server was started.
	Cost []string
	// Verdict is the gate's one-word outcome (e.g. "pass", "regression"),
	// set as the verdict output as it is.
	Verdict string
	// Regressions is the number of regressed cells, set as an output.
	Regressions int
	// GateFailed is true when the check fails (a regression or a failed
	// point); it decides whether CommentOnRegression creates a comment.
	GateFailed bool
	// ErrorLines become one ::error:: annotation each (one per regression).
	ErrorLines []string
	// Comment is the comment policy; empty means CommentAlways.
	Comment CommentPolicy
	// ConfigPath names the config; the sticky comment's marker is built
	// from it, so each config keeps its own comment.
	ConfigPath string
	// Token is the github-token input; empty means no comment.
	Token string
	// ResultsDir, ReportPath and ReportJSON are set as outputs as they
	// are.
	ResultsDir, ReportPath, ReportJSON string
	// Retry bounds the retries of the comment update.
	Retry RetryPolicy
}

// PublishResult says what Publish did.
type PublishResult struct {
	// Event is the event that was read.
	Event Event
	// Comment is the sticky comment; its ID is 0 when none was written.
	Comment Comment
	// Skipped says why no comment was written, empty when one was.
	Skipped string
	// Warnings are the problems Publish got past, each also printed as a
	// ::warning:: annotation (a token that may not comment, no summary
	// file outside Actions).
	Warnings []string
}

// Publish writes everything the action reports, in this order:
//
//  1. masks opts.Token;
//  2. appends opts.Summary (else opts.Markdown) to the job summary
//     (always, whatever the event and comment policy);
//  3. writes one ::error:: annotation per line of opts.ErrorLines;
//  4. when the event is a pull request, creates or edits the sticky comment
//     as opts.Comment says;
//  5. sets the outputs verdict, regressions, results-dir, report-path,
//     report-json and comment-url (empty without a comment).
//
// A token that may not comment (fork pull requests, missing permissions),
// a missing token, or a missing summary or output file (outside Actions)
// become ::warning:: annotations listed in PublishResult.Warnings; Publish
// carries on. It returns an error only when the event cannot be read or the
// GitHub API still fails after the retries: an infrastructure failure (exit
// code 3). Steps 2, 3 and 5 are done even then.
func Publish(ctx context.Context, env Env, opts PublishOptions) (PublishResult, error) {
	env = env.withDefaults()
	x := NewActions(env)
	x.Mask(opts.Token)
	var res PublishResult
	warn := func(msg string) {
		res.Warnings = append(res.Warnings, msg)
		x.Warning(msg)
	}
	ev, evErr := LoadEvent(env.Getenv)
	res.Event = ev
	summary := opts.Summary
	if summary == "" {
		summary = opts.Markdown
	}
	if err := x.AppendSummary(summary + footer(ev, opts.Cost)); err != nil {
		warn("job summary not written: " + err.Error())
	}
	for _, line := range opts.ErrorLines {
		x.Error(line)
	}
	var err error
	switch {
	case evErr != nil:
		res.Skipped = "the event could not be read"
		err = evErr
	default:
		err = publishComment(ctx, env, x, opts, &res, warn)
	}
	setOutputs(x, opts, res.Comment.URL, warn)
	return res, err
}

// publishComment writes the sticky comment when the event and the policy
// call for one; it records why not in res.Skipped.
func publishComment(ctx context.Context, env Env, x *Actions, opts PublishOptions, res *PublishResult, warn func(string)) error {
	ev := res.Event
	policy := opts.Comment
	if policy == "" {
		policy = CommentAlways
	}
	switch {
	case ev.PR == 0:
		res.Skipped = fmt.Sprintf("event %q has no pull request", ev.Name)
		return nil
	case policy == CommentNever:
		res.Skipped = "comment: never"
		return nil
	case opts.Token == "":
		res.Skipped = "no github-token"
		warn("no PR comment: the github-token input is empty; the results are in the job summary")
		return nil
	}
	end := x.Group("vllm-bench: PR comment")
	defer end()
	client, err := NewCommentClient(ClientOptions{
		APIURL: ev.APIURL, Token: opts.Token, HTTPClient: env.HTTPClient, Sleep: env.Sleep, Retry: opts.Retry,
	})
	if err != nil {
		return err
	}
	marker := Marker(opts.ConfigPath)
	body := CommentBody(marker, opts.Markdown, footer(ev, opts.Cost))
	create := policy == CommentAlways || opts.GateFailed
	t := Thread{Owner: ev.Owner, Repo: ev.Repo, PR: ev.PR}
	cm, err := client.Upsert(ctx, t, marker, body, create)
	var perm *PermissionError
	switch {
	case errors.As(err, &perm):
		res.Skipped = "the token may not comment"
		warn("no PR comment: " + perm.Error())
		return nil
	case err != nil:
		res.Skipped = "the GitHub API failed"
		return err
	case cm.ID == 0:
		res.Skipped = "comment: on-regression and the gate passed"
	}
	res.Comment = cm
	return nil
}

// setOutputs sets every output; failures become warnings.
func setOutputs(x *Actions, opts PublishOptions, commentURL string, warn func(string)) {
	outs := []struct{ name, value string }{
		{OutputVerdict, opts.Verdict},
		{OutputRegressions, strconv.Itoa(opts.Regressions)},
		{OutputResultsDir, opts.ResultsDir},
		{OutputReportPath, opts.ReportPath},
		{OutputReportJSON, opts.ReportJSON},
		{OutputCommentURL, commentURL},
	}
	for _, o := range outs {
		if err := x.SetOutput(o.name, o.value); err != nil {
			warn("outputs not set: " + err.Error())
			return
		}
	}
}

// footer links the report to the commit and the run, when known, and
// gives the run's GPU time, when servers were started.
func footer(ev Event, cost []string) string {
	var parts []string
	if ev.SHA != "" {
		parts = append(parts, "commit "+shortSHA(ev.SHA))
	}
	if ev.RunURL != "" {
		parts = append(parts, fmt.Sprintf("[workflow run](%s)", ev.RunURL))
	}
	if len(parts) == 0 && len(cost) == 0 {
		return ""
	}
	lines := append([]string{"vllm-bench-action"}, parts...)
	out := "\n\n<sub>" + strings.Join(lines, " · ")
	if len(cost) > 0 {
		out += "<br>" + strings.Join(cost, "<br>")
	}
	return out + "</sub>\n"
}

// shortSHA returns the first 7 characters of a commit hash.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

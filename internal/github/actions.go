package github

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// Environment files the runner names in the environment.
const (
	envOutput  = "GITHUB_OUTPUT"
	envSummary = "GITHUB_STEP_SUMMARY"
)

// fileCommandDelimiter is the heredoc delimiter go-githubactions writes
// around every output; a value containing it could forge other outputs.
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// MaxSummaryBytes caps what one step appends to the job summary; GitHub
// refuses a step summary above 1 MiB.
const MaxSummaryBytes = 1000 * 1000

// ErrNotInActions is returned when an environment file the runner provides
// (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) is not set, e.g. on a laptop.
var ErrNotInActions = errors.New("not running in GitHub Actions")

// Actions writes workflow commands and environment files. It wraps
// go-githubactions, turning its panics on I/O errors into returned errors.
type Actions struct {
	a      *githubactions.Action
	getenv func(string) string
}

// NewActions returns an Actions that reads env.Getenv and writes commands to
// env.Stdout; unset fields of env mean the real process.
func NewActions(env Env) *Actions {
	env = env.withDefaults()
	return &Actions{
		a:      githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout)),
		getenv: env.Getenv,
	}
}

// Inputs parses the action's inputs (INPUT_<NAME>, the name upper-cased with
// spaces turned into underscores and hyphens kept, e.g. INPUT_GITHUB-TOKEN)
// and masks the token before anything else can print it.
func (x *Actions) Inputs() (Inputs, error) {
	in, err := ParseInputs(x.a.GetInput)
	x.Mask(in.GitHubToken)
	return in, err
}

// Mask tells the runner to hide secret in every later log line. An empty
// secret is ignored.
func (x *Actions) Mask(secret string) {
	for _, line := range strings.Split(secret, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			x.issue(func() { x.a.AddMask(line) })
		}
	}
}

// Group opens a collapsible log group; call the returned function to close it.
func (x *Actions) Group(title string) (end func()) {
	x.issue(func() { x.a.Group(title) })
	return func() { x.issue(x.a.EndGroup) }
}

// Error writes an ::error:: annotation with msg as it is.
func (x *Actions) Error(msg string) { x.issue(func() { x.a.Errorf("%s", msg) }) }

// Warning writes a ::warning:: annotation with msg as it is.
func (x *Actions) Warning(msg string) { x.issue(func() { x.a.Warningf("%s", msg) }) }

// SetOutput appends name=value to the GITHUB_OUTPUT file.
func (x *Actions) SetOutput(name, value string) error {
	if strings.Contains(value, fileCommandDelimiter) {
		return fmt.Errorf("output %q: value contains the file-command delimiter", name)
	}
	return x.fileCommand(envOutput, func() { x.a.SetOutput(name, value) })
}

// AppendSummary appends markdown to the job summary (GITHUB_STEP_SUMMARY),
// cut to MaxSummaryBytes.
func (x *Actions) AppendSummary(markdown string) error {
	return x.fileCommand(envSummary, func() {
		x.a.AddStepSummary(Truncate(markdown, MaxSummaryBytes, "*The summary was cut to fit GitHub's 1 MiB limit; the full report is in the step's artifacts.*"))
	})
}

// fileCommand runs write, which appends to the file named by the variable
// env, and returns its failure as an error.
func (x *Actions) fileCommand(env string, write func()) (err error) {
	if x.getenv(env) == "" {
		return fmt.Errorf("%s is not set: %w", env, ErrNotInActions)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("writing %s: %v", env, r)
		}
	}()
	write()
	return nil
}

// issue runs write, which prints one workflow command to stdout. A failing
// stdout is not worth stopping for: the command is dropped.
func (x *Actions) issue(write func()) {
	defer func() { _ = recover() }()
	write()
}

package github

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// DefaultAPIURL is the REST API root when GITHUB_API_URL is not set.
const DefaultAPIURL = "https://api.github.com"

// DefaultServerURL is the web root when GITHUB_SERVER_URL is not set.
const DefaultServerURL = "https://github.com"

// Event is what the action needs to know about the run that triggered it.
type Event struct {
	// Name is GITHUB_EVENT_NAME, e.g. "pull_request" or "schedule".
	Name string
	// Owner and Repo name the repository the comment goes to.
	Owner, Repo string
	// PR is the pull request number, 0 when the event has none.
	PR int
	// Fork is true when the pull request's head is in another repository;
	// its workflow then gets a read-only token.
	Fork bool
	// SHA is the commit measured: the PR head for pull requests, else
	// GITHUB_SHA.
	SHA string
	// APIURL is the REST API root, without a trailing slash.
	APIURL string
	// RunURL links to the workflow run, empty when unknown.
	RunURL string
	// Labels are the pull request's labels when the event was sent.
	Labels []string
}

// HasLabel reports whether the pull request carried the label name.
func (ev Event) HasLabel(name string) bool {
	return name != "" && slices.Contains(ev.Labels, name)
}

// prEvent reports whether the event named name carries a pull request.
func prEvent(name string) bool {
	return name == "pull_request" || name == "pull_request_target"
}

// payload is the part of an event payload this package reads.
type payload struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA  string `json:"sha"`
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
		Base struct {
			Repo struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"base"`
		Labels []struct {
			Name string `json:"name"`
		} `json:"labels"`
	} `json:"pull_request"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// RunURL links to the workflow run, whose page holds the job summary, from
// GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID; "" outside
// Actions.
func RunURL(getenv func(string) string) string {
	id, repo := getenv("GITHUB_RUN_ID"), getenv("GITHUB_REPOSITORY")
	if id == "" || repo == "" {
		return ""
	}
	server := strings.TrimSuffix(or(getenv("GITHUB_SERVER_URL"), DefaultServerURL), "/")
	return fmt.Sprintf("%s/%s/actions/runs/%s", server, repo, id)
}

// LoadEvent reads the event from the runner's environment: GITHUB_EVENT_NAME,
// GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SHA,
// GITHUB_SERVER_URL and GITHUB_RUN_ID. The payload is read only for
// pull_request and pull_request_target, the events that have a PR; other
// events (schedule, push, workflow_dispatch, ...) give PR == 0.
func LoadEvent(getenv func(string) string) (Event, error) {
	ev := Event{
		Name:   getenv("GITHUB_EVENT_NAME"),
		SHA:    getenv("GITHUB_SHA"),
		APIURL: strings.TrimSuffix(or(getenv("GITHUB_API_URL"), DefaultAPIURL), "/"),
	}
	ev.Owner, ev.Repo, _ = strings.Cut(getenv("GITHUB_REPOSITORY"), "/")
	ev.RunURL = RunURL(getenv)
	if !prEvent(ev.Name) {
		return ev, nil
	}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return ev, fmt.Errorf("event %q: GITHUB_EVENT_PATH is not set", ev.Name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ev, fmt.Errorf("event %q: %w", ev.Name, err)
	}
	return ev.withPayload(path, data)
}

// withPayload fills the pull request fields from a pull_request payload.
func (ev Event) withPayload(path string, data []byte) (Event, error) {
	var p payload
	if err := json.Unmarshal(data, &p); err != nil {
		return ev, fmt.Errorf("event payload %q: %w", path, err)
	}
	pr := p.PullRequest
	if pr == nil {
		return ev, fmt.Errorf("event payload %q: event %q has no pull_request object", path, ev.Name)
	}
	ev.PR = pr.Number
	if ev.PR == 0 {
		ev.PR = p.Number
	}
	if ev.PR <= 0 {
		return ev, fmt.Errorf("event payload %q: pull_request.number is missing", path)
	}
	repo := or(pr.Base.Repo.FullName, p.Repository.FullName)
	if owner, name, ok := strings.Cut(repo, "/"); ok {
		ev.Owner, ev.Repo = owner, name
	}
	if ev.Owner == "" || ev.Repo == "" {
		return ev, fmt.Errorf("event payload %q: no repository full_name and GITHUB_REPOSITORY is not set", path)
	}
	ev.SHA = or(pr.Head.SHA, ev.SHA)
	for _, l := range pr.Labels {
		ev.Labels = append(ev.Labels, l.Name)
	}
	// A deleted head repository (repo: null) is a fork that no longer exists.
	ev.Fork = pr.Head.Repo == nil || !strings.EqualFold(pr.Head.Repo.FullName, ev.Owner+"/"+ev.Repo)
	return ev, nil
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

package github

import (
	"strings"
	"testing"
)

func TestLoadEvent(t *testing.T) {
	tests := []struct {
		event, payload string
		pr             int
		fork           bool
		sha            string
	}{
		{"pull_request", "pull_request_opened.json", 42, false, "a3c9e1f4b2d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4"},
		{"pull_request", "pull_request_synchronize.json", 42, false, "c7d2b9e0a1f3c5e7d9b1a3c5e7f9d1b3a5c7e9f1"},
		{"pull_request", "pull_request_fork.json", 57, true, "e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0"},
		{"pull_request_target", "pull_request_target.json", 57, true, "f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1"},
		{"schedule", "schedule.json", 0, false, "0123456789abcdef0123456789abcdef01234567"},
		{"push", "push.json", 0, false, "0123456789abcdef0123456789abcdef01234567"},
		{"workflow_dispatch", "workflow_dispatch.json", 0, false, "0123456789abcdef0123456789abcdef01234567"},
	}
	for _, tt := range tests {
		h := newHarness(t, tt.event, tt.payload)
		h.env["GITHUB_API_URL"] = ""
		ev, err := LoadEvent(h.Env().Getenv)
		if err != nil {
			t.Errorf("%s: %v", tt.payload, err)
			continue
		}
		if ev.PR != tt.pr || ev.Fork != tt.fork || ev.SHA != tt.sha || ev.Owner != "acme-ml" || ev.Repo != "llm-serving" {
			t.Errorf("%s: got %+v", tt.payload, ev)
		}
		if ev.APIURL != DefaultAPIURL || ev.RunURL != "https://github.com/acme-ml/llm-serving/actions/runs/7001" {
			t.Errorf("%s: api %q run %q", tt.payload, ev.APIURL, ev.RunURL)
		}
	}
}

func TestLoadEventLabels(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_labeled.json")
	ev, err := LoadEvent(h.Env().Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.HasLabel("vllm-bench-accept") || !ev.HasLabel("performance") || ev.HasLabel("vllm-bench") || ev.HasLabel("") {
		t.Errorf("labels = %q", ev.Labels)
	}
	h = newHarness(t, "pull_request", "pull_request_opened.json")
	if ev, err = LoadEvent(h.Env().Getenv); err != nil || ev.HasLabel("vllm-bench-accept") {
		t.Errorf("an unlabelled PR: labels %q, %v", ev.Labels, err)
	}
}

func TestLoadEventErrorsNameThePayload(t *testing.T) {
	h := newHarness(t, "pull_request", "push.json")
	_, err := LoadEvent(h.Env().Getenv)
	if err == nil || !strings.Contains(err.Error(), `push.json"`) || !strings.Contains(err.Error(), "pull_request") {
		t.Errorf("push payload for a pull_request event: %v", err)
	}
	h = newHarness(t, "pull_request", "missing.json")
	if _, err := LoadEvent(h.Env().Getenv); err == nil {
		t.Error("missing payload: no error")
	}
}

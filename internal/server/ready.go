package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// errExited means the process ended while readiness was polled.
var errExited = errors.New("server process exited")

// probeTimeout bounds one readiness request.
const probeTimeout = 2 * time.Second

// WaitReady polls an already running server (an external one) until GET
// healthPath answers 200 and /v1/models lists a model, or ctx ends. It
// returns the first model id.
func WaitReady(ctx context.Context, baseURL, healthPath string, interval time.Duration) (string, error) {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	model, last, err := poll(ctx, baseURL, healthPath, interval, nil)
	if err != nil {
		return "", fmt.Errorf("%w (last check: %v)", err, last)
	}
	return model, nil
}

// poll checks health then the model list every interval. exited, when not
// nil, ends the wait as soon as the process is gone. On failure it also
// returns the last probe's error, for the message.
func poll(ctx context.Context, baseURL, healthPath string, interval time.Duration, exited <-chan struct{}) (model string, last, err error) {
	client := &http.Client{Timeout: probeTimeout}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		model, last = probe(ctx, client, baseURL, healthPath)
		if last == nil {
			return model, nil, nil
		}
		select {
		case <-exited:
			return "", last, errExited
		case <-ctx.Done():
			return "", last, ctx.Err()
		case <-ticker.C:
		}
	}
}

// probe asks once: health first, then the served model's id.
func probe(ctx context.Context, client *http.Client, baseURL, healthPath string) (string, error) {
	if _, err := get(ctx, client, baseURL+healthPath); err != nil {
		return "", err
	}
	body, err := get(ctx, client, baseURL+"/v1/models")
	if err != nil {
		return "", err
	}
	var models struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &models); err != nil {
		return "", fmt.Errorf("GET /v1/models: invalid JSON: %w", err)
	}
	if len(models.Data) == 0 {
		return "", errors.New("GET /v1/models: no model listed")
	}
	return models.Data[0].ID, nil
}

func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return body, nil
}

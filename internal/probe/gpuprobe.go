package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DefaultGPUInterval is the period of nvidia-smi's loop mode.
const DefaultGPUInterval = 500 * time.Millisecond

// gpuQueryTimeout bounds the one-shot query that picks the reasons field.
const gpuQueryTimeout = 15 * time.Second

// gpuStopGrace is how long nvidia-smi gets to exit after SIGTERM before it
// is killed.
const gpuStopGrace = 2 * time.Second

// GPUOptions configures StartGPU; the zero value means the defaults.
type GPUOptions struct {
	// Command is the nvidia-smi to run, looked up on PATH; empty means
	// "nvidia-smi".
	Command string
	// Interval is the sampling period; zero means DefaultGPUInterval.
	Interval time.Duration
	// VisibleDevices is the server's CUDA_VISIBLE_DEVICES; empty means
	// all GPUs.
	VisibleDevices string
	// ReasonsField is the throttle-reasons field this machine's driver
	// answered before (a block's ReasonsField); empty means ask nvidia-smi
	// once which one it knows.
	ReasonsField string
}

// GPURecording is nvidia-smi sampling while a point runs; Stop ends it.
// A nil *GPURecording is valid and records nothing.
type GPURecording struct {
	block    GPUTelemetry
	cmd      *exec.Cmd
	visible  string
	mu       sync.Mutex
	samples  []gpuSample
	stderr   limitedBuffer
	firstBad string        // nvidia-smi prints its errors on stdout
	read     chan struct{} // closed when the output is read to its end
	stopOnce sync.Once
	stopped  chan struct{}
	// exitedEarly is set when nvidia-smi had ended before it was stopped.
	exitedEarly bool
}

// StartGPU starts sampling GPU telemetry with nvidia-smi's loop mode. It
// returns nil when nvidia-smi is not on PATH (no block, no error); when
// nvidia-smi is there but fails, the recording's block carries a note.
func StartGPU(ctx context.Context, opt GPUOptions) *GPURecording {
	if opt.Command == "" {
		opt.Command = "nvidia-smi"
	}
	if opt.Interval <= 0 {
		opt.Interval = DefaultGPUInterval
	}
	path, err := exec.LookPath(opt.Command)
	if err != nil {
		return nil
	}
	intervalMs := int(opt.Interval / time.Millisecond)
	r := &GPURecording{
		block:   GPUTelemetry{IntervalMs: intervalMs, VisibleDevices: opt.VisibleDevices},
		visible: opt.VisibleDevices,
		read:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	field := opt.ReasonsField
	if field != reasonsField && field != oldReasonsField {
		var err error
		if field, err = pickReasonsField(ctx, path); err != nil {
			r.block.Note = err.Error()
			close(r.read)
			return r
		}
	}
	r.block.ReasonsField = field
	cmd := exec.Command(path, telemetryArgs(field, intervalMs)...)
	ownGroup(cmd)
	cmd.Stderr = &r.stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		r.block.Note = "nvidia-smi: " + err.Error()
		close(r.read)
		return r
	}
	r.cmd = cmd
	go r.readRows(bufio.NewScanner(out))
	go func() {
		select {
		case <-ctx.Done():
			r.stop()
		case <-r.stopped:
		}
	}()
	return r
}

// pickReasonsField asks nvidia-smi once for the telemetry with the newer
// reasons field and, when the driver does not know it, with the older one.
func pickReasonsField(ctx context.Context, path string) (string, error) {
	var msg string
	for _, field := range []string{reasonsField, oldReasonsField} {
		qctx, cancel := context.WithTimeout(ctx, gpuQueryTimeout)
		out, err := exec.CommandContext(qctx, path, telemetryArgs(field, 0)...).CombinedOutput()
		cancel()
		if err == nil {
			return field, nil
		}
		msg = firstLine(string(out))
		if msg == "" {
			msg = err.Error()
		}
		if !isInvalidField(string(out)) {
			break
		}
	}
	return "", errors.New("nvidia-smi: " + msg)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// readRows parses nvidia-smi's output until it ends.
func (r *GPURecording) readRows(sc *bufio.Scanner) {
	defer close(r.read)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		s, err := parseTelemetryRow(string(line))
		r.mu.Lock()
		if err != nil {
			if r.block.BadRows == 0 {
				r.firstBad = string(line)
			}
			r.block.BadRows++
		} else {
			r.samples = append(r.samples, s)
		}
		r.mu.Unlock()
	}
}

// stop ends nvidia-smi and its process group, once: SIGTERM, then SIGKILL
// after gpuStopGrace; it returns when the process is reaped.
func (r *GPURecording) stop() {
	r.stopOnce.Do(func() {
		defer close(r.stopped)
		if r.cmd == nil {
			return
		}
		select {
		case <-r.read:
			r.exitedEarly = true // on its own: what it said is the reason
		default:
		}
		terminateGroup(r.cmd)
		select {
		case <-r.read:
		case <-time.After(gpuStopGrace):
			killGroup(r.cmd)
			<-r.read
		}
		killGroup(r.cmd) // whatever of the group is left
		_ = r.cmd.Wait()
	})
}

// Stop ends the sampling and returns the block; nil for a nil recording
// (no nvidia-smi). No process is left behind when it returns.
func (r *GPURecording) Stop() *GPUTelemetry {
	if r == nil {
		return nil
	}
	r.stop()
	<-r.read
	r.mu.Lock()
	defer r.mu.Unlock()
	block := r.block
	gpus, note := summarizeGPUs(r.samples, r.visible)
	block.GPUs = gpus
	if note != "" {
		block.Note = strings.Join(append(nonEmpty(block.Note), note), "; ")
	}
	if len(gpus) == 0 && block.Note == "" {
		block.Note = "nvidia-smi gave no samples"
		switch msg := firstLine(r.stderr.String() + "\n" + r.firstBad); {
		case r.exitedEarly && msg != "":
			block.Note += ": " + msg
		case !r.exitedEarly:
			block.Note += " before the point ended"
		}
	}
	return &block
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// limitedBuffer keeps the first 4 KiB written to it: enough for an error
// message, bounded whatever a process writes.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := 4096 - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DefaultGPUInterval is the period of nvidia-smi's loop mode.
const DefaultGPUInterval = 500 * time.Millisecond

// gpuQueryTimeout bounds the one-shot query that picks the reasons field.
const gpuQueryTimeout = 15 * time.Second

// maxRowBytes bounds one line of nvidia-smi's output that is read as a
// row: a telemetry row is about 200 bytes, so a longer line is no row. It
// is skipped and counted (GPUTelemetry.LongLines), and reading goes on.
const maxRowBytes = 64 << 10

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
	readErr  error         // why reading the output ended, other than its end
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
	go r.readRows(out)
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

// readRows parses nvidia-smi's output until it ends. A line too long to be
// a row is skipped and counted; an error reading the output is kept for
// the block's note.
func (r *GPURecording) readRows(out io.Reader) {
	defer close(r.read)
	err := eachLine(out, maxRowBytes, r.addRow, func() {
		r.mu.Lock()
		r.block.LongLines++
		r.mu.Unlock()
	})
	if err != nil {
		r.mu.Lock()
		r.readErr = err
		r.mu.Unlock()
	}
}

// addRow parses one line of output into a sample, or counts it as bad.
func (r *GPURecording) addRow(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	s, err := parseTelemetryRow(string(line))
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.block.BadRows == 0 {
			r.firstBad = string(line)
		}
		r.block.BadRows++
		return
	}
	r.samples = append(r.samples, s)
}

// eachLine calls row with every line of rd (without its newline) up to
// limit bytes long, and long for each longer line, which it skips. It
// returns nil at the end of rd, or the error that ended the reading.
func eachLine(rd io.Reader, limit int, row func([]byte), long func()) error {
	br := bufio.NewReaderSize(rd, limit)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long()
			for errors.Is(err, bufio.ErrBufferFull) { // the rest of the line
				_, err = br.ReadSlice('\n')
			}
			line = nil
		}
		if len(line) > 0 {
			row(bytes.TrimSuffix(line, []byte("\n")))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
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
	notes := nonEmpty(block.Note)
	if block.LongLines > 0 {
		notes = append(notes, fmt.Sprintf("skipped %s of nvidia-smi's output longer than %d KiB", lines(block.LongLines), maxRowBytes>>10))
	}
	if r.readErr != nil {
		notes = append(notes, "reading nvidia-smi's output stopped: "+r.readErr.Error())
	}
	if note != "" {
		notes = append(notes, note)
	}
	block.Note = strings.Join(notes, "; ")
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

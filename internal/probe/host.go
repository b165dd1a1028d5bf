package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HostStalledBoundPct bounds the share of a point's timed rounds in which
// some runnable task of the machine waited for a CPU (PSI "some"). Past
// half the window something else held the cores most of the time: the
// harness and the simulator use about 0.1 core of a 2-core machine on the
// quick start, and with two busy loops beside them the machine stalled
// 95-100 % of the window (README, "Measurement health").
const HostStalledBoundPct = 50.0

// HostStealBoundPct bounds the share of the CPU time over the timed rounds
// that the hypervisor gave to other guests (steal): that much less CPU for
// the server's scheduler and the client moves throughputs by about as much,
// the size of the changes the gate looks for.
const HostStealBoundPct = 10.0

// SharedHostVar, set to 1, says the machine is known to be shared (this
// project's own test suite runs its simulator sweeps side by side on two
// cores): CPU pressure, steal and the simulator's late steps are still
// measured and recorded, but held to no bound (100 %), so they make no
// point suspect; each host block notes it. A saturated client and another
// process on the point's GPUs are judged as always.
const SharedHostVar = "VLLM_BENCH_SHARED_HOST"

// sharedBoundPct is every load bound on a shared host: a share cannot
// exceed it.
const sharedBoundPct = 100.0

// hostQueryTimeout bounds the nvidia-smi query of the GPUs' processes.
const hostQueryTimeout = 15 * time.Second

// HostHealth is the vllm_bench.host block of a result file: how busy the
// machine was over the point's timed rounds, and who else held its GPUs.
// A figure the platform does not give is left out and Note says why.
type HostHealth struct {
	// DurationS is the wall time the probe ran.
	DurationS float64 `json:"duration_s"`
	// Cores is the number of CPUs the machine has.
	Cores int `json:"cores"`
	// CPUStalledPct is the share of the window in which some runnable
	// task waited for a CPU: the increase of /proc/pressure/cpu's "some
	// total" over the wall time.
	CPUStalledPct *float64 `json:"cpu_stalled_pct,omitempty"`
	// CPUPressureAvg10Pct is /proc/pressure/cpu's "some avg10" at the end
	// of the window: the same share over its last 10 seconds.
	CPUPressureAvg10Pct *float64 `json:"cpu_pressure_avg10_pct,omitempty"`
	// StealPct is the share of all CPU time over the window that was
	// stolen by the hypervisor (/proc/stat).
	StealPct *float64 `json:"steal_pct,omitempty"`
	// Load1 is the one-minute load average at the end of the window.
	Load1 *float64 `json:"load1,omitempty"`
	// StalledBoundPct and StealBoundPct are the bounds CPUStalledPct and
	// StealPct are held to.
	StalledBoundPct float64 `json:"stalled_bound_pct"`
	StealBoundPct   float64 `json:"steal_bound_pct"`
	// GPUProcesses are the processes other than the server's that held
	// the point's GPUs (nvidia-smi --query-compute-apps).
	GPUProcesses []GPUProcess `json:"gpu_processes,omitempty"`
	// Note says which figures are missing and why.
	Note string `json:"note,omitempty"`
}

// GPUProcess is a process that held one of the point's GPUs.
type GPUProcess struct {
	PID           int     `json:"pid"`
	Name          string  `json:"name"`
	UsedMemoryMiB float64 `json:"used_memory_mib,omitempty"`
	GPUUUID       string  `json:"gpu_uuid"`
}

// BusyReasons says, with the figure and its bound, how the host was too busy
// for the point to measure the server alone: CPU pressure or steal past
// their bounds. None for a host that was not.
func (h *HostHealth) BusyReasons() []string {
	if h == nil {
		return nil
	}
	var out []string
	if v := h.CPUStalledPct; v != nil && *v > h.StalledBoundPct {
		out = append(out, fmt.Sprintf("CPU pressure: runnable tasks waited for a CPU %.0f %% of the timed rounds > %.0f %% (%d cores, load %s)",
			*v, h.StalledBoundPct, h.Cores, optFloat(h.Load1)))
	}
	if v := h.StealPct; v != nil && *v > h.StealBoundPct {
		out = append(out, fmt.Sprintf("CPU steal %.1f %% of the CPU time > %.0f %%", *v, h.StealBoundPct))
	}
	return out
}

// SharedGPUReason says which other processes held the point's GPUs, or ""
// when none did.
func (h *HostHealth) SharedGPUReason() string {
	if h == nil || len(h.GPUProcesses) == 0 {
		return ""
	}
	var procs []string
	for _, p := range h.GPUProcesses {
		procs = append(procs, fmt.Sprintf("pid %d (%s, %.0f MiB on %s)", p.PID, p.Name, p.UsedMemoryMiB, p.GPUUUID))
	}
	return "another process on the point's GPUs: " + strings.Join(procs, ", ")
}

func optFloat(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// HostOptions configures StartHost; the zero value reads /proc and asks
// nvidia-smi about every GPU, judging no process as the server's.
type HostOptions struct {
	// ProcRoot is where /proc is; empty means "/proc".
	ProcRoot string
	// Command is the nvidia-smi to run, looked up on PATH; empty means
	// "nvidia-smi". Without it, no GPU processes are listed (and no note
	// is made: a machine without nvidia-smi has no GPUs to share).
	Command string
	// VisibleDevices is the server's CUDA_VISIBLE_DEVICES; empty means
	// all GPUs.
	VisibleDevices string
	// ServerPID is the process id of the server the harness started,
	// whose process group and descendants are its own; 0 for a server the
	// harness did not start, whose GPUs' processes are then not listed.
	ServerPID int
	// Shared records CPU pressure and steal without judging them (see
	// SharedHostVar).
	Shared bool
}

// HostProbe reads the host's CPU pressure and steal at the start and the
// end of a point's timed rounds, and asks nvidia-smi once which processes
// hold the point's GPUs.
type HostProbe struct {
	opt    HostOptions
	start  time.Time
	psi0   psiSome
	stat0  cpuTimes
	notes  []string
	apps   chan appsResult
	cancel context.CancelFunc
	once   sync.Once
	block  *HostHealth
}

type appsResult struct {
	procs []GPUProcess
	note  string
}

// StartHost starts a host probe. Reading nothing is no error: the missing
// figures are left out of the block with a note.
func StartHost(ctx context.Context, opt HostOptions) *HostProbe {
	if opt.ProcRoot == "" {
		opt.ProcRoot = "/proc"
	}
	if opt.Command == "" {
		opt.Command = "nvidia-smi"
	}
	ctx, cancel := context.WithTimeout(ctx, hostQueryTimeout)
	p := &HostProbe{opt: opt, start: time.Now(), cancel: cancel}
	p.psi0 = p.readPSI()
	p.stat0 = p.readStat()
	if path, err := exec.LookPath(opt.Command); err == nil {
		if opt.ServerPID <= 0 {
			p.note("the server was not started by vllm-bench: the processes on its GPUs are not judged")
		} else {
			p.apps = make(chan appsResult, 1)
			go func() { p.apps <- gpuProcesses(ctx, path, opt) }()
		}
	}
	return p
}

// Stop ends the probe and returns the block; no process is left behind.
// Later calls return the same block.
func (p *HostProbe) Stop() *HostHealth {
	p.once.Do(func() { p.block = p.stop() })
	return p.block
}

func (p *HostProbe) stop() *HostHealth {
	defer p.cancel()
	h := &HostHealth{
		DurationS: time.Since(p.start).Seconds(), Cores: runtime.NumCPU(),
		StalledBoundPct: HostStalledBoundPct, StealBoundPct: HostStealBoundPct,
	}
	if p.opt.Shared {
		h.StalledBoundPct, h.StealBoundPct = sharedBoundPct, sharedBoundPct
		p.note(SharedHostVar + "=1: the host is known to be shared; CPU pressure and steal are recorded, not judged")
	}
	h.fold(p.psi0, p.readPSI(), p.stat0, p.readStat())
	if data, err := os.ReadFile(filepath.Join(p.opt.ProcRoot, "loadavg")); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			if v, err := strconv.ParseFloat(f[0], 64); err == nil {
				h.Load1 = &v
			}
		}
	}
	notes := p.notes
	if p.apps != nil {
		r := <-p.apps
		h.GPUProcesses = r.procs
		if r.note != "" {
			notes = append(notes, r.note)
		}
	}
	if len(notes) > 0 {
		h.Note = strings.Join(notes, "; ")
	}
	return h
}

// fold sets the CPU figures from the readings at the start and the end of
// the window of h.DurationS seconds; a reading that failed leaves its
// figures out.
func (h *HostHealth) fold(psi0, psi1 psiSome, stat0, stat1 cpuTimes) {
	if psi0.ok && psi1.ok && h.DurationS > 0 && psi1.totalUs >= psi0.totalUs {
		stalled := min(100, 100*float64(psi1.totalUs-psi0.totalUs)/1e6/h.DurationS)
		avg10 := psi1.avg10
		h.CPUStalledPct, h.CPUPressureAvg10Pct = &stalled, &avg10
	}
	if stat0.ok && stat1.ok && stat1.total > stat0.total && stat1.steal >= stat0.steal {
		steal := 100 * float64(stat1.steal-stat0.steal) / float64(stat1.total-stat0.total)
		h.StealPct = &steal
	}
}

// note records a reason once.
func (p *HostProbe) note(msg string) {
	if !slices.Contains(p.notes, msg) {
		p.notes = append(p.notes, msg)
	}
}

// psiSome is the "some" line of /proc/pressure/cpu.
type psiSome struct {
	avg10   float64
	totalUs uint64
	ok      bool
}

func (p *HostProbe) readPSI() psiSome {
	path := filepath.Join(p.opt.ProcRoot, "pressure", "cpu")
	data, err := os.ReadFile(path)
	if err != nil {
		p.note("no CPU pressure: " + path + " cannot be read (Linux 4.20 or later with PSI enabled has it)")
		return psiSome{}
	}
	s, err := parsePSI(string(data))
	if err != nil {
		p.note(fmt.Sprintf("no CPU pressure: %s: %v", path, err))
	}
	return s
}

// parsePSI reads the "some" line of a PSI file:
//
//	some avg10=1.53 avg60=0.87 avg300=0.28 total=4121872
func parsePSI(text string) (psiSome, error) {
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "some" {
			continue
		}
		var s psiSome
		var haveAvg, haveTotal bool
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "avg10":
				s.avg10, err = strconv.ParseFloat(v, 64)
				haveAvg = err == nil
			case "total":
				s.totalUs, err = strconv.ParseUint(v, 10, 64)
				haveTotal = err == nil
			}
			if err != nil {
				return psiSome{}, fmt.Errorf("%s %q is not a number", k, v)
			}
		}
		if !haveAvg || !haveTotal {
			return psiSome{}, fmt.Errorf("the some line %q lacks avg10 or total", strings.TrimSpace(line))
		}
		s.ok = true
		return s, nil
	}
	return psiSome{}, fmt.Errorf("no some line")
}

// cpuTimes is the aggregate cpu line of /proc/stat: the steal and the sum
// of all its fields, in clock ticks.
type cpuTimes struct {
	steal, total uint64
	ok           bool
}

func (p *HostProbe) readStat() cpuTimes {
	path := filepath.Join(p.opt.ProcRoot, "stat")
	data, err := os.ReadFile(path)
	if err != nil {
		p.note("no CPU steal: " + path + " cannot be read")
		return cpuTimes{}
	}
	c, err := parseStat(string(data))
	if err != nil {
		p.note(fmt.Sprintf("no CPU steal: %s: %v", path, err))
	}
	return c
}

// parseStat reads the aggregate line of /proc/stat:
//
//	cpu  user nice system idle iowait irq softirq steal guest guest_nice
//
// guest time is already counted in user, so the total is the first eight
// fields.
func parseStat(text string) (cpuTimes, error) {
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 9 {
			return cpuTimes{}, fmt.Errorf("the cpu line has %d fields, want 8 or more (with steal)", len(f)-1)
		}
		var c cpuTimes
		for i, v := range f[1:9] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return cpuTimes{}, fmt.Errorf("cpu field %d %q is not a number", i+1, v)
			}
			c.total += n
			if i == 7 {
				c.steal = n
			}
		}
		c.ok = true
		return c, nil
	}
	return cpuTimes{}, fmt.Errorf("no cpu line")
}

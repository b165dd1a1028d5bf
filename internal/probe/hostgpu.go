package probe

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The nvidia-smi queries of the GPUs' indexes and of their processes.
var (
	gpuIndexArgs = []string{"--query-gpu=index,uuid", "--format=csv,noheader"}
	gpuAppsArgs  = []string{"--query-compute-apps=gpu_uuid,pid,process_name,used_memory", "--format=csv,noheader,nounits"}
)

// maxAncestors bounds the walk up a process's parents.
const maxAncestors = 64

// gpuProcesses asks nvidia-smi which processes hold the GPUs that
// opt.VisibleDevices names, and keeps those that are not the server's
// (its process group or its descendants) nor this process.
func gpuProcesses(ctx context.Context, path string, opt HostOptions) appsResult {
	out, err := exec.CommandContext(ctx, path, gpuIndexArgs...).Output()
	if err != nil {
		return appsResult{note: "no GPU processes: nvidia-smi " + gpuIndexArgs[0] + ": " + commandError(out, err)}
	}
	uuids, err := pointGPUs(string(out), opt.VisibleDevices)
	if err != nil {
		return appsResult{note: "no GPU processes: " + err.Error()}
	}
	out, err = exec.CommandContext(ctx, path, gpuAppsArgs...).Output()
	if err != nil {
		return appsResult{note: "no GPU processes: nvidia-smi " + gpuAppsArgs[0] + ": " + commandError(out, err)}
	}
	apps, bad := parseComputeApps(string(out))
	var r appsResult
	var unseen []string
	for _, a := range apps {
		if !uuids[a.GPUUUID] {
			continue
		}
		switch own, ok := ownedBy(opt.ProcRoot, a.PID, opt.ServerPID); {
		case !ok:
			unseen = append(unseen, strconv.Itoa(a.PID))
		case !own:
			r.procs = append(r.procs, a)
		}
	}
	var notes []string
	if bad > 0 {
		notes = append(notes, fmt.Sprintf("could not read %s of nvidia-smi's process list", lines(bad)))
	}
	if len(unseen) > 0 {
		notes = append(notes, fmt.Sprintf("processes %s on the point's GPUs are not visible here (another PID namespace?): not judged", strings.Join(unseen, ", ")))
	}
	r.note = strings.Join(notes, "; ")
	return r
}

// commandError is a failed command's first line of output, or its error.
func commandError(out []byte, err error) string {
	if msg := firstLine(string(out)); msg != "" {
		return msg
	}
	return err.Error()
}

// pointGPUs reads the index,uuid query and returns the UUIDs of the GPUs
// visible (a CUDA_VISIBLE_DEVICES value) names; every GPU when it is empty
// or names none of them.
func pointGPUs(out, visible string) (map[string]bool, error) {
	all, some := map[string]bool{}, map[string]bool{}
	ids := visibleIDs(visible)
	for line := range strings.Lines(out) {
		index, uuid, ok := strings.Cut(strings.TrimSpace(line), ",")
		if strings.TrimSpace(line) == "" {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSpace(index))
		if !ok || err != nil {
			return nil, fmt.Errorf("nvidia-smi %s: line %q is not index, uuid", gpuIndexArgs[0], strings.TrimSpace(line))
		}
		uuid = strings.TrimSpace(uuid)
		all[uuid] = true
		if visibleMatches(ids, i, uuid) {
			some[uuid] = true
		}
	}
	if len(some) > 0 {
		return some, nil
	}
	return all, nil
}

// parseComputeApps reads the compute-apps query: gpu_uuid, pid,
// process_name, used_memory. It returns the rows it read and the number of
// lines it could not.
func parseComputeApps(out string) (apps []GPUProcess, bad int) {
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "No running") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		r.LazyQuotes = true
		rec, err := r.Read()
		if err != nil || len(rec) < 4 {
			bad++
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(rec[1]))
		if err != nil {
			bad++
			continue
		}
		mem := parseSMIValue(rec[len(rec)-1])
		if math.IsNaN(mem) {
			mem = 0
		}
		name := strings.TrimSpace(strings.Join(rec[2:len(rec)-1], ","))
		apps = append(apps, GPUProcess{PID: pid, Name: name, UsedMemoryMiB: mem, GPUUUID: strings.TrimSpace(rec[0])})
	}
	return apps, bad
}

// ownedBy reports whether pid belongs to the server whose leader is
// serverPID (its process group, or a descendant that left the group) or is
// this process. ok is false when procRoot has no such process.
func ownedBy(procRoot string, pid, serverPID int) (own, ok bool) {
	if pid == os.Getpid() {
		return true, true
	}
	for i := 0; i < maxAncestors && pid > 1; i++ {
		ppid, pgrp, err := procStat(procRoot, pid)
		if err != nil {
			return false, i > 0 // an ancestor that is gone is not the server
		}
		if pid == serverPID || pgrp == serverPID {
			return true, true
		}
		pid = ppid
	}
	return false, true
}

// procStat reads a process's parent and process group from
// <procRoot>/<pid>/stat: "pid (comm) state ppid pgrp ...", where comm may
// hold spaces and parentheses.
func procStat(procRoot string, pid int) (ppid, pgrp int, err error) {
	data, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("process %d: stat has no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 {
		return 0, 0, fmt.Errorf("process %d: stat is too short", pid)
	}
	if ppid, err = strconv.Atoi(f[1]); err == nil {
		pgrp, err = strconv.Atoi(f[2])
	}
	return ppid, pgrp, err
}

package scripts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Commits of the fake repository.
const (
	releaseCommit = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // v1.2.3 and v1 point here
	tagObject     = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" // the annotated tag object of v1.2.3
	olderCommit   = "cccccccccccccccccccccccccccccccccccccccc" // v1.1.0
	mainCommit    = "dddddddddddddddddddddddddddddddddddddddd" // main, no release
	featureCommit = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" // feature, no release
	unreleased    = "ffffffffffffffffffffffffffffffffffffffff" // v1.3.0: tagged, no release published
)

// fakeRefs is the fake repository's tag and branch list.
func fakeRefs() []string {
	return []string{
		mainCommit + " refs/heads/main",
		featureCommit + " refs/heads/feature",
		releaseCommit + " refs/tags/v1",
		olderCommit + " refs/tags/v1.1.0",
		tagObject + " refs/tags/v1.2.3",
		releaseCommit + " refs/tags/v1.2.3^{}",
		unreleased + " refs/tags/v1.3.0",
	}
}

// TestInstall runs install.sh against a fake GitHub that has one release,
// v1.2.3, built by release.sh for this machine.
func TestInstall(t *testing.T) {
	requireTools(t)
	if testing.Short() {
		t.Skip("builds vllm-bench twice (a release and a source build); skipped with -short")
	}
	const version = "v1.2.3"
	release := buildRelease(t, version)
	archive := "vllm-bench_1.2.3_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	gh := &fakeGitHub{releases: map[string]string{version: release}, refs: fakeRefs()}
	srv := newFakeGitHub(t, gh)

	installsRelease := func(t *testing.T, in install) {
		t.Helper()
		if in.err != nil {
			t.Fatalf("install.sh: %v\n%s", in.err, in.out)
		}
		if got := in.version(t); got != "vllm-bench "+version {
			t.Errorf("--version = %q, want %q", got, "vllm-bench "+version)
		}
		if !strings.Contains(in.output, "version="+version+"\n") || !strings.Contains(in.output, "source=release\n") {
			t.Errorf("GITHUB_OUTPUT = %q, want version=%s and source=release", in.output, version)
		}
	}

	t.Run("release tag", func(t *testing.T) {
		installsRelease(t, runInstall(t, srv.URL, version, nil))
	})
	t.Run("major tag resolves to the release on the same commit", func(t *testing.T) {
		// As action.yml passes it: the GITHUB_ pair is empty in composite actions.
		in := runInstall(t, srv.URL, "", map[string]string{"VLLM_BENCH_ACTION_REF": "v1", "GITHUB_ACTION_REPOSITORY": "",
			"VLLM_BENCH_ACTION_REPOSITORY": fakeRepository})
		installsRelease(t, in)
	})
	t.Run("commit SHA of a release", func(t *testing.T) {
		installsRelease(t, runInstall(t, srv.URL, releaseCommit, nil))
	})
	t.Run("pinned version", func(t *testing.T) {
		installsRelease(t, runInstall(t, srv.URL, "main", map[string]string{"VLLM_BENCH_VERSION": "1.2.3"}))
	})
	t.Run("tampered archive", func(t *testing.T) {
		tampered := &fakeGitHub{releases: gh.releases, refs: fakeRefs(), tampered: archive}
		in := runInstall(t, newFakeGitHub(t, tampered).URL, version, nil)
		data, err := os.ReadFile(filepath.Join(release, archive))
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(data)
		data[len(data)-1] ^= 0xff
		got := sha256.Sum256(data)
		if in.err == nil {
			t.Fatalf("install.sh accepted a tampered archive:\n%s", in.out)
		}
		for _, sum := range []string{hex.EncodeToString(want[:]), hex.EncodeToString(got[:])} {
			if !strings.Contains(in.out, sum) {
				t.Errorf("the error does not name sha256 %s:\n%s", sum, in.out)
			}
		}
		if !strings.Contains(in.out, "checksum mismatch for "+archive) {
			t.Errorf("the error does not name the archive:\n%s", in.out)
		}
		if _, err := os.Stat(in.bin); err == nil {
			t.Error("a binary was installed from the tampered archive")
		}
	})
	t.Run("binary that does not run fails", func(t *testing.T) {
		broken := fakeRelease(t, "v1.2.4", archive12("1.2.4"), []byte("not a program\n"))
		in := runInstall(t, newFakeGitHub(t, &fakeGitHub{releases: map[string]string{"v1.2.4": broken}}).URL, "v1.2.4", nil)
		if in.err == nil || !strings.Contains(in.out, "does not run on this machine") {
			t.Fatalf("err = %v, output:\n%s", in.err, in.out)
		}
		if _, err := os.Stat(in.bin); err == nil {
			t.Error("a binary that does not run was installed")
		}
	})
	t.Run("pinned version without a release fails", func(t *testing.T) {
		in := runInstall(t, srv.URL, version, map[string]string{"VLLM_BENCH_VERSION": "v9.9.9"})
		if in.err == nil || !strings.Contains(in.out, "vllm-bench-version v9.9.9") {
			t.Fatalf("err = %v, output:\n%s", in.err, in.out)
		}
	})
	t.Run("pinned version that is no release name fails", func(t *testing.T) {
		in := runInstall(t, srv.URL, version, map[string]string{"VLLM_BENCH_VERSION": "latest"})
		if in.err == nil || !strings.Contains(in.out, `must be a release such as v1.2.3, got "latest"`) {
			t.Fatalf("err = %v, output:\n%s", in.err, in.out)
		}
	})
	t.Run("windows runner fails", func(t *testing.T) {
		in := runInstall(t, srv.URL, version, map[string]string{"RUNNER_OS": "Windows"})
		if in.err == nil || !strings.Contains(in.out, "Windows runners are not supported") {
			t.Fatalf("err = %v, output:\n%s", in.err, in.out)
		}
	})

	// Refs without a release build from source with the Go on PATH, and
	// leave PATH as it was.
	// leave PATH as it was. The version says it is a source build of which
	// commit, never a release, and a warning says why.
	buildsFromSource := func(t *testing.T, in install, stamp, reason string) {
		t.Helper()
		if in.err != nil {
			t.Fatalf("install.sh: %v\n%s", in.err, in.out)
		}
		if got := in.version(t); got != "vllm-bench "+stamp {
			t.Errorf("--version = %q, want %q", got, "vllm-bench "+stamp)
		}
		if !strings.Contains(in.output, "version="+stamp+"\n") || !strings.Contains(in.output, "source=source\n") {
			t.Errorf("GITHUB_OUTPUT = %q, want version=%s and source=source", in.output, stamp)
		}
		warnsOfFallback(t, in, reason, stamp)
		if in.path != "" {
			t.Errorf("install.sh added %q to GITHUB_PATH", in.path)
		}
	}
	t.Run("branch without a release builds from source", func(t *testing.T) {
		gh := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, gh).URL, "feature", nil)
		buildsFromSource(t, in, "feature-source+"+featureCommit[:7], "no release tag vX.Y.Z of "+fakeRepository+" points at feature")
		if gh.requested("/releases/download/") {
			t.Errorf("a release was requested for a branch no release tag points at: %v", gh.paths())
		}
	})
	t.Run("tag whose release is not published builds from source", func(t *testing.T) {
		buildsFromSource(t, runInstall(t, srv.URL, "v1.3.0", nil), "v1.3.0-source+"+unreleased[:7],
			"release v1.3.0 has no asset checksums.txt")
	})
	t.Run("local action builds from source without the network", func(t *testing.T) {
		gh := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, gh).URL, "", map[string]string{"GITHUB_ACTION_REPOSITORY": ""})
		buildsFromSource(t, in, "dev-source+"+headCommit(t), "a local action, uses: ./, has no release")
		if len(gh.paths()) != 0 {
			t.Errorf("a local action made requests: %v", gh.paths())
		}
	})

	// --require-release, as release.yml's check runs it: nothing but the
	// release's own archive will do.
	t.Run("require-release installs the release", func(t *testing.T) {
		installsRelease(t, runInstall(t, srv.URL, "v1", nil, "--require-release"))
	})
	t.Run("require-release fails on a tag without assets", func(t *testing.T) {
		in := runInstall(t, srv.URL, "v1.3.0", nil, "--require-release")
		if in.err == nil {
			t.Fatalf("install.sh --require-release exited 0 for a tag without assets:\n%s", in.out)
		}
		if !strings.Contains(in.out, "::error title=vllm-bench install::no release installed: release v1.3.0 has no asset checksums.txt") {
			t.Errorf("the error does not name the missing asset:\n%s", in.out)
		}
		if _, err := os.Stat(in.bin); err == nil {
			t.Error("a binary was installed")
		}
		if strings.Contains(in.out, "building") || in.output != "" {
			t.Errorf("it went on to build: GITHUB_OUTPUT %q\n%s", in.output, in.out)
		}
	})
	t.Run("require-release fails on a branch", func(t *testing.T) {
		in := runInstall(t, srv.URL, "feature", nil, "--require-release")
		if in.err == nil || !strings.Contains(in.out, "no release tag vX.Y.Z of "+fakeRepository+" points at feature") {
			t.Fatalf("err = %v, output:\n%s", in.err, in.out)
		}
	})

	// The tool cache: the second install of a release on the same runner
	// makes no request at all.
	t.Run("second install comes from the tool cache", func(t *testing.T) {
		cache := t.TempDir()
		env := map[string]string{"RUNNER_TOOL_CACHE": cache}
		first := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		installsRelease(t, runInstall(t, newFakeGitHub(t, first).URL, version, env))
		if !first.requested("/release-assets/" + version + "/" + archive) {
			t.Fatalf("the first install did not download the archive: %v", first.paths())
		}
		second := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, second).URL, version, env)
		installsRelease(t, in)
		if got := second.paths(); len(got) != 0 {
			t.Errorf("the second install made requests: %v", got)
		}
		if !strings.Contains(in.out, "in the tool cache") {
			t.Errorf("the log does not say the binary came from the tool cache:\n%s", in.out)
		}
		// A major tag still reads the tag list (v1 moves), but downloads nothing.
		third := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		installsRelease(t, runInstall(t, newFakeGitHub(t, third).URL, "v1", env))
		if got := third.paths(); len(got) != 1 || !strings.HasSuffix(got[0], ".git/info/refs") {
			t.Errorf("@v1 from the tool cache requested %v, want the refs only", got)
		}
	})
	t.Run("a corrupted tool cache entry is downloaded again", func(t *testing.T) {
		cache := t.TempDir()
		env := map[string]string{"RUNNER_TOOL_CACHE": cache}
		installsRelease(t, runInstall(t, srv.URL, version, env))
		bins, err := filepath.Glob(filepath.Join(cache, "vllm-bench", "1.2.3", "*", "*", "vllm-bench"))
		if err != nil || len(bins) != 1 {
			t.Fatalf("tool cache holds %v (%v), want one binary", bins, err)
		}
		if err := os.WriteFile(bins[0], []byte("#!/bin/sh\necho vllm-bench v6.6.6\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		again := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, again).URL, version, env)
		installsRelease(t, in)
		if !again.requested("/release-assets/" + version + "/" + archive) {
			t.Errorf("the corrupted entry was used instead of a download: %v\n%s", again.paths(), in.out)
		}
	})

	// Another server (GitHub Enterprise Server, a mirror) and another
	// repository (a fork) hold the releases.
	t.Run("github-server-url points the install at another host", func(t *testing.T) {
		workflowHost := &fakeGitHub{refs: fakeRefs()}
		releaseHost := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, workflowHost).URL, "v1", map[string]string{
			"VLLM_BENCH_SERVER_URL": newFakeGitHub(t, releaseHost).URL + "/"})
		installsRelease(t, in)
		if got := workflowHost.paths(); len(got) != 0 {
			t.Errorf("the workflow's own server was asked: %v", got)
		}
		if !releaseHost.requested("/release-assets/" + version + "/" + archive) {
			t.Errorf("the archive was not downloaded from github-server-url: %v", releaseHost.paths())
		}
	})
	t.Run("release-repository installs a fork's release", func(t *testing.T) {
		fork := &fakeGitHub{repo: "fork-owner/vllm-bench-fork", releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, fork).URL, "v1", map[string]string{
			"VLLM_BENCH_RELEASE_REPOSITORY": "fork-owner/vllm-bench-fork"})
		installsRelease(t, in)
		if !fork.requested("/fork-owner/vllm-bench-fork/releases/download/" + version + "/" + archive) {
			t.Errorf("not installed from the fork's release: %v", fork.paths())
		}
	})
	t.Run("bad github-server-url and release-repository fail", func(t *testing.T) {
		in := runInstall(t, srv.URL, version, map[string]string{"VLLM_BENCH_SERVER_URL": "github.example.com"})
		if in.err == nil || !strings.Contains(in.out, `github-server-url must be a URL such as https://github.com`) {
			t.Errorf("err = %v, output:\n%s", in.err, in.out)
		}
		in = runInstall(t, srv.URL, version, map[string]string{"VLLM_BENCH_RELEASE_REPOSITORY": "just-a-name"})
		if in.err == nil || !strings.Contains(in.out, `release-repository must be OWNER/NAME`) {
			t.Errorf("err = %v, output:\n%s", in.err, in.out)
		}
	})
}

// warnsOfFallback checks that a source build was announced by a
// ::warning:: that names the reason and the version it is stamped with.
func warnsOfFallback(t *testing.T, in install, reason, stamp string) {
	t.Helper()
	for line := range strings.SplitSeq(in.out, "\n") {
		if strings.HasPrefix(line, "::warning title=vllm-bench install::") && strings.Contains(line, reason) &&
			strings.Contains(line, "building vllm-bench from source as "+stamp+", not a release") {
			return
		}
	}
	t.Errorf("no ::warning:: naming %q and %q:\n%s", reason, stamp, in.out)
}

// headCommit is the short commit of this checkout, as install.sh stamps a
// build of it; "unknown" without git.
func headCommit(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", "..", "rev-parse", "--verify", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))[:7]
}

// TestInstallFallbacks checks each reason for a source build on a machine
// without Go, where install.sh only asks the action to set Go up and so
// builds nothing: the warning names the reason, the version to stamp is
// <ref>-source+<commit>, and --require-release refuses instead.
func TestInstallFallbacks(t *testing.T) {
	requireTools(t)
	noGo := noGoEnv(t)
	with := func(env map[string]string) map[string]string {
		m := maps.Clone(noGo)
		maps.Copy(m, env)
		return m
	}
	// A release whose checksums.txt lists other platforms only.
	other := "vllm-bench_1.4.0_plan9_mips.tar.gz"
	partial := fakeRelease(t, "v1.4.0", other, []byte("#!/bin/sh\n"))
	partialCommit := strings.Repeat("1", 40)
	gh := &fakeGitHub{releases: map[string]string{"v1.4.0": partial}, refs: append(fakeRefs(),
		partialCommit+" refs/tags/v1.4.0")}
	srv := newFakeGitHub(t, gh)
	down := newFakeGitHub(t, &fakeGitHub{refs: fakeRefs(), refsDown: true})

	cases := []struct {
		name, server, ref string
		env               map[string]string
		reason, stamp     string
	}{
		{"checksums.txt without the runner's archive", srv.URL, "v1.4.0", nil,
			"release v1.4.0 has no archive for " + runtime.GOOS + "/" + runtime.GOARCH + ": " + archive12("1.4.0") + " is not in its checksums.txt",
			"v1.4.0-source+" + partialCommit[:7]},
		{"refs that cannot be read", down.URL, "v1", nil,
			"could not read the tags of " + fakeRepository + " at " + down.URL, "v1-source+" + headCommit(t)},
		{"refs of a commit SHA that cannot be read", down.URL, featureCommit, nil,
			"could not read the tags of " + fakeRepository, featureCommit + "-source+" + featureCommit[:7]},
		{"a runner architecture without an archive", srv.URL, "v1.2.3", map[string]string{"RUNNER_ARCH": "ARM"},
			`releases have no archive for RUNNER_ARCH "ARM"`, "v1.2.3-source+" + releaseCommit[:7]},
		{"no release for the ref", srv.URL, "main", nil,
			"no release tag vX.Y.Z of " + fakeRepository + " points at main (commit " + mainCommit[:7] + ")",
			"main-source+" + mainCommit[:7]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := runInstall(t, c.server, c.ref, with(c.env))
			if in.err != nil {
				t.Fatalf("install.sh: %v\n%s", in.err, in.out)
			}
			warnsOfFallback(t, in, c.reason, c.stamp)
			want := "go-version=" + goModVersion(t) + "\nbuild-version=" + c.stamp + "\n"
			if in.output != want {
				t.Errorf("GITHUB_OUTPUT = %q, want %q", in.output, want)
			}
			in = runInstall(t, c.server, c.ref, with(c.env), "--require-release")
			if in.err == nil || !strings.Contains(in.out, "::error title=vllm-bench install::no release installed: "+c.reason) {
				t.Errorf("--require-release: err = %v, output:\n%s", in.err, in.out)
			}
			if in.output != "" {
				t.Errorf("--require-release wrote outputs %q", in.output)
			}
		})
	}
}

// TestInstallMissingListedArchive checks that an archive checksums.txt
// lists but the release lacks is an error naming it, not a fallback.
func TestInstallMissingListedArchive(t *testing.T) {
	requireTools(t)
	rel := fakeRelease(t, "v1.5.0", archive12("1.5.0"), []byte("#!/bin/sh\n"))
	if err := os.Remove(filepath.Join(rel, archive12("1.5.0"))); err != nil {
		t.Fatal(err)
	}
	srv := newFakeGitHub(t, &fakeGitHub{releases: map[string]string{"v1.5.0": rel}, refs: fakeRefs()})
	in := runInstall(t, srv.URL, "v1.5.0", noGoEnv(t))
	want := "could not download " + archive12("1.5.0") + " from " + srv.URL + "/" + fakeRepository + "/releases/download/v1.5.0, which checksums.txt lists: HTTP 404"
	if in.err == nil || !strings.Contains(in.out, want) {
		t.Errorf("err = %v, want an error %q; output:\n%s", in.err, want, in.out)
	}
	if in.output != "" {
		t.Errorf("GITHUB_OUTPUT = %q, want nothing", in.output)
	}
}

// TestInstallWithoutGo checks the machine without Go: install.sh asks the
// action for the Go that go.mod names, and --build refuses to run.
func TestInstallWithoutGo(t *testing.T) {
	requireTools(t)
	noGo := noGoEnv(t)
	gh := &fakeGitHub{refs: fakeRefs()}
	srv := newFakeGitHub(t, gh)
	in := runInstall(t, srv.URL, "feature", noGo)
	if in.err != nil {
		t.Fatalf("install.sh: %v\n%s", in.err, in.out)
	}
	want := "go-version=" + goModVersion(t) + "\nbuild-version=feature-source+" + featureCommit[:7] + "\n"
	if in.output != want {
		t.Errorf("GITHUB_OUTPUT = %q, want %q", in.output, want)
	}
	if _, err := os.Stat(in.bin); err == nil {
		t.Error("a binary was installed without Go")
	}
	in = runInstall(t, srv.URL, "feature", noGo, "--build")
	if in.err == nil || !strings.Contains(in.out, "no usable Go") {
		t.Errorf("--build without Go: err = %v, output:\n%s", in.err, in.out)
	}
}

// noGoEnv is a PATH without go, for runInstall; it skips the test when a
// tool install.sh needs lives only next to go.
func noGoEnv(t *testing.T) map[string]string {
	t.Helper()
	var dirs []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "go")); err != nil {
			dirs = append(dirs, dir)
		}
	}
	for _, tool := range []string{"bash", "tar", "awk"} {
		if !slices.ContainsFunc(dirs, func(dir string) bool { _, err := os.Stat(filepath.Join(dir, tool)); return err == nil }) {
			t.Skipf("%s is only in a directory that also holds go", tool)
		}
	}
	return map[string]string{"PATH": strings.Join(dirs, string(filepath.ListSeparator))}
}

// goModVersion is the go directive of the module's go.mod.
func goModVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}

// archive12 is the archive name of a version for this machine.
func archive12(version string) string {
	return "vllm-bench_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
}

// fakeRelease writes a release whose archive holds binary as vllm-bench,
// with a matching checksums.txt, and returns its directory.
func fakeRelease(t *testing.T, tag, archive string, binary []byte) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "vllm-bench", Mode: 0o755, Size: int64(len(binary))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(binary)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum := sha256.Sum256(buf.Bytes())
	sums := hex.EncodeToString(sum[:]) + "  " + archive + "\n"
	if err := os.WriteFile(filepath.Join(dir, archive), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

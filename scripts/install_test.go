package scripts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
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
	buildsFromSource := func(t *testing.T, in install, stamp string) {
		t.Helper()
		if in.err != nil {
			t.Fatalf("install.sh: %v\n%s", in.err, in.out)
		}
		if got := in.version(t); got != "vllm-bench "+stamp {
			t.Errorf("--version = %q, want %q", got, "vllm-bench "+stamp)
		}
		if !strings.Contains(in.output, "source=build\n") {
			t.Errorf("GITHUB_OUTPUT = %q, want source=build", in.output)
		}
		if in.path != "" {
			t.Errorf("install.sh added %q to GITHUB_PATH", in.path)
		}
	}
	t.Run("branch without a release builds from source", func(t *testing.T) {
		gh := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, gh).URL, "feature", nil)
		buildsFromSource(t, in, "feature")
		if gh.requested("/releases/download/") {
			t.Errorf("a release was requested for a branch no release tag points at: %v", gh.requests)
		}
	})
	t.Run("tag whose release is not published builds from source", func(t *testing.T) {
		buildsFromSource(t, runInstall(t, srv.URL, "v1.3.0", nil), "v1.3.0")
	})
	t.Run("local action builds from source without the network", func(t *testing.T) {
		gh := &fakeGitHub{releases: gh.releases, refs: fakeRefs()}
		in := runInstall(t, newFakeGitHub(t, gh).URL, "", map[string]string{"GITHUB_ACTION_REPOSITORY": ""})
		buildsFromSource(t, in, "dev")
		if len(gh.requests) != 0 {
			t.Errorf("a local action made requests: %v", gh.requests)
		}
	})
}

// TestInstallWithoutGo checks the machine without Go: install.sh asks the
// action for the Go that go.mod names, and --build refuses to run.
func TestInstallWithoutGo(t *testing.T) {
	requireTools(t)
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
	noGo := map[string]string{"PATH": strings.Join(dirs, string(filepath.ListSeparator))}
	gh := &fakeGitHub{refs: fakeRefs()}
	srv := newFakeGitHub(t, gh)
	in := runInstall(t, srv.URL, "feature", noGo)
	if in.err != nil {
		t.Fatalf("install.sh: %v\n%s", in.err, in.out)
	}
	want := "go-version=" + goModVersion(t) + "\n"
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

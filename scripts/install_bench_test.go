package scripts

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkInstallFromRelease times install.sh installing a release from a
// local fake GitHub: resolving the release, downloading the archive and
// checksums.txt over loopback, verifying the sha256, unpacking and running
// --version. Network time to a real GitHub is not included. Besides the
// mean it reports the fastest and slowest run:
//
//	go test ./scripts -run '^$' -bench InstallFromRelease -benchtime 5x
func BenchmarkInstallFromRelease(b *testing.B) {
	requireTools(b)
	const version = "v1.2.3"
	release := buildRelease(b, version)
	srv := newFakeGitHub(b, &fakeGitHub{releases: map[string]string{version: release}, refs: fakeRefs()})
	var fastest, slowest time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		in := runInstall(b, srv.URL, "v1", nil)
		took := time.Since(start)
		if in.err != nil {
			b.Fatalf("install.sh: %v\n%s", in.err, in.out)
		}
		if i == 0 || took < fastest {
			fastest = took
		}
		slowest = max(slowest, took)
	}
	b.ReportMetric(fastest.Seconds(), "min-s")
	b.ReportMetric(slowest.Seconds(), "max-s")
}

// BenchmarkInstallFromToolCache times install.sh installing a release that
// an earlier install put in the runner's tool cache: no request at all,
// the cached binary's sha256 checked, copied and run with --version. The
// first install, which fills the cache, is not timed:
//
//	go test ./scripts -run '^$' -bench InstallFromToolCache -benchtime 5x
func BenchmarkInstallFromToolCache(b *testing.B) {
	requireTools(b)
	const version = "v1.2.3"
	release := buildRelease(b, version)
	gh := &fakeGitHub{releases: map[string]string{version: release}, refs: fakeRefs()}
	srv := newFakeGitHub(b, gh)
	env := map[string]string{"RUNNER_TOOL_CACHE": b.TempDir()}
	if in := runInstall(b, srv.URL, version, env); in.err != nil {
		b.Fatalf("install.sh: %v\n%s", in.err, in.out)
	}
	requests := len(gh.paths())
	var fastest, slowest time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		in := runInstall(b, srv.URL, version, env)
		took := time.Since(start)
		if in.err != nil || !strings.Contains(in.out, "in the tool cache") {
			b.Fatalf("install.sh did not install from the tool cache: %v\n%s", in.err, in.out)
		}
		if i == 0 || took < fastest {
			fastest = took
		}
		slowest = max(slowest, took)
	}
	b.StopTimer()
	if n := len(gh.paths()); n != requests {
		b.Fatalf("installs from the tool cache made %d requests", n-requests)
	}
	b.ReportMetric(fastest.Seconds(), "min-s")
	b.ReportMetric(slowest.Seconds(), "max-s")
}

package scripts

import (
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

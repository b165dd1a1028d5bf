// Package scripts holds the project's shell scripts. Those that ship
// vllm-bench are tested here: install.sh (the action's installer: a
// checksummed release download or a copy from the runner's tool cache, or a
// build from source that warns why), release.sh (the
// release archives and checksums.txt) and notices.sh
// (THIRD_PARTY_NOTICES.md); render-comment.sh's font check is tested too.
// .ci/run runs shellcheck over every script; its tidiness check, .ci/tidy,
// is tested here too (a failed module download is not called "not tidy").
//
// The package has no Go code of its own; its tests run the scripts against
// a fake GitHub served by net/http/httptest, so they need bash, tar, gzip,
// curl or wget and sha256sum, and skip with the reason when one is missing.
// It imports no internal package.
package scripts

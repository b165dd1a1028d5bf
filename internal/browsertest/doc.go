// Package browsertest runs the repository's headless-Chromium checks
// (scripts/browser/setup.sh and check.mjs, scripts/render-comment.sh) for
// the tests of the packages that write pages: the dashboard and the PR
// comments. Require skips a test, with the reason, where node, npm, bash or
// a Chromium is missing or in -short mode; Setup installs the pinned node
// modules; Check builds the check.mjs command; TrackInputs makes go test's
// cache rerun a test when the scripts change.
//
// Allowed internal imports: none.
package browsertest

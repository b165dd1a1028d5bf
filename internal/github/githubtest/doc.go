// Package githubtest is a fake of the GitHub REST endpoints that package
// github uses for the sticky PR comment (list, create and edit issue
// comments), served by net/http/httptest. It is for tests of this package
// and of the packages that call it, e.g. an end-to-end test of
// `vllm-bench action`: point GITHUB_API_URL at Server.URL.
//
// Allowed internal imports: none.
package githubtest

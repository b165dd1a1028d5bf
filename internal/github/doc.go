// Package github is the last stage of the pipeline: GitHub I/O. It reads the
// action's inputs and the triggering event, writes outputs, the job summary
// and workflow commands (groups, annotations, masks) through
// go-githubactions, and keeps one sticky pull-request comment per config
// through go-github.
//
// The report arrives as plain markdown and the gate's outcome as plain
// values (see PublishOptions), so publishing does not depend on how either
// was built; the inputs are checked by the rules' owners (engine names in
// config, shards in sweep, tolerance and alpha in gate). Every side channel (environment,
// stdout, HTTP client, sleeping between retries) is injected through Env so
// tests run without GitHub; the githubtest subpackage holds a fake of the
// REST endpoints used here.
//
// The token is never printed: Actions.Inputs masks it with ::add-mask:: as
// soon as it is read, and no error message of this package contains it.
//
// Allowed internal imports: config, sweep, gate.
package github

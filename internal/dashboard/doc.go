// Package dashboard writes the static trend site of a baselines directory:
// one index.html with inline SVG charts and a stylesheet under assets/, no
// script and no request outside the site, so it works from the file system
// and on GitHub Pages alike. Per run and server configuration it draws every
// gated metric over the history with the change points of package trend
// marked and each run's point linked to its commit, and it tabulates the
// newest run.
//
// dashboard is a renderer beside report.
//
// Allowed internal imports: trend.
package dashboard

// Package dashboard writes the static trend site of a baselines directory:
// one index.html with inline SVG charts and a stylesheet under assets/, no
// script and no request outside the site, so it works from the file system
// and on GitHub Pages alike. Per run it tabulates the newest run against
// the level of each series (the mean of its runs since the last change
// point) and its noise band, then draws the series with a change point
// first and the rest by server configuration: each series over the runs'
// dates, its levels, its noise band and its change points marked (package
// trend finds them), each run's marker linked to its commit.
//
// dashboard is a renderer beside report.
//
// Allowed internal imports: trend.
package dashboard

// Package sigfig prints figures with as many significant digits as their
// size needs, so that a small value never reads as zero: 0.014 ms stays
// 0.0140 ms and a bound of 0.0004 ms stays 0.000400 ms, where a fixed
// number of decimals would print 0.000 for both. Every stage that writes a
// measured value or a threshold for people (probe's warnings, gate's
// reasons, the report's tables and charts, the command line) prints it
// through Format.
//
// Allowed internal imports: none.
package sigfig

// Package probe samples what runs beside the load while a point is
// measured: the client's own health (scheduling lag and CPU use), so that a
// point measured by a saturated client is known as such.
//
// Package probe is a sibling of loadgen in the runner's stage; it imports no
// internal package.
package probe

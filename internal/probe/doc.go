// Package probe samples what runs beside the load while a point is
// measured: the client's own health (scheduling lag and CPU use), so that a
// point measured by a saturated client is known as such.
//
// Allowed internal imports: none.
package probe

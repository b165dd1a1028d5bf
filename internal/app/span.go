package app

import (
	"fmt"
	"strconv"
)

// span writes a range of counts, one number when both ends are equal.
func span(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

package sim

import (
	"strconv"
	"strings"
)

// fmtNs formats nanoseconds compactly: "1.5s", "250ms", "12us".
func fmtNs(ns int64) string {
	f := float64(ns)
	var v float64
	var unit string
	switch {
	case ns >= 3600e9:
		v, unit = f/3600e9, "h"
	case ns >= 60e9:
		v, unit = f/60e9, "m"
	case ns >= 1e9:
		v, unit = f/1e9, "s"
	case ns >= 1e6:
		v, unit = f/1e6, "ms"
	case ns >= 1e3:
		v, unit = f/1e3, "us"
	default:
		return strconv.FormatInt(ns, 10) + "ns"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + unit
}

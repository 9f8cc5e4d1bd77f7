package main

import (
	"fmt"
	"io"
)

func compareMain(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "collagesim compare: not yet")
	return 2
}

package models

import (
	"os"
	"testing"
)

// requireORT loads ONNX Runtime or skips the test. Under `make test`
// (COLLAGESIM_REQUIRE_ORT=1, with the library fetched by `make ort`) a
// missing runtime fails the test instead.
func requireORT(t testing.TB) {
	t.Helper()
	if err := InitRuntime(""); err != nil {
		if os.Getenv("COLLAGESIM_REQUIRE_ORT") != "" {
			t.Fatalf("ONNX Runtime is required here (COLLAGESIM_REQUIRE_ORT is set): %v", err)
		}
		t.Skipf("skipping, no ONNX Runtime (run `make ort`, or use `make test`): %v", err)
	}
}

// tinyArch is a network small enough to build and run in well under a
// second: 16x16 input, two stages of 8 and 16 channels.
func tinyArch(t testing.TB) Arch {
	t.Helper()
	a, err := ParseArch("small,side=16,stem=8,widths=8/16,blocks=1/1,collage=32")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

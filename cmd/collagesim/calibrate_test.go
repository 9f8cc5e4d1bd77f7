package main

import (
	"bytes"
	"strings"
	"testing"
)

// The command's flags are checked before anything is measured: a mistake is
// a usage error (exit 2) that names the flag.
func TestCalibrateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--onnx", "m.onnx"}, "--out is required"},
		{[]string{"--onnx", "m.onnx", "--out", "p.toml", "--runs", "0"}, "--runs 0: must be positive"},
		{[]string{"--onnx", "m.onnx", "--out", "p.toml", "--repeat", "0"}, "--repeat 0: must be positive"},
		{[]string{"--onnx", "m.onnx", "--out", "p.toml", "--cells", "diagonal"}, `cells="diagonal"`},
		{[]string{"--onnx", "m.onnx", "--out", "p.toml", "--std", "0.2,0"}, "positive numbers"},
		{[]string{"--onnx", "m.onnx", "--out", "p.toml", "--batch", "1,x"}, `invalid argument "1,x" for "--batch" flag`},
		{[]string{"--out", "p.toml", "extra"}, "unexpected arguments"},
		{[]string{"--out", "p.toml", "--test-cells", "0"}, "--test-cells 0: must be positive"},
		{[]string{"--out", "p.toml", "--threads", "-1"}, "threads -1"},
	} {
		var stdout, stderr bytes.Buffer
		code := calibrateCmd(tc.args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// An error prints one "collagesim calibrate:" prefix: the package's own
// "calibrate:" prefix is the command's name again and is not repeated.
func TestCalibrateErrorPrefix(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--onnx", "m.onnx"}, "collagesim calibrate: --out is required\n"},
		{[]string{"--out", "p.toml", "--images", "imgs"}, "collagesim calibrate: model settings and held-out sets other than --idx"},
		{[]string{"--out", "p.toml", "--runs", "0"}, "collagesim calibrate: --runs 0: must be positive\n"},
	} {
		var stdout, stderr bytes.Buffer
		code := calibrateCmd(tc.args, &stdout, &stderr)
		got := stderr.String()
		if code != 2 || !strings.HasPrefix(got, tc.want) || strings.Count(got, "calibrate: ") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one prefix, %q", tc.args, code, got, tc.want)
		}
	}
}

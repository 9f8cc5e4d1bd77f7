package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/collagesim/collagesim/sim"
)

func TestBundledLoad(t *testing.T) {
	list := Bundled()
	if len(list) == 0 || list[0].Name == "" {
		t.Fatal("no bundled scenarios")
	}
	for _, b := range list {
		t.Run(b.Name, func(t *testing.T) {
			if b.Summary == "" {
				t.Error("no summary line")
			}
			if b.Name == "trace-inorder" {
				// It names its samples file relative to the repository root.
				if _, err := os.Stat("../../shared/data/cloud-latency-samples-ms.txt"); err != nil {
					_, _, err := LoadBundled(b.Name)
					if err == nil || !strings.Contains(err.Error(), "cloud-latency-samples-ms.txt") {
						t.Fatalf("without the samples file: got %v, want an error naming it", err)
					}
					t.Skip("needs ../shared/data/cloud-latency-samples-ms.txt")
				}
				t.Chdir("..")
			}
			sc, meta, err := LoadBundled(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Name != b.Name || meta.File != "builtin:"+b.Name || meta.Text == "" {
				t.Errorf("name %q, meta %q", sc.Name, meta.File)
			}
			sc2, _, err := Load("builtin:" + b.Name)
			if err != nil || sc2.Name != sc.Name {
				t.Errorf("Load(builtin:%s): %v", b.Name, err)
			}
		})
	}
}

// A bundled scenario given by its path in a checkout reads the files it names
// as it does by name, from the working directory: trace-inorder's samples at
// ../shared/data, beside the checkout, from the checkout's root.
func TestBundledByPath(t *testing.T) {
	root := t.TempDir()
	checkout := filepath.Join(root, "main")
	dir := filepath.Join(checkout, "scenarios", "bundled")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	text, err := BundledText("trace-inorder")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "trace-inorder.toml")
	if err := os.WriteFile(file, text, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(checkout)
	rel := filepath.Join("scenarios", "bundled", "trace-inorder.toml")

	// Absent: the message says where it looked, beside the file and from
	// the working directory.
	_, _, err = Load(rel)
	if err == nil {
		t.Fatal("loaded without the samples file")
	}
	for _, want := range []string{"trace-inorder.toml:61: stragglers[0].file",
		filepath.Join("scenarios", "shared", "data", "cloud-latency-samples-ms.txt"), "working directory " + checkout} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("without the samples file: %v; want %q in it", err, want)
		}
	}

	samples := filepath.Join(root, "shared", "data", "cloud-latency-samples-ms.txt")
	if err := os.MkdirAll(filepath.Dir(samples), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(samples, []byte("100\n700\n120\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	byName, _, err := LoadBundled("trace-inorder")
	if err != nil {
		t.Fatalf("by name: %v", err)
	}
	for _, p := range []string{rel, file} {
		sc, meta, err := Load(p)
		if err != nil {
			t.Fatalf("by path %s: %v", p, err)
		}
		if meta.File != p || meta.Text != string(text) {
			t.Errorf("by path %s: meta.File %q", p, meta.File)
		}
		if !sameScenario(sc, byName) {
			t.Errorf("by path %s: the scenario differs from the one by name", p)
		}
	}

	// A copy elsewhere follows the rule of every other file: its references
	// are relative to itself.
	other := filepath.Join(root, "copy.toml")
	if err := os.WriteFile(other, text, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(other); err == nil || !strings.Contains(err.Error(), "relative to the referring file") {
		t.Errorf("a copy outside the checkout: got %v, want its reference resolved relative to it", err)
	}
}

// sameScenario compares two scenarios; their profiles, which hold NaN for
// an accuracy not given, are compared as printed.
func sameScenario(a, b *sim.Scenario) bool {
	x, y := *a, *b
	px, py := fmt.Sprintf("%+v", *x.Profile), fmt.Sprintf("%+v", *y.Profile)
	x.Profile, y.Profile = nil, nil
	return px == py && reflect.DeepEqual(x, y)
}

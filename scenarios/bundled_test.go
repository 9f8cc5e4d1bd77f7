package scenarios

import (
	"os"
	"strings"
	"testing"
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

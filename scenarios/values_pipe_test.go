//go:build unix

package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestValuesFromPipe: a samples file that is a pipe (a FIFO, /dev/stdin) is
// read once, whole, and gives the values a regular file of the same text
// gives; it is not parsed as it is read, which reads a file twice.
func TestValuesFromPipe(t *testing.T) {
	dir := t.TempDir()
	text := "10\n20.5\n30\n"
	if err := os.WriteFile(filepath.Join(dir, "plain.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.WriteString(text)
		f.Close()
	}()
	p := &distParser{read: diskReader(dir), open: diskOpener(dir)}
	got, err := p.values("pipe", false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.values("plain.txt", false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || len(want) != 3 {
		t.Errorf("from the pipe %v, from the file %v", got, want)
	}
}

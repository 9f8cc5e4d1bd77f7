// Package atomicfile writes files so that a reader sees either the old file or
// the whole new one, never a half-written file: data goes to a temporary file
// in the same folder, is synced, and is renamed over the path.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, creating path's folder if needed.
// The file is world-readable (0644).
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("atomicfile: writing %s: %w", path, err)
	}
	return f.Commit()
}

// File is a file being written atomically: Commit makes it appear at its
// path, Abort removes it. One of them must be called.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts an atomic write of path, creating its folder if needed.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	return &File{File: f, path: path}, nil
}

// Path is the path the file appears at when committed.
func (f *File) Path() string { return f.path }

// Commit syncs and closes the file and renames it over its path.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s committed or aborted twice", f.path)
	}
	f.done = true
	tmp := f.Name()
	err := f.Chmod(0o644) // CreateTemp makes it private
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("atomicfile: writing %s: %w", f.path, err)
	}
	return nil
}

// Abort closes and removes the temporary file; the path is left as it was.
// It does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

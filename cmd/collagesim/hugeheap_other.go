//go:build !linux

package main

// hugeHeap does nothing where transparent huge pages are not Linux's.
func hugeHeap() {}

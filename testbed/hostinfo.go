package testbed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"
)

func timerOvershoot(n int) (p50, p99 time.Duration) {
	xs := make([]int64, n)
	for i := range xs {
		start := time.Now()
		time.Sleep(time.Millisecond)
		xs[i] = (time.Since(start) - time.Millisecond).Nanoseconds()
	}
	return durQ(xs, 0.5), durQ(xs, 0.99)
}

func healthRTT(ctx context.Context, client *http.Client, url string, n int) (p50, p99 time.Duration) {
	var xs []int64
	for range n {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v2/health/ready", nil)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		xs = append(xs, time.Since(start).Nanoseconds())
	}
	return durQ(xs, 0.5), durQ(xs, 0.99)
}

func metadataOf(ctx context.Context, client *http.Client, url, model string) (*ModelMetadata, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/v2/models/"+model, nil)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: %w", model, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: HTTP %d: %s", model, url, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	var md ModelMetadata
	if err := jsonDecode(resp.Body, &md); err != nil {
		return nil, fmt.Errorf("testbed: model metadata of %q at %s: %w", model, url, err)
	}
	return &md, nil
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

package testbed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Cluster is the worker processes of a testbed run, all in one process
// group, and the loopback addresses they listen on.
type Cluster struct {
	mu    sync.Mutex
	procs []*workerProc
	pgid  int
}

type workerProc struct {
	spec      WorkerSpec
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	URL       string // http://127.0.0.1:PORT
	done      chan struct{}
	err       error
	log       *tailBuffer
	listening chan string
}

// tailBuffer keeps the last bytes a worker wrote on stderr, for messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	t.mu.Unlock()
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// Start starts one worker process per spec with command (argv; the spec is
// written on its stdin) and waits until every one answers ready. On error
// the processes started so far are stopped.
func Start(ctx context.Context, command []string, env []string, specs []WorkerSpec) (*Cluster, error) {
	c := &Cluster{}
	type started struct {
		i   int
		url string
		err error
	}
	results := make(chan started, len(specs))
	for i, spec := range specs {
		p, err := c.spawn(command, env, spec)
		if err != nil {
			c.Stop()
			return nil, err
		}
		go func(i int, p *workerProc) {
			url, err := p.waitListening(ctx)
			results <- started{i, url, err}
		}(i, p)
	}
	var errs []error
	for range specs {
		r := <-results
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		c.procs[r.i].URL = r.url
	}
	if err := errors.Join(errs...); err != nil {
		c.Stop()
		return nil, err
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, p := range c.procs {
		if err := waitReady(ctx, client, p); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

func (c *Cluster) spawn(command []string, env []string, spec WorkerSpec) (*workerProc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	line, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("testbed: worker spec: %w", err)
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), env...)
	// One process group for every worker: the first one leads it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: c.pgid, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("testbed: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("testbed: %w", err)
	}
	p := &workerProc{spec: spec, cmd: cmd, stdin: stdin, done: make(chan struct{}), log: &tailBuffer{}}
	cmd.Stderr = p.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testbed: starting worker %s/%d (%s): %w", spec.Pool, spec.Server, command[0], err)
	}
	if c.pgid == 0 {
		c.pgid = cmd.Process.Pid
	}
	c.procs = append(c.procs, p)
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("testbed: worker %s/%d: writing its spec: %w", spec.Pool, spec.Server, err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	p.URL = "" // set when it reports its address
	p.listening = lines
	return p, nil
}

func (p *workerProc) waitListening(ctx context.Context) (string, error) {
	name := fmt.Sprintf("%s/%d", p.spec.Pool, p.spec.Server)
	select {
	case line, ok := <-p.listening:
		addr, found := strings.CutPrefix(line, "listening ")
		if !ok || !found {
			<-p.done
			return "", fmt.Errorf("testbed: worker %s did not start: %v: %s", name, p.err, p.log.String())
		}
		return "http://" + addr, nil
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("testbed: worker %s did not report its address within 60 s: %s", name, p.log.String())
	case <-ctx.Done():
		return "", fmt.Errorf("testbed: worker %s: %w", name, ctx.Err())
	}
}

func waitReady(ctx context.Context, client *http.Client, p *workerProc) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/v2/health/ready", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("testbed: worker %s/%d at %s is not ready: %v", p.spec.Pool, p.spec.Server, p.URL, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URLs returns the base URL of every worker of pool, by server index.
func (c *Cluster) URLs(pool string) []string {
	var out []string
	for _, p := range c.procs {
		if p.spec.Pool == pool {
			out = append(out, p.URL)
		}
	}
	return out
}

// Pids lists the workers' process ids.
func (c *Cluster) Pids() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for _, p := range c.procs {
		out = append(out, p.cmd.Process.Pid)
	}
	return out
}

// Exited returns an error naming the first worker that has exited.
func (c *Cluster) Exited() error {
	for _, p := range c.procs {
		select {
		case <-p.done:
			return fmt.Errorf("testbed: worker %s/%d exited: %v: %s", p.spec.Pool, p.spec.Server, p.err, p.log.String())
		default:
		}
	}
	return nil
}

// Stop ends every worker: their stdin is closed (they stop by themselves),
// then the process group gets SIGTERM and, after a grace period, SIGKILL.
// It returns once every worker has been reaped.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := c.procs
	pgid := c.pgid
	c.mu.Unlock()
	for _, p := range procs {
		p.stdin.Close()
	}
	if pgid > 0 {
		syscall.Kill(-pgid, syscall.SIGTERM)
	}
	grace := time.After(3 * time.Second)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-grace:
			if pgid > 0 {
				syscall.Kill(-pgid, syscall.SIGKILL)
			}
			for _, q := range procs {
				q.cmd.Process.Kill()
			}
			<-p.done
		}
	}
}

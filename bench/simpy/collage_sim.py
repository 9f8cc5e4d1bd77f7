#!/usr/bin/env python3
"""A SimPy model of bench/cloud-six.toml, for a speed comparison with collagesim.

The paper's cloud setting as collagesim simulates it (bench/cloud-six.toml):
  - Poisson arrivals of groups of 9 requests at 27 requests/s (one group every 333 ms on average);
  - every service time (S-CNN, Collage-CNN, parity model) drawn i.i.d. (uniformly) from the
    137,594 samples of the Collage Inference authors' cloud trace;
  - servers serve one task at a time from their own FIFO queue, tasks sent round-robin;
  - six strategies, each run on its own:
      none              one task per request on 9 S-CNN servers;
      replicate-2x      two copies per request on two distinct servers of 18 (round-robin), the
                        first answer wins, a losing copy still queued is dropped (running ones finish);
      hedge-spare       one task on the 9 servers; 215 ms later, if unanswered, a copy to one spare
                        server; the first answer wins, the other copy is dropped if still queued;
      collage-first     one task per request on the 9 servers, and per group of 9 requests (closed
                        when full or 50 ms after it opened) one collage task on one Collage-CNN
                        server; a request takes whichever comes first, its own answer or the collage;
      collage-deadline  the same tasks; a request waits for its own answer until 215 ms after its
                        arrival, then takes the collage if it came, else whichever comes first;
      parity-9          one task per request on the 9 servers, and per group of 9 one parity task on
                        one parity server; when the parity answer and 8 of the 9 data answers are in,
                        the missing one is reconstructed (decode time 0).
  - the first 1,000 requests are warm-up; latency = answer time - arrival time.

This is collagesim's model (sim/strategy.go, sim/collage.go, sim/parity.go) written as a SimPy user
would: a process per task holding a simpy.Resource, a process per timer. It draws its own random
numbers, so it agrees with collagesim within sampling error, not to the byte (scripts/simpy-ratio.sh
checks the agreement). Needs Debian's python3-simpy3 (or `pip install simpy`).

    python3 bench/simpy/collage_sim.py --samples ../shared/data/cloud-latency-samples-ms.txt --requests 100000
"""

import argparse
import json
import math
import random
import sys
import time
from array import array

import simpy

STRATEGIES = ["none", "replicate-2x", "hedge-spare", "collage-first", "collage-deadline", "parity-9"]

RATE_PER_MS = 27 / 1000.0  # requests per ms
BATCH = 9
GROUP = 9  # collage 3x3 and parity k = 9
MAX_WAIT_MS = 50.0
HEDGE_AFTER_MS = 215.0
DEADLINE_MS = 215.0


def load_samples(path):
    """Latencies in ms, one per line (blank lines and # comments skipped)."""
    out = array("d")
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(float(line))
    if not out:
        raise SystemExit(f"collage_sim.py: {path}: no samples")
    return out


class Request:
    __slots__ = ("id", "arrival", "answered", "late", "cell_in")

    def __init__(self, rid, arrival):
        self.id = rid
        self.arrival = arrival
        self.answered = False
        self.late = False  # collage-deadline: the deadline passed
        self.cell_in = False  # collage-deadline: the collage came before the deadline


class Group:
    __slots__ = ("cells", "open", "parity_in", "data_in")

    def __init__(self):
        self.cells = []
        self.open = True
        self.parity_in = False
        self.data_in = []


class Pool:
    """Servers with one slot and a FIFO queue each, chosen round-robin."""

    def __init__(self, env, n):
        self.servers = [simpy.Resource(env, capacity=1) for _ in range(n)]
        self.rr = 0

    def next(self):
        s = self.servers[self.rr % len(self.servers)]
        self.rr += 1
        return s


class Model:
    def __init__(self, strategy, samples, requests, warmup, seed):
        self.strategy = strategy
        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.samples = samples
        self.total = requests + warmup
        self.warmup = warmup
        self.lat = array("d")
        self.tasks = 0
        env = self.env
        if strategy == "replicate-2x":
            self.scnn = Pool(env, 18)
        else:
            self.scnn = Pool(env, 9)
        self.spare = Pool(env, 1)
        self.side = Pool(env, 1)  # the collage or parity server
        self.group = None

    # ---- tasks --------------------------------------------------------------
    def service(self):
        return self.samples[int(self.rng.random() * len(self.samples))]

    def task(self, server, done, skip=None):
        """One task on server: wait for it, serve, report the answer (skip:
        dropped without service if the request is answered when it reaches
        the head of the queue)."""
        with server.request() as req:
            yield req
            if skip is not None and skip.answered:
                return
            self.tasks += 1
            yield self.env.timeout(self.service())
        done()

    def submit(self, server, done, skip=None):
        self.env.process(self.task(server, done, skip))

    def answer(self, r):
        if r.answered:
            return False
        r.answered = True
        if r.id >= self.warmup:
            self.lat.append(self.env.now - r.arrival)
        return True

    # ---- arrivals -----------------------------------------------------------
    def arrivals(self):
        env = self.env
        issued = 0
        while issued < self.total:
            yield env.timeout(self.rng.expovariate(RATE_PER_MS / BATCH))
            for _ in range(BATCH):
                if issued >= self.total:
                    break
                self.arrive(Request(issued, env.now))
                issued += 1

    def arrive(self, r):
        s = self.strategy
        if s == "none":
            self.submit(self.scnn.next(), lambda: self.answer(r))
        elif s == "replicate-2x":
            a, b = self.scnn.next(), self.scnn.next()  # distinct: round-robin over 18
            self.submit(a, lambda: self.answer(r), r)
            self.submit(b, lambda: self.answer(r), r)
        elif s == "hedge-spare":
            self.submit(self.scnn.next(), lambda: self.answer(r), r)
            self.env.process(self.hedge(r))
        elif s in ("collage-first", "collage-deadline"):
            self.submit(self.scnn.next(), lambda: self.answer(r))
            if s == "collage-deadline":
                self.env.process(self.deadline(r))
            self.add(r)
        elif s == "parity-9":
            g, cell = self.add(r, close=False)
            self.submit(self.scnn.next(), lambda: self.parity_data(r, g, cell))
            if len(g.cells) == GROUP:
                self.close(g)

    # ---- hedge ----------------------------------------------------------------
    def hedge(self, r):
        yield self.env.timeout(HEDGE_AFTER_MS)
        if not r.answered:
            self.submit(self.spare.next(), lambda: self.answer(r), r)

    # ---- groups (collage, parity) ---------------------------------------------
    def add(self, r, close=True):
        g = self.group
        if g is None:
            g = self.group = Group()
            self.env.process(self.max_wait(g))
        g.cells.append(r)
        g.data_in.append(False)
        cell = len(g.cells) - 1
        if len(g.cells) == GROUP:
            g.open = False
            self.group = None
            if close:
                self.close(g)
        return g, cell

    def max_wait(self, g):
        yield self.env.timeout(MAX_WAIT_MS)
        if g.open:
            g.open = False
            if self.group is g:
                self.group = None
            self.close(g)

    def close(self, g):
        g.open = False
        if self.strategy == "parity-9":
            self.submit(self.side.next(), lambda: self.parity_in(g))
        else:
            self.submit(self.side.next(), lambda: self.collage_in(g))

    # ---- collage decoders -------------------------------------------------------
    def collage_in(self, g):
        deadline = self.strategy == "collage-deadline"
        for r in g.cells:
            if r.answered:
                continue
            if deadline and not r.late:
                r.cell_in = True  # before the deadline the S-CNN may still answer
                continue
            self.answer(r)

    def deadline(self, r):
        yield self.env.timeout(DEADLINE_MS)
        if r.answered:
            return
        if r.cell_in:
            self.answer(r)
            return
        r.late = True

    # ---- parity -------------------------------------------------------------------
    def parity_data(self, r, g, cell):
        self.answer(r)
        g.data_in[cell] = True
        self.settle(g)

    def parity_in(self, g):
        g.parity_in = True
        self.settle(g)

    def settle(self, g):
        if g.open or not g.parity_in:
            return
        missing = [c for c, ok in enumerate(g.data_in) if not ok]
        if len(missing) == 1:
            c = missing[0]
            self.answer(g.cells[c])  # reconstructed (a no-op if it was answered)
            g.data_in[c] = True  # no second reconstruction

    def run(self):
        self.env.process(self.arrivals())
        self.env.run()
        return self


def quantile(sorted_vals, q):
    """The smallest value with at least q of the values at or under it."""
    if not sorted_vals:
        return math.nan
    k = max(0, math.ceil(q * len(sorted_vals)) - 1)
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", required=True, help="the cloud trace's samples, ms, one per line")
    ap.add_argument("--requests", type=int, default=100_000, help="counted requests per strategy")
    ap.add_argument("--warmup", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated, of: " + " ".join(STRATEGIES))
    args = ap.parse_args()
    try:
        samples = load_samples(args.samples)
    except OSError as e:
        print(f"collage_sim.py: cannot read the samples: {e}", file=sys.stderr)
        return 1
    names = [s for s in args.strategies.split(",") if s]
    for s in names:
        if s not in STRATEGIES:
            print(f"collage_sim.py: --strategies: unknown strategy {s!r}; known: {' '.join(STRATEGIES)}", file=sys.stderr)
            return 2
    t_all = time.perf_counter()
    for i, s in enumerate(names):
        t0 = time.perf_counter()
        m = Model(s, samples, args.requests, args.warmup, args.seed * 1000 + i).run()
        wall = time.perf_counter() - t0
        lat = sorted(m.lat)
        n = len(lat)
        mean = math.fsum(lat) / n if n else math.nan
        print(json.dumps({
            "strategy": s, "requests": args.requests, "answered": n,
            "mean_ms": round(mean, 3), "p50_ms": round(quantile(lat, 0.50), 3),
            "p99_ms": round(quantile(lat, 0.99), 3), "p999_ms": round(quantile(lat, 0.999), 3),
            "tasks_per_request": round(m.tasks / (args.requests + args.warmup), 4),
            "wall_s": round(wall, 3),
        }), flush=True)
        if n != args.requests:
            print(f"collage_sim.py: {s}: {n} of {args.requests} requests answered", file=sys.stderr)
            return 1
    print(json.dumps({"total_wall_s": round(time.perf_counter() - t_all, 3)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

package sim

import (
	"fmt"
	"math"
	"testing"
)

// The random numbers are part of the results: the same scenario and seed
// give the same bytes on every machine and in every release. These values
// pin the streams, the keyed draws and the replication seeds, so that a
// change to any of them (a hash, a mixing constant, a key layout, Go's PCG)
// fails here, loudly, before it silently changes every published figure.
// If such a change is intended, it changes results: say so in the commit and
// update the values below.
func TestRandomNumbersPinned(t *testing.T) {
	check := func(what string, got, want uint64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %#x, pinned %#x: the random numbers changed, and with them every result", what, got, want)
		}
	}
	check(`StreamID("arrivals")`, StreamID("arrivals"), 0xb10bc22ca203cc53)
	r := NewStream(1, "arrivals")
	for i, want := range []uint64{0x922c914607409632, 0xe4b883d054e9400, 0x5c6099c6c4b9cc4d} {
		check("NewStream(1, \"arrivals\") draw "+string(rune('0'+i)), r.Uint64(), want)
	}
	check("keyOf(1, service, request 42 copy 0)", reqKey(42, 0).key(1, sidService, 0), 0x597a290d44166abe)
	k := newKeyed()
	check("keyed draw at key 7", k.at(7).Uint64(), 0x85aad53b6ab28ab2)
	check("keyed draw at key 7, again", k.at(7).Uint64(), 0x85aad53b6ab28ab2)
	check("RepSeed(1, 0)", RepSeed(1, 0), 0x504eb2472edc1a43)
	check("RepSeed(1, 1)", RepSeed(1, 1), 0xef421011729a694d)
	if u := unit(keyOf(1, sidCorrect, 42, 0)); u != 0.8539039852395106 {
		t.Errorf("unit draw = %v, pinned 0.8539039852395106: the random numbers changed, and with them every result", u)
	}
}

// A keyed draw is a pure function of its key: drawing others in between
// does not change it (what makes random numbers common across strategies).
func TestKeyedDrawPure(t *testing.T) {
	k := newKeyed()
	a := k.at(reqKey(9, 1).key(5, sidService, 0)).Float64()
	for i := range 100 {
		k.at(uint64(i)).Float64()
	}
	if b := k.at(reqKey(9, 1).key(5, sidService, 0)).Float64(); a != b {
		t.Errorf("keyed draw changed after other draws: %v then %v", a, b)
	}
}

// No two tasks share a draw key: request copies (any number of them, the
// bug this guards against packed the copy number into 3 bits) and groups.
func TestDrawKeysDistinct(t *testing.T) {
	seen := map[uint64]string{}
	add := func(k drawKey, what string) {
		for n := uint64(0); n < drawsPerKey; n++ {
			key := k.key(1, sidService, n)
			if prev, ok := seen[key]; ok {
				t.Fatalf("%s draw %d has the key of %s", what, n, prev)
			}
			seen[key] = what
		}
	}
	for id := int64(0); id < 300; id++ {
		for c := 0; c < 40; c++ {
			add(reqKey(id, c), fmt.Sprintf("request %d copy %d", id, c))
		}
		add(groupKey(id, saltCollage), fmt.Sprintf("collage group %d", id))
		add(groupKey(id, saltParity), fmt.Sprintf("parity group %d", id))
	}
	add(reqKey(1<<60-1, 1<<20), "the largest request id")
}

// TestPCGMatchesRand checks that the by-value PCG and sampleKeyed draw
// exactly what *rand.Rand seeded by keyed.at draws, and that keyIn finishes
// keyOf's key.
func TestPCGMatchesRand(t *testing.T) {
	k := newKeyed()
	dists := []Dist{
		{}, Const(3), {Kind: DistUniform, A: 2, B: 7},
		{Kind: DistQuantiles, Values: []float64{1, 2, 4, 8}},
		Exponential(4), {Kind: DistLogNormal, A: 2, B: 0.5},
	}
	samples := []Dist{
		{Kind: DistSamples, Values: []float64{5, 1, 9, 3, 7, 2, 8}},
		{Kind: DistSamples, Values: []float64{5, 1, 9, 3}}, // power of two
	}
	for i := uint64(0); i < 2000; i++ {
		key := mix(i*7919 + 1)
		for _, n := range []uint64{1, 2, 9, 1000, 137594, 1<<40 + 3} {
			p := pcgAt(key)
			r := k.at(key)
			for j := 0; j < 3; j++ {
				if a, b := p.Uint64N(n), r.Uint64N(n); a != b {
					t.Fatalf("key %#x: Uint64N(%d) draw %d: %d, rand gives %d", key, n, j, a, b)
				}
			}
			if a, b := p.Float64(), r.Float64(); a != b {
				t.Fatalf("key %#x: Float64 %v, rand gives %v", key, a, b)
			}
		}
		for di := range dists {
			d := &dists[di]
			if a, b := d.sampleKeyed(key, k), d.Sample(k.at(key)); a != b {
				t.Fatalf("key %#x: %v: sampleKeyed %v, Sample %v", key, d, a, b)
			}
		}
		// A sample list is indexed by the key itself (keyIndex), not by a
		// generator seeded with it.
		for di := range samples {
			d := &samples[di]
			if a, b := d.sampleKeyed(key, k), d.Values[keyIndex(key, uint64(len(d.Values)))]; a != b {
				t.Fatalf("key %#x: %v: sampleKeyed %v, keyIndex gives %v", key, d, a, b)
			}
		}
		seed, stream, a, b := mix(i), StreamID("service")+i, i*3, i%5
		if x, y := keyIn(streamPrefix(seed, stream), a, b), keyOf(seed, stream, a, b); x != y {
			t.Fatalf("keyIn %#x, keyOf %#x", x, y)
		}
	}
}

// keyIndex is uniform on [0, n): counts over 9 and 137,594 values of n
// keys, and the redraw branch (n just over 2^63 rejects almost half the
// keys) stays in range and uniform over its two halves.
func TestKeyIndex(t *testing.T) {
	const keys = 900_000
	counts := make([]int, 9)
	for i := uint64(0); i < keys; i++ {
		counts[keyIndex(mix(i), 9)]++
	}
	for v, c := range counts {
		if math.Abs(float64(c)-keys/9) > 5*math.Sqrt(keys/9) {
			t.Errorf("value %d drawn %d times of %d, want about %d (go test ./sim -run TestKeyIndex)", v, c, keys, keys/9)
		}
	}
	n := uint64(1)<<63 + 12345
	low := 0
	for i := uint64(0); i < 100_000; i++ {
		v := keyIndex(mix(i+7), n)
		if v >= n {
			t.Fatalf("keyIndex(%d) = %d", n, v)
		}
		if v < n/2 {
			low++
		}
	}
	if math.Abs(float64(low)-50_000) > 5*math.Sqrt(25_000) {
		t.Errorf("%d of 100000 in the lower half of [0, %d)", low, n)
	}
}

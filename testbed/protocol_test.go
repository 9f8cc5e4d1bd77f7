package testbed

import (
	"encoding/json"
	"slices"
	"testing"
)

// A request survives the binary tensor data extension and plain JSON alike.
func TestRequestRoundTrip(t *testing.T) {
	data := []float32{0, 0.25, 1, -3.5, 1e-7}
	req := InferRequest{ID: "7", Parameters: &TaskParams{Seed: "18446744073709551615", Key: "9223372036854775813"},
		Inputs: []Tensor{{Name: "input", Shape: []int64{1, 5}, Datatype: "FP32", Data: data}}}
	body, n, err := encodeBinary(&req)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != n+4*len(data) {
		t.Fatalf("body %d bytes, want header %d + %d", len(body), n, 4*len(data))
	}
	got, err := decodeRequest(body, n)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(req)
	viaJSON, err := decodeRequest(plain, -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*InferRequest{got, viaJSON} {
		if r.ID != "7" || r.Parameters.Seed != req.Parameters.Seed || r.Parameters.Key != req.Parameters.Key ||
			!slices.Equal(r.Inputs[0].Data, data) || !slices.Equal(r.Inputs[0].Shape, req.Inputs[0].Shape) {
			t.Fatalf("round trip: got %+v, want %+v", r, req)
		}
	}
	if _, err := decodeRequest(body[:n+3], n); err == nil {
		t.Error("a truncated binary body decoded without error")
	}
}

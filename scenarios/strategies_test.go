package scenarios

import (
	"testing"

	"github.com/collagesim/collagesim/sim"
)

// Every kind of sim's table has a decoder entry, and every entry a kind.
func TestStrategyDecodersMatchKinds(t *testing.T) {
	for _, k := range sim.StrategyKinds {
		if strategyDecoders[k.Name] == nil {
			t.Errorf("sim strategy kind %q has no entry in strategyDecoders", k.Name)
		}
	}
	for name := range strategyDecoders {
		if sim.LookupStrategyKind(name) == nil {
			t.Errorf("strategyDecoders has %q, which sim.StrategyKinds lacks", name)
		}
	}
}

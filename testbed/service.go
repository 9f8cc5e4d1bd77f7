package testbed

import (
	"fmt"

	"github.com/collagesim/collagesim/sim"
)

// A worker draws its tasks' service times with sim.ServiceDrawer, the
// simulator's own draws: a task takes the same drawn time on the testbed as
// in the simulator (common random numbers across the two), and
// TestServiceMatchesSimulator checks it.

// checkStragglers rejects the straggler models the testbed cannot run.
func checkStragglers(list []sim.StragglerSpec) error {
	for i, sp := range list {
		if sp.Kind == sim.StragglerFailure {
			return fmt.Errorf("testbed: stragglers[%d]: kind %q is not supported on the testbed (a worker process would have to die and come back); drop it, or use the simulator", i, sp.Kind)
		}
	}
	return nil
}

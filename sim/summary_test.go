package sim

import "testing"

// A proportion's confidence interval stays within [0, 1]: accuracies of
// 0.97, 1 and 1 over three replications give a Student-t interval reaching
// past 1, which is clipped there.
func TestShareIntervalClippedAtOne(t *testing.T) {
	reps := []Metrics{{Accuracy: 0.97}, {Accuracy: 1}, {Accuracy: 1}}
	for i := range reps {
		reps[i].Sources = map[string]int64{}
	}
	st := summarise(reps).Accuracy
	if float64(st.High) > 1 || float64(st.Low) > float64(st.Mean) || !(float64(st.High) >= float64(st.Mean)) {
		t.Errorf("accuracy %v [%v, %v]: want an interval within [0, 1] around the mean", st.Mean, st.Low, st.High)
	}
}

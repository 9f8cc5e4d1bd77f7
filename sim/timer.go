package sim

// TimerKind says what a strategy timer is for. A strategy sees only the
// timers it set, so a kind needs to be unique only among the timers of one
// strategy; they are listed here together so that none is reused by mistake.
type TimerKind uint8

// Timer kinds.
const (
	timerHedge       TimerKind = iota // hedge: send the request's second copy
	timerDeadline                     // collage deadline decoder: the request's deadline passed
	timerReconstruct                  // parity: decoding of the request's missing answer done
	timerGroupClose                   // a group's max-wait elapsed
	timerGroupSend                    // a group's encoding is done: send its task
)

// Timer is a strategy timer as it fires: its kind and what it is about,
// either a request (set with Run.AfterReq) or a group (Run.AfterGroup).
type Timer struct {
	Kind  TimerKind
	Req   Req      // a request timer's request
	Group GroupRef // a group timer's group
}

// GroupRef names a collage or parity group of a strategy: its slot in the
// strategy's group table and the generation of that slot, so that a timer or
// a task of a group already released is recognised as stale.
type GroupRef struct {
	Index int32
	Gen   uint32
}

// noGroup is the Group of a task that serves one request.
var noGroup = GroupRef{Index: -1}

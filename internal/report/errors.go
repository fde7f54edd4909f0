package report

import "errors"

// ErrWrite wraps the first failed write to a reporter's writers; Finish
// returns it.
var ErrWrite = errors.New("report: write")

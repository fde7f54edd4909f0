package play

import (
	"context"
	"sync"
	"time"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
)

// gatherFacts runs the "Gathering Facts" task: one job per host.
func (e *Engine) gatherFacts(ctx context.Context, pc *playCtx, only map[string]bool) {
	t := &playbook.Task{Name: "Gathering Facts", Module: "shell"}
	rt := report.Task{Name: t.Name, Action: "gather_facts", ID: e.newID("task"), Start: time.Now(), Path: posPath(pc.play.Pos)}
	e.report(func(r report.Reporter) { r.TaskStart(rt) })
	var wg sync.WaitGroup
	for _, h := range e.activeHosts(pc, only) {
		select {
		case e.forks <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-e.forks }()
			vars := e.varsFor(pc, t, h, nil)
			r := &hostRun{e: e, pc: pc, t: t, host: h}
			res := action.Setup(ctx, r.call(vars, map[string]any{}, "setup"), r).Result
			hr := report.HostResult{Host: h, Status: statusOf(res), Result: res}
			e.finishHost(rt, pc, t, h, hr)
		}()
	}
	wg.Wait()
}

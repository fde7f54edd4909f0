package report_test

import (
	"fmt"
	"os"

	"github.com/jetplay/jetplay/internal/report"
)

func ExampleNewText() {
	r := report.NewText(report.TextConfig{Out: os.Stdout})
	stats := report.Stats{}
	r.PlayStart(report.Play{Name: "web", ID: "p1"})
	task := report.Task{Name: "restart", Action: "command", ID: "t1"}
	r.TaskStart(task)
	r.AsyncPoll("h1", "j1.2")
	r.AsyncOK("h1", "j1.2")
	res := report.HostResult{Host: "h1", Status: report.Changed, Result: map[string]any{"changed": true, "rc": 0}}
	stats.Add(res)
	r.HostResult(task, res)
	r.PlayEnd()
	_ = r.Finish(stats)
	// Output:
	//
	// PLAY [web] *********************************************************************
	//
	// TASK [restart] *****************************************************************
	// ASYNC POLL on h1: jid=j1.2 started=1 finished=0
	// ASYNC OK on h1: jid=j1.2
	// changed: [h1]
	//
	// PLAY RECAP *********************************************************************
	// h1                         : ok=1    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
}

func ExampleExitCode() {
	stats := report.Stats{}
	stats.Add(report.HostResult{Host: "h1", Status: report.Failed, Ignored: true, Result: map[string]any{"changed": true}})
	fmt.Println(report.ExitCode(stats), *stats["h1"])
	stats.Add(report.HostResult{Host: "h2", Status: report.Failed})
	fmt.Println(report.ExitCode(stats))
	stats.Add(report.HostResult{Host: "h3", Status: report.Unreachable})
	fmt.Println(report.ExitCode(stats))
	// Output:
	// 0 {1 1 0 0 0 0 1}
	// 2
	// 4
}

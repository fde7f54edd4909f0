package action

import (
	"context"
	"fmt"
	"time"

	"github.com/jetplay/jetplay/internal/render"
)

// waitForConnection is Ansible's wait_for_connection action: after delay,
// ping jobs (each bounded by connect_timeout plus 10 s) every sleep seconds
// until one succeeds or timeout passes. The executor's connection pool
// drops a dead connection and dials again for each attempt. Check mode
// skips it.
func waitForConnection(ctx context.Context, c *Call, e Engine) Outcome {
	if c.Check {
		return Outcome{Result: map[string]any{"changed": false, "skipped": true}}
	}
	get := func(k string, def float64) time.Duration {
		if v, ok := c.Args[k]; ok {
			if f, err := Float(c.Render, v, c.Vars); err == nil {
				return time.Duration(f * float64(time.Second))
			}
		}
		return time.Duration(def * float64(time.Second))
	}
	timeout, delay, sleep := get("timeout", 600), get("delay", 0), get("sleep", 1)
	connectTimeout := get("connect_timeout", 5)
	start := time.Now()
	if !Sleep(ctx, delay) {
		return Failed(ctx.Err().Error())
	}
	deadline := start.Add(timeout)
	var last string
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, max(connectTimeout, time.Second)+10*time.Second)
		o := e.Run(actx, c, Job{Module: "ping", Args: map[string]any{}, Exec: fmt.Sprintf("w%d", n)})
		cancel()
		if !render.Truthy(o.Result["failed"]) && !render.Truthy(o.Result["unreachable"]) {
			return Outcome{Result: map[string]any{"changed": false, "elapsed": int(time.Since(start).Seconds())}}
		}
		last = fmt.Sprint(o.Result["msg"])
		if time.Now().Add(sleep).After(deadline) || !Sleep(ctx, sleep) {
			break
		}
	}
	return Outcome{Result: map[string]any{"failed": true, "changed": false, "elapsed": int(time.Since(start).Seconds()),
		"msg": fmt.Sprintf("timed out waiting for ping module test: %s", last)}}
}

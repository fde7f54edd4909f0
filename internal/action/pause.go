package action

import (
	"context"
	"fmt"
	"time"
)

// pause is Ansible's pause action without a prompt: it waits seconds (or
// minutes), an explicit wait the playbook asks for, and answers as
// Ansible's does. A context that ends first fails it.
func pause(ctx context.Context, c *Call, _ Engine) Outcome {
	var d time.Duration
	num := func(v any) float64 {
		var f float64
		_, _ = fmt.Sscan(fmt.Sprint(v), &f)
		return f
	}
	if s, ok := c.Args["seconds"]; ok {
		d = time.Duration(num(s) * float64(time.Second))
	} else if m, ok := c.Args["minutes"]; ok {
		d = time.Duration(num(m) * float64(time.Minute))
	}
	start := time.Now()
	if !Sleep(ctx, d) {
		return Failed(ctx.Err().Error())
	}
	stop := time.Now()
	return Outcome{Result: map[string]any{
		"changed": false, "rc": 0, "stderr": "", "user_input": "", "echo": true,
		"start": start.Format("2006-01-02 15:04:05.000000"), "stop": stop.Format("2006-01-02 15:04:05.000000"),
		"delta": int(stop.Sub(start).Seconds()), "stdout": fmt.Sprintf("Paused for %.2g seconds", d.Seconds()),
	}}
}

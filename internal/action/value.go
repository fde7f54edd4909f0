package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/render"
)

// Float is a keyword's or argument's value as a number, as Ansible converts
// one: a string is rendered with vars first, then parsed; nil is 0 and a
// bool 0 or 1. Anything else is an error.
func Float(r *render.Engine, v any, vars map[string]any) (float64, error) {
	if s, ok := v.(string); ok {
		out, err := r.Template(s, vars)
		if err != nil {
			return 0, err
		}
		v = out
	}
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", x)
		}
		return f, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

// Int is Float truncated to an int.
func Int(r *render.Engine, v any, vars map[string]any) (int, error) {
	f, err := Float(r, v, vars)
	return int(f), err
}

// Bool is a keyword's or argument's value as a boolean: a string is
// rendered with vars first (not when vars is nil) and then true for yes,
// true, on, 1, y and t in any case; nil is false; other values have
// Python's truth value.
func Bool(r *render.Engine, v any, vars map[string]any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		if vars != nil {
			out, err := r.Template(x, vars)
			if err != nil {
				return false, err
			}
			if b, ok := out.(bool); ok {
				return b, nil
			}
			x = fmt.Sprint(out)
		}
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "yes", "true", "on", "1", "y", "t":
			return true, nil
		}
		return false, nil
	}
	return render.Truthy(v), nil
}

// Sleep waits d or until ctx ends, and reports whether ctx is still alive.
// A d of 0 or less returns at once.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

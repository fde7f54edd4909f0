package play

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/jetplay/jetplay/internal/playbook"
)

// orderHosts applies the play's order keyword.
func orderHosts(hosts []string, order string) ([]string, error) {
	out := slices.Clone(hosts)
	switch order {
	case "", "inventory":
	case "reverse_inventory":
		slices.Reverse(out)
	case "sorted":
		slices.Sort(out)
	case "reverse_sorted":
		slices.Sort(out)
		slices.Reverse(out)
	case "shuffle":
		rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] }) //nolint:gosec // Ansible's shuffle host order, not a secret
	default:
		return nil, fmt.Errorf("order %q is not one of inventory, reverse_inventory, sorted, reverse_sorted, shuffle", order)
	}
	return out, nil
}

// batches splits hosts by serial (a number, a percentage, or a list of them
// whose last value repeats), as Ansible's _get_serialized_batches.
func (e *Engine) batches(hosts []string, serial any, vars map[string]any) ([][]string, error) {
	if serial == nil {
		return [][]string{hosts}, nil
	}
	var sizes []any
	switch s := serial.(type) {
	case []any:
		sizes = s
	default:
		sizes = []any{s}
	}
	if len(sizes) == 0 {
		return [][]string{hosts}, nil
	}
	var out [][]string
	rest := hosts
	for i := 0; len(rest) > 0; i++ {
		spec := sizes[min(i, len(sizes)-1)]
		n, err := e.batchSize(spec, len(hosts), vars)
		if err != nil {
			return nil, err
		}
		if n <= 0 || n > len(rest) {
			n = len(rest)
		}
		out = append(out, rest[:n])
		rest = rest[n:]
	}
	return out, nil
}

// batchSize is one serial value for a play of total hosts: "30%" is rounded
// down (at least 1), as Ansible's pct_to_int.
func (e *Engine) batchSize(spec any, total int, vars map[string]any) (int, error) {
	if s, ok := spec.(string); ok {
		r, err := e.cfg.Render.Template(s, vars)
		if err != nil {
			return 0, fmt.Errorf("serial: %w", err)
		}
		spec = r
	}
	if s, ok := spec.(string); ok {
		s = strings.TrimSpace(s)
		if pct, ok := strings.CutSuffix(s, "%"); ok {
			f, err := strconv.ParseFloat(pct, 64)
			if err != nil {
				return 0, fmt.Errorf("serial: %q is not a percentage", s)
			}
			return max(int(math.Floor(float64(total)*f/100)), 1), nil
		}
	}
	n, err := e.intOf(spec, nil)
	if err != nil {
		return 0, fmt.Errorf("serial: %w", err)
	}
	return n, nil
}

// checkAbort ends the play for everyone when any_errors_fatal or
// max_fail_percentage says so, after a task: failed counts the batch's
// hosts that failed or became unreachable since the batch started.
func (e *Engine) checkAbort(pc *playCtx, t *playbook.Task, failedNow bool) {
	fatal := pc.play.AnyErrorsFatal
	if t != nil && t.AnyErrorsFatal != nil {
		fatal, _ = e.boolish(t.AnyErrorsFatal, nil)
	}
	if fatal && failedNow {
		pc.abort("any_errors_fatal")
		return
	}
	if pc.play.MaxFailPercentage == nil || len(pc.batch) == 0 {
		return
	}
	limit, err := e.floatOf(pc.play.MaxFailPercentage, nil)
	if err != nil {
		return
	}
	failed := 0
	for _, h := range pc.batch {
		if st := e.host(h); st.failed.Load() || st.unreachable.Load() {
			failed++
		}
	}
	if float64(failed)/float64(len(pc.batch))*100 > limit {
		pc.abort("max_fail_percentage")
	}
}

// abort stops the play: no host runs another task.
func (pc *playCtx) abort(why string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.end = true
	pc.aborted = why
}

func (pc *playCtx) ended() bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.end
}

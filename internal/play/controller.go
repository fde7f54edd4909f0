package play

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/action"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/playbook"
	"github.com/jetplay/jetplay/internal/report"
	"github.com/jetplay/jetplay/internal/watcher"
)

// controller runs an action that Ansible runs on the controller.
func (e *Engine) controller(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any, name string, args map[string]any) map[string]any {
	switch name {
	case "async_status":
		return e.asyncStatus(ctx, args)
	case "meta":
		return e.meta(pc, host, args)
	case "wait_for_connection":
		if e.checkMode(pc, t, vars) {
			return map[string]any{"changed": false, "skipped": true}
		}
		return e.waitForConnection(ctx, pc, t, host, vars, args)
	case "template":
		return e.template(ctx, pc, t, host, vars, args)
	case "import_tasks", "include_tasks":
		return failure(name + " cannot be used here")
	}
	return failure(fmt.Sprintf("the %s action is not supported by jetplay", name))
}

// asyncStatus answers for a job from its status record, as Ansible's
// async_status module answers from its job file.
func (e *Engine) asyncStatus(ctx context.Context, args map[string]any) (res map[string]any) {
	jid := fmt.Sprint(args["jid"])
	mode := "status"
	if m, ok := args["mode"]; ok {
		mode = fmt.Sprint(m)
	}
	id := job.ID(jid)
	empty := func(r map[string]any) map[string]any {
		r["stdout"], r["stderr"] = "", ""
		r["stdout_lines"], r["stderr_lines"] = []any{}, []any{}
		return r
	}
	st, found, err := e.statusOfJob(ctx, id)
	if err != nil {
		return failure(err.Error())
	}
	// The async_status module's exit_json adds its own invocation to any
	// answer that lacks one (a finished job's result has the job's).
	defer func() {
		if _, ok := res["invocation"]; !ok && !isActionFail(res) {
			res["invocation"] = asyncStatusInvocation(jid, mode)
		}
	}()
	switch mode {
	case "cleanup":
		if !found {
			return empty(map[string]any{"failed": true, "changed": false, "msg": "could not find job",
				"ansible_job_id": jid, "erased": job.ResultsFile(id), "started": 1, "finished": 1})
		}
		if err := e.cfg.Bus.KV().Delete(ctx, job.StatusKey(id)); err != nil {
			return failure(fmt.Sprintf("cleanup of job %s: %v", jid, err))
		}
		e.awaitDeleted(ctx, id)
		return empty(map[string]any{"changed": false, "failed": false, "ansible_job_id": jid,
			"erased": job.ResultsFile(id), "started": 0, "finished": 0})
	case "status":
	default:
		return failure(fmt.Sprintf("value of mode must be one of: status, cleanup, got: %s", mode))
	}
	if !found {
		return empty(map[string]any{"failed": true, "changed": false, "msg": "could not find job",
			"ansible_job_id": jid, "results_file": job.ResultsFile(id), "started": 1, "finished": 1})
	}
	return job.AsyncStatusResult(st)
}

// cleanupSeenTimeout bounds how long a cleanup waits for the run's watch
// to see the deletion of the status record.
const cleanupSeenTimeout = 10 * time.Second

// awaitDeleted waits until the run's watch has seen the deletion of job id's
// status record, when the watch holds the job: the next async_status reads
// the watch's latest record, which would otherwise still be the finished
// job's for a moment (a status after cleanup found the job on a busy
// machine, where Ansible finds no job). Waiting is bounded; past the bound
// the answer may be stale, as before.
func (e *Engine) awaitDeleted(ctx context.Context, id job.ID) {
	if e.hub == nil {
		return
	}
	if _, ok := e.hub.Latest(id); !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cleanupSeenTimeout)
	defer cancel()
	// The condition never holds: Wait returns watcher.ErrDeleted once the
	// deletion is seen, or ctx's error.
	_, _ = e.hub.Wait(ctx, id, func(watcher.Update) (bool, error) { return false, nil })
}

// asyncStatusInvocation is the invocation of an async_status answer.
func asyncStatusInvocation(jid, mode string) map[string]any {
	return map[string]any{"module_args": map[string]any{"jid": jid, "mode": mode}}
}

// asyncStatusUntil is async_status with until: the condition is checked on
// every status change of the job (a KV watch), so the task passes as soon as
// it holds. retries × delay is the time budget; a RETRYING line is printed
// for each delay that passes without the condition holding, as Ansible
// prints one per poll. attempts is the number of polls Ansible would have
// made by then.
func (e *Engine) asyncStatusUntil(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any) map[string]any {
	argsAny, err := e.cfg.Render.Value(maps.Clone(t.Args), vars)
	if err != nil {
		return failure(fmt.Sprintf("The task includes an option with an undefined variable. The error was: %v", err))
	}
	args, _ := argsAny.(map[string]any)
	if m, ok := args["mode"]; ok && fmt.Sprint(m) != "status" {
		return e.attempt(ctx, pc, t, host, vars)
	}
	id := job.ID(fmt.Sprint(args["jid"]))
	retries, delay := e.retryBudget(t, vars)
	start := time.Now()
	attempts := func() int {
		if delay <= 0 {
			return 1
		}
		// The first check (at start) failed; Ansible would have seen the change
		// at its next poll.
		return min(int(time.Since(start)/delay)+2, retries+1)
	}
	check := func(st job.Status, found bool) (map[string]any, bool, error) {
		var res map[string]any
		if found {
			res = job.AsyncStatusResult(st)
			if _, ok := res["invocation"]; !ok {
				res["invocation"] = asyncStatusInvocation(string(id), "status")
			}
		} else {
			res = e.asyncStatus(ctx, args)
		}
		res = e.applyWhen(t, vars, res)
		ok, err := e.untilHolds(t, vars, res)
		return res, ok, err
	}

	// A job of another run is not in the run's watch: watch it alone.
	hub := e.hub
	if id.Run() != e.cfg.Run {
		h, err := watcher.NewHub(ctx, watcher.HubConfig{KV: e.cfg.Bus.KV(), Patterns: []string{job.StatusKey(id)}})
		if err == nil {
			defer h.Stop()
			hub = h
		}
	}
	st, found, err := e.statusOfJob(ctx, id)
	if err != nil {
		return failure(err.Error())
	}
	res, ok, err := check(st, found)
	if err != nil {
		return failure(err.Error())
	}
	if ok || !found {
		// A missing job never appears later; Ansible's until sees the same
		// "could not find job" each time and runs out of retries.
		if !ok {
			for n := retries; n >= 1; n-- {
				e.report(func(r report.Reporter) { r.Retry(host, e.taskName(pc, t, host), n) })
			}
			res["failed"], res["attempts"] = true, retries
			return res
		}
		res["attempts"] = 1
		return res
	}
	budget := time.Duration(retries) * delay
	wctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	// RETRYING lines, one per delay, while the watch waits.
	left := retries
	ticker := time.NewTicker(max(delay, time.Millisecond))
	defer ticker.Stop()
	e.report(func(r report.Reporter) { r.Retry(host, e.taskName(pc, t, host), left) })
	left--
	type outcome struct {
		res map[string]any
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var last map[string]any
		_, err := hub.Wait(wctx, id, func(u watcher.Update) (bool, error) {
			r, ok, err := check(u.Status, u.Status.State != "")
			last = r
			return ok, err
		})
		if err == nil {
			done <- outcome{res: last}
			return
		}
		if wctx.Err() != nil && ctx.Err() == nil {
			err = nil // budget used up
		}
		done <- outcome{res: last, err: err}
	}()
	for {
		select {
		case <-ticker.C:
			if left >= 1 {
				n := left
				e.report(func(r report.Reporter) { r.Retry(host, e.taskName(pc, t, host), n) })
				left--
			}
		case o := <-done:
			if o.err != nil {
				return failure(o.err.Error())
			}
			if wctx.Err() != nil && o.res != nil {
				if ok, _ := e.untilHolds(t, vars, o.res); ok {
					o.res["attempts"] = attempts()
					return o.res
				}
			}
			if o.res == nil {
				o.res = res
			}
			if wctx.Err() != nil {
				o.res["failed"], o.res["attempts"] = true, retries
				return o.res
			}
			o.res["attempts"] = attempts()
			return o.res
		}
	}
}

// applyWhen applies changed_when and failed_when to an async_status answer.
func (e *Engine) applyWhen(t *playbook.Task, vars map[string]any, res map[string]any) map[string]any {
	if len(t.ChangedWhen) == 0 && len(t.FailedWhen) == 0 {
		return res
	}
	v := maps.Clone(vars)
	if t.Register != "" {
		v[t.Register] = registered(res)
	}
	if len(t.ChangedWhen) > 0 {
		if ok, err := e.cfg.Render.Cond(anyList(t.ChangedWhen), v); err == nil {
			res["changed"] = ok
		}
	}
	if len(t.FailedWhen) > 0 {
		if ok, err := e.cfg.Render.Cond(anyList(t.FailedWhen), v); err == nil {
			res["failed_when_result"], res["failed"] = ok, ok
		}
	}
	return res
}

func (e *Engine) meta(pc *playCtx, host string, args map[string]any) map[string]any {
	action := strings.TrimSpace(fmt.Sprint(args["_raw_params"]))
	switch action {
	case "noop", "flush_handlers", "reset_connection", "refresh_inventory", "clear_host_errors":
	case "end_play":
		pc.mu.Lock()
		pc.end = true
		pc.mu.Unlock()
	case "end_host":
		e.host(host).ended = true
	case "clear_facts":
		st := e.host(host)
		e.hostsMu.Lock()
		st.facts = map[string]any{}
		e.hostsMu.Unlock()
	default:
		return failure(fmt.Sprintf("invalid meta action requested: %s", action))
	}
	return map[string]any{"changed": false, "skipped": false}
}

// waitForConnection submits ping jobs until one succeeds or timeout passes.
// The executor's connection pool drops a dead connection and dials again for
// each attempt.
func (e *Engine) waitForConnection(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any, args map[string]any) map[string]any {
	get := func(k string, def float64) time.Duration {
		if v, ok := args[k]; ok {
			if f, err := e.floatOf(v, vars); err == nil {
				return time.Duration(f * float64(time.Second))
			}
		}
		return time.Duration(def * float64(time.Second))
	}
	timeout, delay, sleep := get("timeout", 600), get("delay", 0), get("sleep", 1)
	connectTimeout := get("connect_timeout", 5)
	start := time.Now()
	if !action.Sleep(ctx, delay) {
		return failure(ctx.Err().Error())
	}
	deadline := start.Add(timeout)
	var last string
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, max(connectTimeout, time.Second)+10*time.Second)
		res := e.runSync(actx, pc, t, host, withExec(maps.Clone(vars), fmt.Sprintf("w%d", n)), jobSpec{module: "ping", args: map[string]any{}})
		cancel()
		if !truthy(res["failed"]) && !truthy(res["unreachable"]) {
			return map[string]any{"changed": false, "elapsed": int(time.Since(start).Seconds())}
		}
		last = fmt.Sprint(res["msg"])
		if time.Now().Add(sleep).After(deadline) || !action.Sleep(ctx, sleep) {
			break
		}
	}
	return map[string]any{"failed": true, "changed": false, "elapsed": int(time.Since(start).Seconds()),
		"msg": fmt.Sprintf("timed out waiting for ping module test: %s", last)}
}

// template renders a template file on the controller with the task's
// variables and writes it on the host through the copy module.
func (e *Engine) template(ctx context.Context, pc *playCtx, t *playbook.Task, host string, vars map[string]any, args map[string]any) map[string]any {
	src, ok := args["src"]
	if !ok {
		return failure("missing required arguments: src")
	}
	path := findFile(fmt.Sprint(src), "templates", t.Pos.File, pc.book.Dir)
	data, err := os.ReadFile(path)
	if err != nil {
		return failure(fmt.Sprintf("Could not find or access '%s'", src))
	}
	out, err := e.cfg.Render.Native(string(data), vars)
	if err != nil {
		return failure(fmt.Sprintf("AnsibleError: template error while templating string: %v", err))
	}
	copyArgs := map[string]any{}
	for k, v := range args {
		if k != "src" && k != "variable_start_string" && k != "variable_end_string" && k != "trim_blocks" && k != "lstrip_blocks" {
			copyArgs[k] = v
		}
	}
	copyArgs["content"] = fmt.Sprint(out)
	return e.runSync(ctx, pc, t, host, vars, jobSpec{module: "copy", args: copyArgs, noLog: e.noLog(pc, t, vars),
		check: e.checkMode(pc, t, vars), diff: e.diffMode(pc, t, vars)})
}

// copySource reads the controller-side src of a copy task into args, as
// the module expects it: its bytes base64 in _content_b64 and its name in
// _original_basename, or a directory's files (copyDirSource). A relative
// src is looked up in files/ beside the task's file and the playbook, as
// Ansible's. Nothing is done for content
// or remote_src. A non-nil result is the task's failure.
func (e *Engine) copySource(pc *playCtx, t *playbook.Task, args map[string]any) map[string]any {
	src, ok := args["src"]
	if !ok || src == nil || args["content"] != nil {
		return nil
	}
	if remote, _ := e.boolish(args["remote_src"], nil); remote {
		return nil
	}
	name := fmt.Sprint(src)
	path := findFile(name, "files", t.Pos.File, pc.book.Dir)
	notFound := func() map[string]any {
		// Ansible's message lists where it looked.
		var searched []string
		for _, d := range []string{filepath.Dir(t.Pos.File), pc.book.Dir} {
			if d == "" || filepath.IsAbs(name) {
				continue
			}
			abs, _ := filepath.Abs(d)
			searched = append(searched, filepath.Join(abs, "files", name), filepath.Join(abs, name))
		}
		msg := fmt.Sprintf("Could not find or access '%s'", name)
		if len(searched) > 0 {
			msg += "\nSearched in:\n\t" + strings.Join(searched, "\n\t")
		}
		return failure(msg + " on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return notFound()
	}
	if fi.IsDir() {
		return copyDirSource(name, path, args)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return notFound()
	}
	args["_content_b64"] = base64.StdEncoding.EncodeToString(data)
	if _, ok := args["_original_basename"]; !ok {
		args["_original_basename"] = filepath.Base(name)
	}
	return nil
}

// copyDirSource reads a controller-side directory src into args for a
// recursive copy, as Ansible's copy action walks it (local_follow: links
// to files and directories are followed): the files' relative paths and
// bytes in _dir_files, the sub directories in _dir_dirs and the absolute
// src in _src_path. As rsync, "dir" copies the directory itself (paths
// start with its name) and "dir/" its contents. A link that leads nowhere
// or back up the tree is refused.
func copyDirSource(name, dir string, args map[string]any) map[string]any {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return failure(err.Error())
	}
	base := ""
	if !strings.HasSuffix(name, "/") {
		base = filepath.Base(abs)
	}
	var files, dirs []any
	var walk func(real, rel string, parents []string) error
	walk = func(real, rel string, parents []string) error {
		ents, err := os.ReadDir(real)
		if err != nil {
			return err
		}
		for _, ent := range ents {
			p, r := filepath.Join(real, ent.Name()), path.Join(rel, ent.Name())
			fi, err := os.Stat(p)
			if err != nil {
				return fmt.Errorf("jetplay does not implement copying the dangling link %s", p)
			}
			if !fi.IsDir() {
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				files = append(files, map[string]any{"path": r, "b64": base64.StdEncoding.EncodeToString(data)})
				continue
			}
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return err
			}
			if slices.Contains(parents, target) {
				return fmt.Errorf("jetplay does not implement copying the link %s to a directory above it", p)
			}
			dirs = append(dirs, r)
			if err := walk(target, r, append(parents, target)); err != nil {
				return err
			}
		}
		return nil
	}
	top, err := filepath.EvalSymlinks(abs)
	if err == nil {
		err = walk(top, base, []string{top})
	}
	if err != nil {
		return failure(err.Error())
	}
	if files == nil {
		files = []any{}
	}
	if dirs == nil {
		dirs = []any{}
	}
	src := abs
	if base == "" {
		src += "/"
	}
	args["_dir_files"], args["_dir_dirs"], args["_src_path"] = files, dirs, src
	return nil
}

// findFile resolves a relative file name as Ansible's lookups do: beside
// the task's file and in its sub directory (vars/, templates/), then in the
// playbook's directory and its sub directory.
func findFile(name, sub, taskFile, bookDir string) string {
	if filepath.IsAbs(name) {
		return name
	}
	var dirs []string
	if taskFile != "" {
		d := filepath.Dir(taskFile)
		dirs = append(dirs, filepath.Join(d, sub), d, filepath.Join(d, "..", sub))
	}
	dirs = append(dirs, filepath.Join(bookDir, sub), bookDir)
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(bookDir, name)
}

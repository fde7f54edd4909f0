package report

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// JSONConfig configures NewJSON.
type JSONConfig struct {
	// Out receives the JSON document when Finish is called. Default:
	// io.Discard.
	Out io.Writer
	// Err receives "[WARNING]:" lines, which Ansible prints to stderr with
	// any stdout callback. Default: io.Discard.
	Err io.Writer
}

type jsonTask struct {
	task  Task
	start time.Time
	end   time.Time // zero until a host result arrives
	hosts map[string]any
}

type jsonPlay struct {
	play  Play
	start time.Time
	end   time.Time
	tasks []*jsonTask
}

type jsonReporter struct {
	mu    sync.Mutex
	cfg   JSONConfig
	warn  *textReporter // prints warnings to Err
	plays []*jsonPlay
}

// NewJSON returns a Reporter that writes one document like ansible-playbook's
// json stdout callback (ansible.posix.json, json_indent 4) when Finish is
// called. Each task's "hosts" holds each host's cleaned result plus
// "action", "failed": true for failures and "skipped": true for skips.
// Items, async and retry events leave no trace, as in Ansible.
func NewJSON(cfg JSONConfig) Reporter {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = io.Discard
	}
	return &jsonReporter{cfg: cfg, warn: NewText(TextConfig{Out: io.Discard, Err: cfg.Err}).(*textReporter)}
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

func (j *jsonReporter) PlayStart(p Play) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.plays = append(j.plays, &jsonPlay{play: p, start: orNow(p.Start)})
}

func (j *jsonReporter) current() *jsonPlay {
	if len(j.plays) == 0 {
		j.plays = append(j.plays, &jsonPlay{start: time.Now()})
	}
	return j.plays[len(j.plays)-1]
}

func (j *jsonReporter) TaskStart(t Task) {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.current()
	p.tasks = append(p.tasks, &jsonTask{task: t, start: orNow(t.Start), hosts: map[string]any{}})
}

func (j *jsonReporter) HostResult(t Task, hr HostResult) {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.current()
	var jt *jsonTask
	for i := len(p.tasks) - 1; i >= 0; i-- {
		if taskKey(p.tasks[i].task) == taskKey(t) {
			jt = p.tasks[i]
			break
		}
	}
	if jt == nil { // no TaskStart (free strategy): Ansible adds one per host
		jt = &jsonTask{task: t, start: orNow(t.Start), hosts: map[string]any{}}
		p.tasks = append(p.tasks, jt)
	}
	r := cleanCopy(hr.Result, t.Action)
	switch hr.Status {
	case Failed:
		r["failed"] = true
	case Skipped:
		r["skipped"] = true
	case Unreachable:
		if _, ok := r["unreachable"]; !ok {
			r["unreachable"] = true
		}
	}
	r["action"] = t.Action
	jt.hosts[hr.Host] = r
	end := orNow(hr.End)
	jt.end, p.end = end, end
}

func (j *jsonReporter) Item(ItemResult)            {}
func (j *jsonReporter) AsyncPoll(string, string)   {}
func (j *jsonReporter) AsyncOK(string, string)     {}
func (j *jsonReporter) AsyncFailed(string, string) {}
func (j *jsonReporter) Retry(string, string, int)  {}
func (j *jsonReporter) PlayEnd()                   {}

func (j *jsonReporter) Warning(msg string) { j.warn.Warning(msg) }

// Error prints "ERROR! msg" to Err, as the text reporter does.
func (j *jsonReporter) Error(msg string) { j.warn.Error(msg) }

func (j *jsonReporter) NoHostsMatched(pattern string) {
	if pattern != "" {
		j.warn.Warning("Could not match supplied host pattern, ignoring: " + pattern)
	}
}

// isoTime is Python's '%sZ' % datetime.utcnow().isoformat().
func isoTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + "Z"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "Z"
}

func duration(start, end time.Time) map[string]any {
	d := map[string]any{"start": isoTime(start)}
	if !end.IsZero() {
		d["end"] = isoTime(end)
	}
	return d
}

// document builds the json callback's output object.
func (j *jsonReporter) document(s Stats) map[string]any {
	plays := make([]any, 0, len(j.plays))
	for _, p := range j.plays {
		tasks := make([]any, 0, len(p.tasks))
		for _, t := range p.tasks {
			tasks = append(tasks, map[string]any{
				"hosts": t.hosts,
				"task": map[string]any{
					"name":     t.task.Name,
					"id":       t.task.ID,
					"path":     t.task.Path,
					"duration": duration(t.start, t.end),
				},
			})
		}
		plays = append(plays, map[string]any{
			"play": map[string]any{
				"name":     p.play.Name,
				"id":       p.play.ID,
				"path":     p.play.Path,
				"duration": duration(p.start, p.end),
			},
			"tasks": tasks,
		})
	}
	stats := map[string]any{}
	for h, hs := range s {
		stats[h] = map[string]any{
			"ok":          int64(hs.OK),
			"changed":     int64(hs.Changed),
			"unreachable": int64(hs.Unreachable),
			"failures":    int64(hs.Failures),
			"skipped":     int64(hs.Skipped),
			"rescued":     int64(hs.Rescued),
			"ignored":     int64(hs.Ignored),
		}
	}
	return map[string]any{
		"custom_stats":        map[string]any{},
		"global_custom_stats": map[string]any{},
		"plays":               plays,
		"stats":               stats,
	}
}

func (j *jsonReporter) Finish(s Stats) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	doc := pyJSON(j.document(s), 4, true)
	if _, err := io.WriteString(j.cfg.Out, doc+"\n"); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	j.warn.mu.Lock()
	defer j.warn.mu.Unlock()
	return j.warn.err
}

// Included is not recorded on its own: the include's HostResult is.
func (j *jsonReporter) Included(Task, string, []string, any, bool) {}

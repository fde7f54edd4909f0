package job

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestIDsAreValidKeysAndSortByTime(t *testing.T) {
	early := newRunID(time.UnixMilli(1_700_000_000_000))
	late := newRunID(time.UnixMilli(1_700_000_000_001))
	ids := []string{string(late.Job(1)), string(early.Job(2)), string(early.Job(10)), string(early.Job(1))}
	sort.Strings(ids)
	want := []string{string(early.Job(1)), string(early.Job(2)), string(early.Job(10)), string(late.Job(1))}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("sorted = %v, want %v", ids, want)
	}
	for _, id := range want {
		if _, err := ParseID(id); err != nil {
			t.Errorf("ParseID(%s): %v", id, err)
		}
		if strings.ContainsAny(id, " *>") {
			t.Errorf("%s is not a valid KV key", id)
		}
	}
	if got := early.Job(3).Run(); got != early {
		t.Errorf("Run() = %s, want %s", got, early)
	}
	if !early.Valid() {
		t.Errorf("%s not valid", early)
	}
	if got := early.Started(); !got.Equal(time.UnixMilli(1_700_000_000_000)) {
		t.Errorf("Started() = %v", got)
	}
}

func TestSequenceIsUnique(t *testing.T) {
	s := NewSequence(NewRunID())
	seen := map[ID]bool{}
	for range 1000 {
		id := s.Next()
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
	}
}

func TestParseIDRejects(t *testing.T) {
	for _, s := range []string{"", "j123.456", "r019ad3c4e5f6a1b2c3", "r019ad3c4e5f6a1b2c3.1", "r019ad3c4e5f6a1b2c3.0000000x", "r019AD3c4e5f6a1b2c3.00000001"} {
		if _, err := ParseID(s); !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q) = %v, want ErrBadID", s, err)
		}
	}
}

func TestStateMachine(t *testing.T) {
	tests := []struct {
		from, to State
		ok       bool
	}{
		{Queued, Running, true},
		{Queued, Cancelled, true},
		{Queued, Rejected, true},
		{Queued, Lost, true},
		{Queued, Succeeded, false},
		{Running, Running, true},
		{Running, Succeeded, true},
		{Running, Failed, true},
		{Running, TimedOut, true},
		{Running, Cancelled, true},
		{Running, Lost, true},
		{Running, Rejected, false},
		{Running, Queued, false},
		{Succeeded, Failed, false},
		{Failed, Running, false},
		{Lost, Running, false},
	}
	for _, tt := range tests {
		if got := tt.from.CanMove(tt.to); got != tt.ok {
			t.Errorf("%s → %s = %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
	for name, st := range states {
		p, err := ParseState(name)
		if err != nil || p != st {
			t.Errorf("ParseState(%s) = %v, %v", name, p, err)
		}
	}
}

func TestMoveStampsTimes(t *testing.T) {
	task := &Task{V: Version, JID: NewRunID().Job(1), Host: "h", Module: "command"}
	s := NewQueued(task, time.Now())
	r, err := s.Move(Running, time.Now())
	if err != nil || r.Started == nil || r.Ended != nil {
		t.Fatalf("running: %+v %v", r, err)
	}
	f, err := r.Move(Succeeded, time.Now())
	if err != nil || f.Ended == nil {
		t.Fatalf("final: %+v %v", f, err)
	}
	if _, err := f.Move(Running, time.Now()); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("final → running: %v", err)
	}
}

func TestDecodeTask(t *testing.T) {
	run := NewRunID()
	good := `{"v":1,"jid":"` + string(run.Job(1)) + `","run":"` + string(run) + `","host":"h1","module":"command","args":{"_raw_params":"true"},"submitted":"2026-11-28T20:00:00Z"}`
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte("zip")))
	payload := `{"sha256":"` + sum + `","size":3,"style":"python","name":"ansible.builtin.ping"}`
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantJID bool
		field   string
	}{
		{name: "good", data: good},
		{name: "not json", data: `{"v":1,`, wantErr: ErrBadMessage},
		{name: "wrong version", data: strings.Replace(good, `"v":1`, `"v":2`, 1), wantErr: ErrUnsupportedVersion, wantJID: true, field: "v"},
		{name: "no host", data: strings.Replace(good, `"host":"h1"`, `"host":""`, 1), wantErr: ErrBadMessage, wantJID: true, field: "host"},
		{name: "no module", data: strings.Replace(good, `"module":"command"`, `"module":""`, 1), wantErr: ErrBadMessage, wantJID: true, field: "module"},
		{name: "bad jid", data: strings.Replace(good, string(run.Job(1)), "nope", 1), wantErr: ErrBadMessage, field: "jid"},
		{name: "run mismatch", data: strings.Replace(good, `"run":"`+string(run), `"run":"`+string(NewRunID()), 1), wantErr: ErrBadMessage, wantJID: true, field: "run"},
		{name: "bad connection", data: strings.Replace(good, `"host":"h1"`, `"host":"h1","target":{"connection":"winrm"}`, 1), wantErr: ErrBadMessage, wantJID: true, field: "target.connection"},
		{name: "too large", data: good[:len(good)-1] + `,"name":"` + strings.Repeat("x", MaxTaskBytes) + `"}`, wantErr: ErrBadMessage, wantJID: true},
		{name: "payload", data: withPayload(good, payload)},
		{name: "payload with fqn", data: withPayload(good, payload[:len(payload)-1]+`,"fqn":"ansible.modules.ping"}`)},
		{name: "payload sha256 short", data: withPayload(good, strings.Replace(payload, sum, sum[:63], 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.sha256"},
		{name: "payload sha256 upper case", data: withPayload(good, strings.Replace(payload, sum, strings.ToUpper(sum), 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.sha256"},
		{name: "payload size zero", data: withPayload(good, strings.Replace(payload, `"size":3`, `"size":0`, 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.size"},
		{name: "payload too large", data: withPayload(good, strings.Replace(payload, `"size":3`, fmt.Sprintf(`"size":%d`, MaxPayloadBytes+1), 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.size"},
		{name: "payload powershell", data: withPayload(good, strings.Replace(payload, `"python"`, `"powershell"`, 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.style"},
		{name: "payload no name", data: withPayload(good, strings.Replace(payload, `"name":"ansible.builtin.ping"`, `"name":""`, 1)), wantErr: ErrBadMessage, wantJID: true, field: "payload.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task, err := DecodeTask([]byte(tt.data))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantJID && task.JID != run.Job(1) {
				t.Errorf("jid = %q, want it kept for the rejection", task.JID)
			}
			if tt.field != "" && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name field %s", err, tt.field)
			}
			if err == nil && strings.Contains(tt.data, `"payload"`) {
				if task.Payload == nil || task.Payload.SHA256 != sum || task.Payload.Style != StylePython {
					t.Fatalf("payload = %+v", task.Payload)
				}
				data, err := task.Encode()
				if err != nil || !strings.Contains(string(data), `"payload":{"sha256":"`+sum+`","size":3,"style":"python","name":"ansible.builtin.ping"`) {
					t.Errorf("encoded %s, %v", data, err)
				}
			}
		})
	}
}

// withPayload adds a payload field to a task message's JSON.
func withPayload(task, payload string) string {
	return task[:len(task)-1] + `,"payload":` + payload + `}`
}

func TestPayloadRefString(t *testing.T) {
	r := PayloadRef{SHA256: strings.Repeat("ab", 32), Size: 10, Style: StyleWantJSON, Name: "my_module"}
	want := "payload of module my_module (non_native_want_json, sha256 " + strings.Repeat("ab", 32) + ", 10 bytes)"
	if got := r.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if PayloadObject(r) != r.SHA256 {
		t.Errorf("PayloadObject = %q", PayloadObject(r))
	}
}

func FuzzDecodeTask(f *testing.F) {
	run := NewRunID()
	f.Add([]byte(`{"v":1,"jid":"` + string(run.Job(1)) + `","run":"` + string(run) + `","host":"h1","module":"command"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		task, err := DecodeTask(data)
		if err == nil {
			if _, err := task.Encode(); err != nil {
				t.Fatalf("valid task does not encode: %v", err)
			}
		}
	})
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		keepEnds bool
		want     []string
	}{
		{name: "empty", in: "", want: nil},
		{name: "python splitlines", in: "a\r\nb\rc\u0085d\u2028e\vf\n\ng", want: []string{"a", "b", "c", "d", "e", "f", "", "g"}},
		{name: "keep ends", in: "a\r\nb\rc\u0085d\u2028e\vf\n\ng", keepEnds: true, want: []string{"a\r\n", "b\r", "c\u0085", "d\u2028", "e\v", "f\n", "\n", "g"}},
		{name: "trailing newline", in: "a\nb\n", want: []string{"a", "b"}},
		{name: "blank crlf line", in: "\r\n\r\nx", want: []string{"", "", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitLines(tt.in, tt.keepEnds)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("SplitLines(%q, %v) = %q, want %q", tt.in, tt.keepEnds, got, tt.want)
			}
		})
	}
}

func TestCensorKeepsOnlyNamedKeys(t *testing.T) {
	got := Censor(map[string]any{"changed": true, "stdout": "secret", "rc": 0}, "changed", "failed")
	if len(got) != 2 || got["changed"] != true || got["censored"] != NoLogMessage {
		t.Errorf("Censor = %v", got)
	}
}

func TestAddLines(t *testing.T) {
	res := map[string]any{"stdout": "a\nb\r\nc", "stderr": "", "stdout_lines": nil}
	res2 := map[string]any{"stdout": "a\nb\r\nc", "stderr": ""}
	AddLines(res)
	AddLines(res2)
	if res["stdout_lines"] != nil {
		t.Errorf("existing stdout_lines replaced: %v", res["stdout_lines"])
	}
	if got := fmt.Sprint(res2["stdout_lines"], res2["stderr_lines"]); got != "[a b c] []" {
		t.Errorf("lines = %s", got)
	}
}

func TestStatusLaunched(t *testing.T) {
	tests := []struct {
		name string
		st   Status
		want bool
	}{
		{"queued", Status{State: Queued}, false},
		{"claimed, not started", Status{State: Running}, false},
		{"running with its pid", Status{State: Running, PID: 42}, true},
		{"ended before its pid was recorded", Status{State: Succeeded}, true},
		{"unreachable", Status{State: Failed, Unreachable: true}, true},
		{"cancelled while queued", Status{State: Cancelled}, true},
	}
	for _, tt := range tests {
		if got := tt.st.Launched(); got != tt.want {
			t.Errorf("%s: Launched() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

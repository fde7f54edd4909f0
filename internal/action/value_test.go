package action

import (
	"context"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/render"
)

func TestFloat(t *testing.T) {
	t.Parallel()
	r := render.New()
	vars := map[string]any{"n": 7}
	tests := []struct {
		name    string
		in      any
		want    float64
		wantErr bool
	}{
		{"nil", nil, 0, false},
		{"int", 3, 3, false},
		{"int64", int64(4), 4, false},
		{"float", 1.5, 1.5, false},
		{"numeric string", " 2.5 ", 2.5, false},
		{"template", "{{ n }}", 7, false},
		{"bool", true, 1, false},
		{"text", "abc", 0, true},
		{"undefined", "{{ nope }}", 0, true},
		{"list", []any{1}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Float(r, tt.in, vars)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Float(%v) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
	if n, err := Int(r, "3.9", nil); n != 3 || err != nil {
		t.Errorf("Int(3.9) = %d, %v; want 3", n, err)
	}
}

func TestBool(t *testing.T) {
	t.Parallel()
	r := render.New()
	vars := map[string]any{"on": true, "word": "yes"}
	tests := []struct {
		name    string
		in      any
		vars    map[string]any
		want    bool
		wantErr bool
	}{
		{"nil", nil, vars, false, false},
		{"bool", true, vars, true, false},
		{"yes", "Yes", vars, true, false},
		{"t", " t ", nil, true, false},
		{"no", "no", vars, false, false},
		{"template to bool", "{{ on }}", vars, true, false},
		{"template to word", "{{ word }}", vars, true, false},
		{"not rendered without vars", "{{ on }}", nil, false, false},
		{"undefined", "{{ nope }}", vars, false, true},
		{"number", 2, vars, true, false},
		{"empty list", []any{}, vars, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Bool(r, tt.in, tt.vars)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Bool(%v) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	if !Sleep(context.Background(), 0) {
		t.Error("Sleep(0) on a live context = false")
	}
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("Sleep(1ms) = false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Error("Sleep on an ended context = true")
	}
}

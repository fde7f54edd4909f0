package job

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

type schema struct {
	Required   []string                   `json:"required"`
	Properties map[string]json.RawMessage `json:"properties"`
	Defs       map[string]schema          `json:"$defs"`
}

func loadSchema(t *testing.T, name string) schema {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "docs", "schema", name))
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// jsonFields lists a struct's JSON names and which are required (no omitempty).
func jsonFields(typ reflect.Type) (all, required []string) {
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	slices.Sort(all)
	slices.Sort(required)
	return all, required
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSchemasMatchTheGoTypes: docs/schema cannot drift from the wire types.
func TestSchemasMatchTheGoTypes(t *testing.T) {
	tests := []struct {
		file string
		typ  reflect.Type
		def  string
	}{
		{"task.schema.json", reflect.TypeOf(Task{}), ""},
		{"task.schema.json", reflect.TypeOf(Target{}), "target"},
		{"task.schema.json", reflect.TypeOf(PayloadRef{}), "payload"},
		{"status.schema.json", reflect.TypeOf(Status{}), ""},
	}
	for _, tt := range tests {
		s := loadSchema(t, tt.file)
		if tt.def != "" {
			s = s.Defs[tt.def]
		}
		all, required := jsonFields(tt.typ)
		if got := keys(s.Properties); !slices.Equal(got, all) {
			t.Errorf("%s %s: schema properties %v, Go fields %v", tt.file, tt.typ.Name(), got, all)
		}
		req := slices.Clone(s.Required)
		slices.Sort(req)
		if !slices.Equal(req, required) {
			t.Errorf("%s %s: schema required %v, Go non-omitempty fields %v", tt.file, tt.typ.Name(), req, required)
		}
	}
}

package playbook

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadInventoriesMerges(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.ini")
	b := filepath.Join(dir, "b.ini")
	if err := os.WriteFile(a, []byte("[web]\nweb1 x=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("[web]\nweb2\n[db]\ndb1\n[web:vars]\ny=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := LoadInventories(a, b, "extra1,")
	if err != nil {
		t.Fatal(err)
	}
	got, err := inv.Match("all")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("all = %v, want web1 web2 db1 extra1", got)
	}
	if v := inv.HostVars("web1"); v["x"] != 1 || v["y"] != 2 {
		t.Errorf("web1 vars = %v", v)
	}
	if _, err := LoadInventories(a, filepath.Join(dir, "missing.ini")); err == nil {
		t.Error("missing second source: no error")
	}
}

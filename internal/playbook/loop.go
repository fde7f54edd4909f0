package playbook

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loop sets the loop keyword: a list or a template string.
func (f *file) loop(t *Task, n *yaml.Node) error {
	v, err := f.value(n, true)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case []any:
	case string:
		if !isTemplate(x) {
			return errorf(f.pos(n), ErrInvalid, "Invalid data passed to 'loop', it requires a list, got a plain string %s", short(x))
		}
	default:
		return errorf(f.pos(n), ErrInvalid, "Invalid data passed to 'loop', it requires a list, got %s", typeName(v))
	}
	t.Loop, t.LoopKind = v, "loop"
	return nil
}

// withLoop sets a with_<lookup> loop.
func (f *file) withLoop(t *Task, p *pair) error {
	v, err := f.value(p.v, true)
	if err != nil {
		return err
	}
	t.LoopKind = p.key
	tmpl := false
	if s, ok := v.(string); ok {
		tmpl = isTemplate(s)
	}
	switch p.key {
	case "with_items", "with_list":
		switch x := v.(type) {
		case []any:
			if p.key == "with_items" {
				v = flatten1(x)
			}
		case string:
			if !tmpl {
				v = []any{x}
			}
		case nil:
			v = []any{}
		default:
			v = []any{x}
		}
	case "with_dict":
		switch x := v.(type) {
		case map[string]any:
			ps, err := f.pairs(p.v)
			if err != nil {
				return err
			}
			items := make([]any, 0, len(ps))
			for _, kv := range ps {
				items = append(items, map[string]any{"key": kv.key, "value": x[kv.key]})
			}
			v = items
		case string:
			if !tmpl {
				return errorf(f.pos(p.v), ErrInvalid, "with_dict expects a dict, got the string %s", short(x))
			}
		default:
			return errorf(f.pos(p.v), ErrInvalid, "with_dict expects a dict, got %s", typeName(v))
		}
	case "with_sequence":
		s, ok := v.(string)
		if !ok {
			return errorf(f.pos(p.v), ErrInvalid, "with_sequence expects a string such as 'start=1 end=5', got %s", typeName(v))
		}
		if !tmpl {
			items, err := sequence(s)
			if err != nil {
				return wrapf(f.pos(p.v), ErrInvalid, err, "with_sequence %s", short(s))
			}
			v = items
		}
	}
	t.Loop = v
	return nil
}

// flatten1 flattens a list one level, as with_items does.
func flatten1(items []any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		if l, ok := it.([]any); ok {
			out = append(out, l...)
			continue
		}
		out = append(out, it)
	}
	return out
}

// loopControl parses loop_control.
func (f *file) loopControl(n *yaml.Node) (*LoopControl, error) {
	if isNull(n) {
		return nil, nil
	}
	ps, err := f.pairs(n)
	if err != nil {
		return nil, err
	}
	lc := &LoopControl{}
	for _, p := range ps {
		switch p.key {
		case "label":
			lc.Label, err = f.stringOf(p.key, p.v, true)
		case "loop_var":
			lc.LoopVar, err = f.stringOf(p.key, p.v, false)
		case "index_var":
			lc.IndexVar, err = f.stringOf(p.key, p.v, false)
		case "pause":
			lc.Pause, err = f.value(p.v, true)
		case "extended":
			lc.Extended, err = f.boolValue(p.key, p.v)
		case "extended_allitems":
			_, err = f.boolValue(p.key, p.v)
		default:
			err = errorf(f.pos(p.k), ErrUnknownKeyword, "'%s' is not a valid attribute for a LoopControl", p.key)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, name := range []string{lc.LoopVar, lc.IndexVar} {
		if name != "" && !validVarName(name) {
			return nil, errorf(f.pos(n), ErrInvalid, "'%s' is not a valid variable name", name)
		}
	}
	return lc, nil
}

// maxSequence bounds the number of items with_sequence may produce.
const maxSequence = 1 << 16

var seqShortcutRE = regexp.MustCompile(`^(?:(0[xX][0-9a-fA-F]+|0[0-7]*|-?[0-9]+)-)?(0[xX][0-9a-fA-F]+|0[0-7]*|-?[0-9]+)(?:/(-?(?:0[xX][0-9a-fA-F]+|[0-9]+)))?(?::(.+))?$`)

// sequence expands a with_sequence expression ("start=1 end=5 format=web%02d",
// "count=3", or the shortcut "[start-]end[/stride][:format]") as Ansible's
// sequence lookup does: a list of formatted strings.
func sequence(s string) ([]any, error) {
	start, end, stride, count := 1, 0, 1, -1
	format := "%d"
	haveEnd := false
	num := func(v string) (int, error) {
		i, err := strconv.ParseInt(strings.TrimSpace(v), 0, 64)
		return int(i), err
	}
	kv, err := parseKV(s, false)
	if err != nil {
		return nil, err
	}
	if raw, ok := kv["_raw_params"].(string); ok {
		m := seqShortcutRE.FindStringSubmatch(strings.TrimSpace(raw))
		if m == nil {
			return nil, fmt.Errorf("can't parse arg %q as a shortcut", raw)
		}
		if m[1] != "" {
			kv["start"] = m[1]
		}
		kv["end"] = m[2]
		if m[3] != "" {
			kv["stride"] = m[3]
		}
		if m[4] != "" {
			kv["format"] = m[4]
		}
		delete(kv, "_raw_params")
	}
	for k, v := range kv {
		sv := fmt.Sprint(v)
		var err error
		switch k {
		case "start":
			start, err = num(sv)
		case "end":
			end, err = num(sv)
			haveEnd = true
		case "stride":
			stride, err = num(sv)
		case "count":
			count, err = num(sv)
		case "format":
			format = sv
		default:
			return nil, fmt.Errorf("unrecognized arguments to with_sequence: %s", k)
		}
		if err != nil {
			return nil, fmt.Errorf("can't parse %s=%s as integer", k, sv)
		}
	}
	switch {
	case count >= 0 && haveEnd:
		return nil, errors.New("can't specify both count and end in with_sequence")
	case count < 0 && !haveEnd:
		return nil, errors.New("must specify count or end in with_sequence")
	case count == 0:
		return []any{}, nil
	case count > 0:
		end = start + count*stride - 1
	}
	if stride == 0 {
		return []any{}, nil
	}
	const limit = 1 << 40
	for _, x := range []int{start, end, stride} {
		if x > limit || x < -limit {
			return nil, fmt.Errorf("value %d out of range", x)
		}
	}
	if stride > 0 && end < start {
		return nil, errors.New("to count backwards make stride negative")
	}
	if stride < 0 && end > start {
		return nil, errors.New("to count forward don't make stride negative")
	}
	if strings.Count(format, "%")-2*strings.Count(format, "%%") != 1 {
		return nil, fmt.Errorf("bad formatting string: %s", format)
	}
	format = strings.NewReplacer("%s", "%d", "%i", "%d", "%u", "%d").Replace(format)
	n := (end-start)/stride + 1
	if n > maxSequence {
		return nil, fmt.Errorf("more than %d items", maxSequence)
	}
	out := make([]any, 0, n)
	for i := start; (stride > 0 && i <= end) || (stride < 0 && i >= end); i += stride {
		out = append(out, fmt.Sprintf(format, i))
	}
	return out, nil
}

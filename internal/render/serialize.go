package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// toJSON encodes v as Python's json.dumps does, keys sorted (Go maps have
// no insertion order).
func toJSON(v any, indent int, ensureASCII bool) (string, error) {
	return pyrepr.JSON(v, indent, ensureASCII)
}

func fToJSON(in any, a args) (any, error) {
	indent, err := a.int(-1, "indent", 0)
	if err != nil {
		return nil, err
	}
	return toJSON(in, indent, a.bool(-1, "ensure_ascii", true))
}

func fToNiceJSON(in any, a args) (any, error) {
	indent, err := a.int(-1, "indent", 4)
	if err != nil {
		return nil, err
	}
	return toJSON(in, indent, a.bool(-1, "ensure_ascii", true))
}

// decodeJSON decodes one JSON document with integers kept as int.
func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("extra data after JSON value")
	}
	return jsonNumbers(v), nil
}

func jsonNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(x.String()); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = jsonNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jsonNumbers(x[k])
		}
	}
	return v
}

func fFromJSON(in any, _ args) (any, error) {
	v, err := decodeJSON(pyrepr.Str(in))
	if err != nil {
		return nil, fmt.Errorf("from_json: %w", err)
	}
	return native(v), nil
}

// yamlScalar formats a scalar for YAML. Strings that need quoting are
// quoted by the YAML library; multi-line ones are double-quoted with escapes.
func yamlScalar(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case float64, pyrepr.Float:
		s := pyrepr.Repr(x)
		switch s {
		case "inf":
			s = ".inf"
		case "-inf":
			s = "-.inf"
		case "nan":
			s = ".nan"
		}
		return s, nil
	case string:
		if strings.ContainsAny(x, "\n\r\t") || !utf8.ValidString(x) {
			var b strings.Builder
			pyrepr.JSONString(&b, x, false)
			return b.String(), nil
		}
		out, err := yaml.Marshal(x)
		if err != nil {
			return "", err
		}
		q := strings.TrimSuffix(string(out), "\n")
		if strings.HasPrefix(q, `"`) {
			// PyYAML prefers single quotes.
			q = "'" + strings.ReplaceAll(x, "'", "''") + "'"
		}
		return q, nil
	}
	return "", fmt.Errorf("cannot represent an object of type %T in YAML", v)
}

// yamlInline formats v on one line when it is a scalar, an empty collection
// or, with flow, a collection of scalars (PyYAML's default_flow_style=None).
func yamlInline(v any, flow bool) (string, bool, error) {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return "[]", true, nil
		}
		if !flow {
			return "", false, nil
		}
		parts := make([]string, len(x))
		for i, item := range x {
			s, ok, err := yamlInline(item, false)
			if err != nil || !ok {
				return "", false, err
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", true, nil
	case map[string]any:
		if len(x) == 0 {
			return "{}", true, nil
		}
		if !flow {
			return "", false, nil
		}
		parts := make([]string, 0, len(x))
		for _, k := range pyrepr.SortedKeys(x) {
			s, ok, err := yamlInline(x[k], false)
			if err != nil || !ok {
				return "", false, err
			}
			ks, err := yamlScalar(k)
			if err != nil {
				return "", false, err
			}
			parts = append(parts, ks+": "+s)
		}
		return "{" + strings.Join(parts, ", ") + "}", true, nil
	}
	s, err := yamlScalar(v)
	return s, err == nil, err
}

// yamlWriter writes block-style YAML the way PyYAML's safe_dump does:
// sorted keys, sequences inside mappings not indented.
type yamlWriter struct {
	b      strings.Builder
	indent int
	flow   bool
}

// value writes v after "key:" or "-", at column ind for its block content.
func (w *yamlWriter) value(v any, ind int, inSeq bool) error {
	s, ok, err := yamlInline(v, w.flow)
	if err != nil {
		return err
	}
	if ok {
		w.b.WriteString(" " + s + "\n")
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		if inSeq {
			w.b.WriteString(strings.Repeat(" ", w.indent-1))
			return w.mapping(x, ind, true)
		}
		w.b.WriteString("\n")
		return w.mapping(x, ind, false)
	case []any:
		if inSeq {
			w.b.WriteString(strings.Repeat(" ", w.indent-1))
			return w.sequence(x, ind, true)
		}
		w.b.WriteString("\n")
		return w.sequence(x, ind-w.indent, false)
	}
	return fmt.Errorf("cannot represent an object of type %T in YAML", v)
}

func (w *yamlWriter) mapping(m map[string]any, ind int, inline bool) error {
	for i, k := range pyrepr.SortedKeys(m) {
		if i > 0 || !inline {
			w.b.WriteString(strings.Repeat(" ", ind))
		}
		ks, err := yamlScalar(k)
		if err != nil {
			return err
		}
		w.b.WriteString(ks + ":")
		if err := w.value(m[k], ind+w.indent, false); err != nil {
			return err
		}
	}
	return nil
}

func (w *yamlWriter) sequence(l []any, ind int, inline bool) error {
	for i, item := range l {
		if i > 0 || !inline {
			w.b.WriteString(strings.Repeat(" ", ind))
		}
		w.b.WriteString("-")
		if err := w.value(item, ind+w.indent, true); err != nil {
			return err
		}
	}
	return nil
}

func toYAML(v any, indent int, flow bool) (string, error) {
	if indent < 2 {
		indent = 2
	}
	if s, ok, err := yamlInline(v, flow); err != nil {
		return "", err
	} else if ok {
		return s + "\n", nil
	}
	w := &yamlWriter{indent: indent, flow: flow}
	var err error
	switch x := v.(type) {
	case map[string]any:
		err = w.mapping(x, 0, false)
	case []any:
		err = w.sequence(x, 0, false)
	}
	if err != nil {
		return "", err
	}
	return w.b.String(), nil
}

func fToYAML(in any, a args) (any, error) {
	indent, err := a.int(-1, "indent", 2)
	if err != nil {
		return nil, err
	}
	flow := true
	if v, ok := a.kw["default_flow_style"]; ok && v != nil {
		flow = pyrepr.Truthy(v)
	}
	return toYAML(in, indent, flow)
}

func fToNiceYAML(in any, a args) (any, error) {
	indent, err := a.int(-1, "indent", 4)
	if err != nil {
		return nil, err
	}
	return toYAML(in, indent, false)
}

func fFromYAML(in any, _ args) (any, error) {
	var v any
	if err := yaml.Unmarshal([]byte(pyrepr.Str(in)), &v); err != nil {
		return nil, fmt.Errorf("from_yaml: %w", err)
	}
	return native(v), nil
}

func fFromYAMLAll(in any, _ args) (any, error) {
	d := yaml.NewDecoder(strings.NewReader(pyrepr.Str(in)))
	out := []any{}
	for {
		var v any
		err := d.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("from_yaml_all: %w", err)
		}
		out = append(out, native(v))
	}
}

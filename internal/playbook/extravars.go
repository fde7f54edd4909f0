package playbook

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseExtraVars parses one -e argument as ansible-playbook does: "@file"
// (a YAML or JSON file), an inline YAML/JSON mapping ("{...}" or "a: 1"), or
// key=value pairs separated by spaces (values are strings, quotes allowed).
// A vault-encrypted @file is an ErrVault error; see ParseExtraVarsWith.
func ParseExtraVars(arg string) (map[string]any, error) { return ParseExtraVarsWith(arg, nil) }

// ParseExtraVarsWith is ParseExtraVars with a vault-encrypted @file
// decrypted by decrypt, as Ansible's loader reads it (see Unvault).
func ParseExtraVarsWith(arg string, decrypt DecryptFunc) (map[string]any, error) {
	s := strings.TrimSpace(arg)
	if name, ok := strings.CutPrefix(s, "@"); ok {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("extra vars: %w", err)
		}
		if data, err = Unvault(decrypt, name, data); err != nil {
			return nil, err
		}
		return parseExtraDoc(name, data)
	}
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "---") {
		return parseExtraDoc("extra vars", []byte(s))
	}
	out := map[string]any{}
	for _, kv := range extraSplit(s) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("extra vars: %q is not key=value, a YAML/JSON mapping or @file", kv)
		}
		out[k] = v
	}
	return out, nil
}

func parseExtraDoc(name string, data []byte) (map[string]any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := extraNormalize(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: extra vars must be a mapping", name)
	}
	return m, nil
}

// extraNormalize turns YAML's map[any]any-free output into JSON-like values.
func extraNormalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = extraNormalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = extraNormalize(e)
		}
		return x
	}
	return v
}

// extraSplit splits "a=1 b='x y'" into words, honouring single and double quotes.
func extraSplit(s string) []string {
	var (
		out   []string
		cur   strings.Builder
		quote rune
		have  bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, have = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

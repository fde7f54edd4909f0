package playbook

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// These mirror Ansible's parsing/splitter.py, so that free-form module
// arguments split exactly as ansible-playbook splits them.

var (
	errUnbalanced = errors.New("failed at splitting arguments, either an unbalanced jinja2 block or quotes")
	errArgString  = errors.New("unable to parse argument string")
)

// rawParamKeys are the key=value options that command-like modules take out
// of their free-form text.
var rawParamKeys = map[string]bool{
	"creates": true, "removes": true, "chdir": true, "executable": true, "warn": true,
	"stdin": true, "stdin_add_newline": true, "strip_empty_ends": true,
}

// escapeRE matches the escape sequences Ansible decodes in key=value pairs.
var escapeRE = regexp.MustCompile(`\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]`)

func decodeEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return escapeRE.ReplaceAllStringFunc(s, func(m string) string {
		switch m[1] {
		case 'U', 'u', 'x':
			n, err := strconv.ParseUint(m[2:], 16, 32)
			if err != nil {
				return m
			}
			return string(rune(n))
		}
		v, _, _, err := strconv.UnquoteChar(m, 0)
		if err != nil {
			return m
		}
		return string(v)
	})
}

// parseKV turns "a=b c='d e'" into a map. Tokens that are not key=value, and
// with checkRaw every key=value whose key is not in rawParamKeys, are joined
// back into "_raw_params".
func parseKV(args string, checkRaw bool) (map[string]any, error) {
	vargs, err := splitArgs(args)
	if err != nil {
		return nil, err
	}
	opts := map[string]any{}
	var raw []string
	for _, orig := range vargs {
		x := decodeEscapes(orig)
		if !strings.Contains(x, "=") {
			raw = append(raw, orig)
			continue
		}
		pos := unescapedEquals(x)
		if pos < 0 {
			raw = append(raw, strings.ReplaceAll(x, `\=`, "="))
			continue
		}
		k, v := x[:pos], x[pos+1:]
		if checkRaw && !rawParamKeys[k] {
			raw = append(raw, orig)
			continue
		}
		opts[strings.TrimSpace(k)] = unquote(strings.TrimSpace(v))
	}
	if len(raw) > 0 {
		opts["_raw_params"] = joinArgs(raw)
	}
	return opts, nil
}

// unescapedEquals returns the index of the first '=' after index 0 that is
// not preceded by a backslash, or -1.
func unescapedEquals(x string) int {
	for pos := 1; pos < len(x); pos++ {
		if x[pos] == '=' && x[pos-1] != '\\' {
			return pos
		}
	}
	return -1
}

// unquote removes matching surrounding quotes.
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// joinArgs joins tokens from splitArgs back, keeping their newlines.
func joinArgs(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if b.Len() == 0 || strings.HasSuffix(b.String(), "\n") {
			b.WriteString(p)
		} else {
			b.WriteString(" ")
			b.WriteString(p)
		}
	}
	return b.String()
}

// quoteState returns the quote character still open after token, starting
// with the open quote q (0 for none).
func quoteState(token string, q byte) byte {
	for i := 0; i < len(token); i++ {
		c := token[i]
		if (c == '"' || c == '\'') && (i == 0 || token[i-1] != '\\') {
			if q != 0 {
				if c == q {
					q = 0
				}
			} else {
				q = c
			}
		}
	}
	return q
}

func jinjaDepth(token string, depth int, open, closing string) int {
	o, c := strings.Count(token, open), strings.Count(token, closing)
	if o != c {
		depth += o - c
		if depth < 0 {
			depth = 0
		}
	}
	return depth
}

// splitArgs splits on whitespace but keeps quoted strings and Jinja2 blocks
// together: `a=b c="foo bar"` gives ["a=b", `c="foo bar"`].
func splitArgs(args string) ([]string, error) {
	var params []string
	items := strings.Split(args, "\n")
	var q byte
	inside := false
	printDepth, blockDepth, commentDepth := 0, 0, 0
	for itemIdx, item := range items {
		tokens := strings.Split(item, " ")
		cont := false
		for idx, token := range tokens {
			if token == "" && idx != 0 {
				if len(params) == 0 {
					return nil, errArgString
				}
				params[len(params)-1] += " "
				continue
			}
			if token == `\` && !inside {
				cont = true
				continue
			}
			wasInside := inside
			q = quoteState(token, q)
			inside = q != 0
			appended := false
			inJinja := printDepth != 0 || blockDepth != 0 || commentDepth != 0
			switch {
			case inside && !wasInside && !inJinja:
				params = append(params, token)
				appended = true
			case inJinja || inside || wasInside:
				if len(params) == 0 {
					return nil, errArgString
				}
				last := len(params) - 1
				switch {
				case idx == 0 && wasInside:
					params[last] += token
				case len(tokens) > 1:
					if idx > 0 {
						params[last] += " "
					}
					params[last] += token
				default:
					params[last] += "\n" + token
				}
				appended = true
			}
			for _, b := range []struct {
				depth       *int
				open, close string
			}{{&printDepth, "{{", "}}"}, {&blockDepth, "{%", "%}"}, {&commentDepth, "{#", "#}"}} {
				prev := *b.depth
				*b.depth = jinjaDepth(token, *b.depth, b.open, b.close)
				if *b.depth != prev && !appended {
					params = append(params, token)
					appended = true
				}
			}
			if printDepth == 0 && blockDepth == 0 && commentDepth == 0 && !inside && !appended && token != "" {
				params = append(params, token)
			}
		}
		if len(items) > 1 && itemIdx != len(items)-1 && !cont {
			if len(params) == 0 {
				return nil, errArgString
			}
			params[len(params)-1] += "\n"
		}
	}
	if printDepth != 0 || blockDepth != 0 || commentDepth != 0 || inside {
		return nil, errUnbalanced
	}
	return params, nil
}

// splitModuleString splits "copy src=a dest=b" into the module name and the
// rest of the arguments.
func splitModuleString(s string) (string, string, error) {
	tokens, err := splitArgs(s)
	if err != nil {
		return "", "", err
	}
	if len(tokens) == 0 {
		return "", "", nil
	}
	return strings.TrimSpace(tokens[0]), strings.Join(tokens[1:], " "), nil
}

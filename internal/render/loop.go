package render

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// withLookups are the with_<lookup> loops built from lists of lists, after
// ansible-core 2.14's lookup plugins (cartesian and flattened after
// community.general's, which Ansible resolves them to).
var withLookups = map[string]func(terms []any) ([]any, error){
	"with_together":      withTogether,
	"with_nested":        withNested,
	"with_cartesian":     withCartesian,
	"with_subelements":   withSubelements,
	"with_indexed_items": withIndexedItems,
	"with_flattened":     withFlattened,
}

// WithLoop gives the items of the with_<lookup> loop kind (with_together,
// with_nested, with_cartesian, with_subelements, with_indexed_items,
// with_flattened) from its terms, the loop's rendered value as LoopTerms
// lists it. The loop kinds of the playbook's own keywords (loop,
// with_items, with_list, with_dict, with_sequence) are not lookups here.
// The error of any other kind wraps ErrUnknownLoop; a lookup's own error
// carries Ansible's message.
func WithLoop(kind string, terms []any) ([]any, error) {
	f, ok := withLookups[kind]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownLoop, kind)
	}
	return f(terms)
}

// LoopTerms is Ansible's listify_lookup_plugin_terms for a rendered
// value: a string (or any scalar) becomes a list of one, a list stays,
// a dict gives its keys.
func LoopTerms(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		return anyKeys(x)
	}
	return []any{v}
}

func anyKeys(m map[string]any) []any {
	keys := pyrepr.SortedKeys(m)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// flattenOne is LookupBase._flatten: list elements are spliced in one
// level deep.
func flattenOne(terms []any) []any {
	out := make([]any, 0, len(terms))
	for _, t := range terms {
		if l, ok := t.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// withTogether zips the lists, filling the shorter ones with None.
func withTogether(terms []any) ([]any, error) {
	if len(terms) == 0 {
		return nil, errors.New("with_together requires at least one element in each list")
	}
	lists := make([][]any, len(terms))
	longest := 0
	for i, t := range terms {
		lists[i] = LoopTerms(t)
		longest = max(longest, len(lists[i]))
	}
	out := make([]any, 0, longest)
	for i := range longest {
		row := make([]any, len(lists))
		for j, l := range lists {
			if i < len(l) {
				row[j] = l[i]
			}
		}
		out = append(out, flattenOne(row))
	}
	return out, nil
}

// withNested combines every element of the first list with every element
// of the next, and so on, flattening each combination one level.
func withNested(terms []any) ([]any, error) {
	if len(terms) == 0 {
		return nil, errors.New("with_nested requires at least one element in the nested list")
	}
	result := LoopTerms(terms[0])
	for _, t := range terms[1:] {
		next := LoopTerms(t)
		combined := make([]any, 0, len(result)*len(next))
		for _, x := range result {
			for _, y := range next {
				combined = append(combined, flattenOne([]any{x, y}))
			}
		}
		result = combined
	}
	out := make([]any, len(result))
	for i, x := range result {
		out[i] = flattenOne(LoopTerms(x))
	}
	return out, nil
}

// withCartesian is the cartesian product of the lists, each tuple
// flattened one level.
func withCartesian(terms []any) ([]any, error) {
	if len(terms) == 0 {
		return nil, errors.New("with_cartesian requires at least one element in each list")
	}
	product := [][]any{{}}
	for _, t := range terms {
		l := LoopTerms(t)
		next := make([][]any, 0, len(product)*len(l))
		for _, p := range product {
			for _, x := range l {
				next = append(next, append(append(make([]any, 0, len(p)+1), p...), x))
			}
		}
		product = next
	}
	out := make([]any, len(product))
	for i, p := range product {
		out[i] = flattenOne(p)
	}
	return out, nil
}

// withIndexedItems pairs each element (of the list flattened one level)
// with its index.
func withIndexedItems(terms []any) ([]any, error) {
	items := flattenOne(terms)
	out := make([]any, len(items))
	for i, x := range items {
		out[i] = []any{i, x}
	}
	return out, nil
}

// withFlattened flattens the lists recursively; a "None" or "null" term
// ends the list, as in Ansible.
func withFlattened(terms []any) ([]any, error) {
	var flat func(terms []any) []any
	flat = func(terms []any) []any {
		out := []any{}
		for _, t := range terms {
			for {
				l, ok := t.([]any)
				if !ok || len(l) != 1 {
					break
				}
				t = l[0]
			}
			if s, ok := t.(string); ok && (s == "None" || s == "null") {
				break
			}
			if l, ok := t.([]any); ok {
				out = append(out, flat(l)...)
				continue
			}
			out = append(out, t)
		}
		return out
	}
	return flat(terms), nil
}

// withSubelements pairs each dict of a list (or of a dict's values) with
// each element of its sub list named by a dotted key, as Ansible's
// subelements lookup does: the sub list is removed from the dict the items
// carry. A third term {skip_missing: true} skips dicts without the key.
func withSubelements(terms []any) ([]any, error) {
	termsErr := func(msg string) error {
		return errors.New("subelements lookup expects a list of two or three items, " + msg)
	}
	if len(terms) < 2 || len(terms) > 3 {
		return nil, termsErr("")
	}
	var elements []any
	switch x := terms[0].(type) {
	case []any:
		elements = x
	case map[string]any:
		if s, ok := x["skipped"]; ok && s != false {
			return []any{}, nil
		}
		for _, k := range pyrepr.SortedKeys(x) {
			elements = append(elements, x[k])
		}
	case string:
		elements = []any{x}
	default:
		return nil, termsErr("first a dict or a list, second a string pointing to the subkey")
	}
	key, ok := terms[1].(string)
	if !ok {
		return nil, termsErr("first a dict or a list, second a string pointing to the subkey")
	}
	skipMissing := false
	if len(terms) == 3 {
		flags, ok := terms[2].(map[string]any)
		if !ok {
			return nil, termsErr("the optional third item must be a dict with flags ('skip_missing',)")
		}
		for k := range flags {
			if k != "skip_missing" {
				return nil, termsErr("the optional third item must be a dict with flags ('skip_missing',)")
			}
		}
		skipMissing = lookupBool(flags["skip_missing"])
	}
	subkeys := strings.Split(key, ".")
	out := []any{}
	for _, el := range elements {
		item0, ok := el.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("subelements lookup expects a dictionary, got '%s'", pyrepr.Str(el))
		}
		if s, ok := item0["skipped"]; ok && s != false {
			continue
		}
		// The dicts along the key path are copied: the sub list is removed
		// from the copies only.
		item0 = maps.Clone(item0)
		sub := item0
		var sublist []any
		for i, k := range subkeys {
			last := i == len(subkeys)-1
			v, has := sub[k]
			if !has {
				if skipMissing {
					continue
				}
				return nil, fmt.Errorf("could not find '%s' key in iterated item '%s'", k, pyrepr.Str(sub))
			}
			if !last {
				m, ok := v.(map[string]any)
				if !ok {
					if skipMissing {
						continue
					}
					return nil, fmt.Errorf("the key %s should point to a dictionary, got '%s'", k, pyrepr.Str(v))
				}
				m = maps.Clone(m)
				sub[k] = m
				sub = m
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("the key %s should point to a list, got '%s'", k, pyrepr.Str(v))
			}
			sublist = l
			delete(sub, k)
		}
		for _, item1 := range sublist {
			out = append(out, []any{item0, item1})
		}
	}
	return out, nil
}

// lookupBool reads a lookup's boolean flag: a string is true when it is
// among yes, true, on, 1, y and t (any case, spaces trimmed); anything else
// (a bool, None) is Python's truth, pyrepr.Truthy.
func lookupBool(v any) bool {
	if s, ok := v.(string); ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "yes", "true", "on", "1", "y", "t":
			return true
		}
		return false
	}
	return pyrepr.Truthy(v)
}

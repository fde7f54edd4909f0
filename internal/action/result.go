package action

import "strings"

// Registered is the value register stores: the result without Ansible's
// internal keys (_ansible_*), also inside loop results, as Ansible's
// strip_internal_keys.
func Registered(r map[string]any) map[string]any {
	out := make(map[string]any, len(r))
	for k, v := range r {
		if strings.HasPrefix(k, "_ansible") {
			continue
		}
		if k == "results" {
			if items, ok := v.([]any); ok {
				clean := make([]any, len(items))
				for i, it := range items {
					if m, ok := it.(map[string]any); ok {
						clean[i] = Registered(m)
					} else {
						clean[i] = it
					}
				}
				v = clean
			}
		}
		out[k] = v
	}
	return out
}

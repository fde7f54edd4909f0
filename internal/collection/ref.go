package collection

import (
	"strings"
	"unicode"
)

// IsFQCN reports whether name is a fully qualified collection name of a
// plugin, role or playbook: at least three dot-separated words
// (namespace.collection.name, with optional subdirectories before the
// name). It does not check that the collection exists.
func IsFQCN(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if !isWord(p) {
			return false
		}
	}
	return true
}

// isWord is Python's \w+ (letters, digits, underscore).
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.M, r) {
			return false
		}
	}
	return true
}

// isIdentifier is Python's str.isidentifier, close enough for names.
func isIdentifier(s string) bool {
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) {
			continue
		}
		if i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Nd, r)) {
			continue
		}
		return false
	}
	return s != ""
}

var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true,
	"from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true,
}

// IsCollectionName reports whether name is namespace.collection, each part
// a Python identifier that is not a keyword.
func IsCollectionName(name string) bool {
	ns, coll, ok := strings.Cut(name, ".")
	if !ok || strings.Contains(coll, ".") {
		return false
	}
	for _, p := range []string{ns, coll} {
		if !isIdentifier(p) || pyKeywords[p] {
			return false
		}
	}
	return true
}

// ref is a parsed fully qualified reference: ns.coll[.subdirs].resource.
type ref struct {
	collection string // ns.coll
	subdirs    string // "a.b" or ""
	resource   string
}

// parseRef parses an FQCN as Ansible's AnsibleCollectionRef.from_fqcr does;
// ok is false when name is not one or its collection name is not valid.
func parseRef(name string) (ref, bool) {
	if !IsFQCN(name) {
		return ref{}, false
	}
	i := strings.LastIndexByte(name, '.')
	remnant, resource := name[:i], name[i+1:]
	parts := strings.SplitN(remnant, ".", 3)
	r := ref{collection: parts[0] + "." + parts[1], resource: resource}
	if len(parts) == 3 {
		r.subdirs = parts[2]
	}
	if !IsCollectionName(r.collection) {
		return ref{}, false
	}
	return r, true
}

// key is the routing key: subdirs.resource.
func (r ref) key() string {
	if r.subdirs == "" {
		return r.resource
	}
	return r.subdirs + "." + r.resource
}

// subPath is subdirs as a relative path ("" when none).
func (r ref) subPath() string { return strings.ReplaceAll(r.subdirs, ".", "/") }

// splitext is Python's os.path.splitext of a base name: leading dots do not
// start an extension.
func splitext(name string) (base, ext string) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		return name, ""
	}
	if strings.Trim(name[:dot], ".") == "" {
		return name, ""
	}
	return name[:dot], name[dot:]
}

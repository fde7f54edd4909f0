package playbook

import (
	"os"

	"go.yaml.in/yaml/v3"
)

// LoadVars reads a YAML (or JSON) file of variables, as vars_files,
// include_vars, group_vars and host_vars hold: a mapping, or an empty file.
// Values are untemplated. Errors are *Error.
func LoadVars(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(Pos{File: path}, ErrRead, err, "unable to read vars file")
	}
	return parseVars(path, data)
}

// parseVars parses data as a vars file.
func parseVars(path string, data []byte) (map[string]any, error) {
	root, err := parseYAML(path, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return map[string]any{}, nil
	}
	d := newDecoder(path, &Options{}, nil)
	if deref(root).Kind != yaml.MappingNode {
		return nil, errorf(d.pos(root), ErrInvalid, "vars file must be a mapping of variables, got %s", kindName(root))
	}
	v, err := d.value(root, false)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

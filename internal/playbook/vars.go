package playbook

import (
	"os"

	"go.yaml.in/yaml/v3"
)

// LoadVars reads a YAML (or JSON) file of variables, as vars_files,
// include_vars, group_vars and host_vars hold: a mapping, or an empty file.
// Values are untemplated. A vault-encrypted file and inline !vault values
// are decrypted with decrypt (see Unvault). Errors are *Error, or wrap
// ErrVault.
func LoadVars(path string, decrypt DecryptFunc) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, wrapf(Pos{File: path}, ErrRead, err, "unable to read vars file")
	}
	if data, err = Unvault(decrypt, path, data); err != nil {
		return nil, err
	}
	return parseVars(path, data, decrypt)
}

// parseVars parses data as a vars file.
func parseVars(path string, data []byte, decrypt DecryptFunc) (map[string]any, error) {
	root, err := parseYAML(path, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return map[string]any{}, nil
	}
	d := newDecoder(path, &Options{Decrypt: decrypt}, nil)
	if deref(root).Kind != yaml.MappingNode {
		return nil, errorf(d.pos(root), ErrInvalid, "vars file must be a mapping of variables, got %s", kindName(root))
	}
	v, err := d.value(root, false)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

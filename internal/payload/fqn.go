package payload

import (
	"regexp"
	"strings"
)

var collectionModulePath = regexp.MustCompile(`/(ansible_collections/[^/]+/[^/]+/plugins/modules/.*)\.(?:py|ps1)$`)

// FQN returns the Python name a module file runs as, as ansible-core
// 2.14's _get_ansible_module_fqn and its fallback decide:
// ansible.modules.<x> for <sitePackages>/ansible/modules/<x>.py (the
// directory holding ansible-core's ansible package; "" for none),
// ansible_collections.<ns>.<coll>.plugins.modules.<x> for a collection
// module (subdirectories of modules/ included), and for anything else, or
// a path with a dot in a name on the way, ansible.modules.<name>, where
// name is the module name the task gives.
func FQN(modulePath, sitePackages, name string) string {
	var m []string
	if sitePackages != "" {
		core := regexp.MustCompile(regexp.QuoteMeta(sitePackages) + `/(ansible/modules/.*)\.(?:py|ps1)$`)
		m = core.FindStringSubmatch(modulePath)
	}
	if m == nil {
		m = collectionModulePath.FindStringSubmatch(modulePath)
	}
	if m == nil || strings.Contains(m[1], ".") {
		return "ansible.modules." + name
	}
	return strings.ReplaceAll(m[1], "/", ".")
}

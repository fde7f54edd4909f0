package payload

import (
	"errors"
	"fmt"
	"os"

	"github.com/jetplay/jetplay/internal/collection"
)

// Finder locates module_utils for the scanner. ResolverFinder makes one of
// a collection.Resolver.
//
// FindModuleUtil locates one dotted name below ansible.module_utils or
// ansible_collections, as one candidate of ansible-core 2.14's
// LegacyModuleUtilLocator and CollectionModuleUtilLocator does:
//
//   - ansible.module_utils.<x...>: search the module_utils directories in
//     order (playbook and role module_utils/, ANSIBLE_MODULE_UTILS,
//     ansible-core's module_utils/) for <x>/__init__.py (a package) or
//     <x>.py; only when none has it, apply ansible.builtin's
//     plugin_routing.module_utils entry for <x> (config/
//     ansible_builtin_runtime.yml).
//   - ansible_collections.<ns>.<coll>.plugins.module_utils.<x...>: apply
//     the collection's meta/runtime.yml routing entry for <x> first; then
//     in the first collection root that has the collection, the directory
//     <x> is a package (its __init__.py, or an empty one when it has none,
//     as the collection loader synthesizes it) and else <x>.py a module.
//
// The builder never asks for ansible, ansible.module_utils, a six.* name
// (it asks for ansible.module_utils.six) or a name of fewer than six parts
// below ansible_collections (ansible_collections.ns.coll.plugins: an empty
// package, whether the collection exists or not).
//
// A routing redirect returns Package true and Redirect, the target package
// (an FQCN target expanded to ansible_collections.<ns>.<coll>.plugins.
// module_utils.<rest>), and no Source: the builder writes the shim. A
// deprecation in the routing entry is returned with what is found.
//
// Errors: an error wrapping ErrNotFound when the name is not there (or its
// collection is not installed); any other error (a tombstone, a redirect
// that is not valid, a name in neither tree, a file that cannot be read)
// fails the build whether the import is optional or not, as it does in
// Ansible.
type Finder interface {
	FindModuleUtil(name string) (ModuleUtil, error)
}

// ModuleUtil is a located module_utils module or package.
type ModuleUtil struct {
	// Source is the file's content: the module's .py or the package's
	// __init__.py; nil for a package without one and for a redirect.
	Source []byte
	// Package is true for a package (zip member <name>/__init__.py) and for
	// every redirect.
	Package bool
	// Redirect is the package the name is redirected to by routing
	// metadata, "" if none.
	Redirect string
	// Path is where Source was read, for messages; "" if none.
	Path string
	// Deprecations are the routing metadata's deprecations of the name
	// (Msg "module_util <name> has been removed...", as Ansible words it).
	Deprecations []collection.Deprecation
}

// ResolverFinder returns the Finder of r: its FindModuleUtil, with the file
// it names read. Errors: r's not-found errors wrapped with ErrNotFound; its
// other errors and a file that cannot be read as they are.
func ResolverFinder(r *collection.Resolver) Finder { return resolverFinder{r} }

type resolverFinder struct{ r *collection.Resolver }

func (f resolverFinder) FindModuleUtil(name string) (ModuleUtil, error) {
	mu, err := f.r.FindModuleUtil(name)
	if errors.Is(err, collection.ErrNotFound) {
		return ModuleUtil{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return ModuleUtil{}, err
	}
	out := ModuleUtil{Package: mu.Package, Redirect: mu.Redirect, Path: mu.Path, Deprecations: mu.Deprecations}
	if mu.Path != "" && mu.Redirect == "" {
		if out.Source, err = os.ReadFile(mu.Path); err != nil {
			return ModuleUtil{}, fmt.Errorf("read module_util %s: %w", name, err)
		}
	}
	return out, nil
}

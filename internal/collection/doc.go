// Package collection is the one resolver of names to files: modules,
// module_utils, roles and playbooks, across playbook and role library/
// directories, ANSIBLE_LIBRARY, collection roots and ansible-core's own
// install, with the routing of meta/runtime.yml. It is a leaf: it imports
// no other package of jetplay, reads no environment variable and runs no
// Python (except FindAnsibleCore, which asks one where ansible-core is).
//
// # Design
//
// The resolver answers what ansible-core 2.14's loaders answer
// (plugins/loader.py, utils/collection_loader, the module_utils locators of
// executor/module_common.py); TestAnsibleLoaderDiff holds it to that by
// asking the installed ansible-core the same questions. No Ansible code is
// used or copied: the behaviour below is described, then written anew.
//
// Search paths. New computes three ordered lists from its Config once:
//
//	modules      playbook and role library/ (symlinks resolved),
//	             each Library entry after its subdirectories one and two
//	             levels deep (hidden ones skipped), ansible-core's modules/
//	             and the subdirectories of its packages; */windows last
//	module_utils playbook and role module_utils/, ModuleUtils,
//	             ansible-core's module_utils/
//	collections  each playbook's collections/, CollectionsPaths, sys.path;
//	             an entry counts if it holds ansible_collections/
//
// A collection is the first ansible_collections/<ns>/<coll> directory on
// the roots: a root after it is never searched for that collection, even
// for a file the first one lacks. ansible.builtin is ansible-core itself,
// routed by its config/ansible_builtin_runtime.yml.
//
// Modules. A fully qualified name ns.coll[.sub].name is looked up in its
// collection: routing first (a deprecation is recorded, a tombstone is an
// error, a redirect is followed), then plugins/modules[/sub]/name, the file
// itself or else the first name.* in name order that is a file and not an
// ignored extension. A short name without a collection search list takes
// the legacy search: the first module directory holding a file called
// name or name.<ext> (file names in name order, where Ansible takes them in
// directory order), then a "_name" alias (with a deprecation unless it is a
// symlink), then ansible-core's routing for ansible.builtin.name (how
// mount becomes ansible.posix.mount). With a search list, a short name is
// tried as <collection>.name for each listed collection, ansible.legacy
// being the legacy search. Redirects are followed step by step, each step
// with the same search list, until a name resolves, fails, or comes back
// (a loop). Problems with one candidate (an invalid redirect, metadata that
// does not parse) are kept and the next candidate is tried, as Ansible
// does.
//
// Module utils. ansible.module_utils.x.y is searched in the module_utils
// directories (x/y/__init__.py, then x/y.py), then routed by ansible-core's
// metadata; a collection's ansible_collections.ns.coll.plugins.module_utils.z
// is routed by its collection's metadata first, then found as z/ (a
// package, with or without __init__.py) or z.py. A redirect is returned as
// the target package, for the payload builder to write its shim.
//
// Caching. Directory listings and collection metadata are read once per
// Resolver; a Resolver is meant to live for one run.
//
// What is left to callers: adding ansible.legacy to a collections keyword
// (SearchList), trying the parent of an ambiguous "from a import b"
// (FindModuleUtil on the parent), the legacy roles path, and printing
// deprecations (Deprecation.String) when DEPRECATION_WARNINGS is on.
package collection

package playbook

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Inventory is a set of hosts and groups, as loaded by LoadInventory.
// Host order is the order in which hosts first appear in the sources.
type Inventory struct {
	Hosts  map[string]*Host
	Groups map[string]*Group
	// Sources are the files read, in order (inventory files, then
	// group_vars and host_vars files).
	Sources []string
	// Specs are the sources LoadInventories was given (the -i options), in
	// order: paths and host lists as written.
	Specs []string
	// Warnings are what Ansible would warn about while loading.
	Warnings []string

	hostOrder []string       // host names by first appearance
	hostIndex map[string]int // position in hostOrder
	pbDir     string         // the playbook directory whose vars are loaded
	decrypt   DecryptFunc    // vault data's decrypter (LoadInventoriesWith)
}

// Host is one inventory host.
type Host struct {
	Name string
	// Vars are the host's own variables: those of the inventory file,
	// overridden by host_vars/ files. See Inventory.HostVars for the merged view.
	Vars map[string]any
	// Groups are the groups that list the host directly ("ungrouped" for a
	// host in no other group), in the order it was added to them. "all" is
	// left out: every host is in it.
	Groups []string

	fileVars, dirVars, pbVars map[string]any
}

// Group is one inventory group. Every group other than "all" is a child of
// "all" or of another group.
type Group struct {
	Name string
	// Vars are the group's own variables: those of the inventory file,
	// overridden by group_vars/ files.
	Vars     map[string]any
	Hosts    []string // hosts listed directly, in order
	Children []string // child groups, in order

	fileVars, dirVars, pbVars map[string]any
	parents                   []string
}

// localhostNames are the names of the implicit localhost.
var localhostNames = map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}

// inventoryIgnore are the file name suffixes skipped in an inventory
// directory (Ansible's INVENTORY_IGNORE_EXTS; note ".ini" is among them).
var inventoryIgnore = []string{".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry"}

// maxHosts bounds the size of an inventory, so a range such as
// h[0:999999999] fails instead of eating memory.
const maxHosts = 1 << 20

// LoadInventory loads an inventory as ansible-playbook -i does. spec is an
// INI or YAML inventory file, a directory of them (read in name order,
// recursively, skipping dotfiles and names ending in .md, .txt, .rst, .ini,
// .cfg, .retry, .orig, .bak, .swp, .pyc, .pyo, .rpm or ~), or, when no such
// path exists and spec contains a comma, a host list such as "web1,web2,".
// group_vars/ and host_vars/ beside an inventory file, or inside an
// inventory directory, are read too. Errors are *Error wrapping
// ErrInventory (and ErrRead, fs.ErrNotExist for a missing path).
func LoadInventory(spec string) (*Inventory, error) { return LoadInventories(spec) }

// LoadInventories loads several -i sources into one inventory, as
// ansible-playbook merges repeated -i options: later sources add hosts and
// groups and override variables of earlier ones.
func LoadInventories(specs ...string) (*Inventory, error) {
	return LoadInventoriesWith(nil, specs...)
}

// LoadInventoriesWith is LoadInventories with vault data (an encrypted
// inventory file, group_vars and host_vars files, inline !vault values)
// decrypted by decrypt, here and in LoadPlaybookVars; see Unvault. A nil
// decrypt makes vault data an ErrVault error.
func LoadInventoriesWith(decrypt DecryptFunc, specs ...string) (*Inventory, error) {
	inv := newInventory()
	inv.decrypt = decrypt
	inv.Specs = append(inv.Specs, specs...)
	for _, spec := range specs {
		if err := inv.load(spec); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

func (inv *Inventory) load(spec string) error {
	st, err := os.Stat(spec)
	switch {
	case err != nil && strings.Contains(spec, ","):
		if err := inv.hostList(spec); err != nil {
			return err
		}
		inv.finish()
		return nil
	case err != nil:
		return &Error{Pos: Pos{File: spec}, Msg: "unable to read inventory: " + err.Error(), Err: fmt.Errorf("%w: %w: %w", ErrInventory, ErrRead, err)}
	case st.IsDir():
		if err := inv.dir(spec, 0); err != nil {
			return err
		}
		inv.finish()
		return inv.varsDirs(spec)
	default:
		if err := inv.file(spec, true); err != nil {
			return err
		}
		inv.finish()
		return inv.varsDirs(filepath.Dir(spec))
	}
}

func newInventory() *Inventory {
	inv := &Inventory{Hosts: map[string]*Host{}, Groups: map[string]*Group{}, hostIndex: map[string]int{}}
	inv.group("all")
	inv.group("ungrouped")
	return inv
}

// group returns the named group, creating it.
func (inv *Inventory) group(name string) *Group {
	g, ok := inv.Groups[name]
	if !ok {
		g = &Group{Name: name, fileVars: map[string]any{}}
		inv.Groups[name] = g
	}
	return g
}

// host returns the named host, creating it.
func (inv *Inventory) host(name string) (*Host, error) {
	h, ok := inv.Hosts[name]
	if !ok {
		if len(inv.hostOrder) >= maxHosts {
			return nil, fmt.Errorf("more than %d hosts", maxHosts)
		}
		h = &Host{Name: name, fileVars: map[string]any{}}
		inv.Hosts[name] = h
		inv.hostIndex[name] = len(inv.hostOrder)
		inv.hostOrder = append(inv.hostOrder, name)
	}
	return h, nil
}

// addHost adds host to group with vars (and a port, if not 0).
func (inv *Inventory) addHost(name, group string, vars map[string]any, port int) error {
	h, err := inv.host(name)
	if err != nil {
		return err
	}
	if group != "" && group != "all" {
		g := inv.group(group)
		if !slices.Contains(g.Hosts, name) {
			g.Hosts = append(g.Hosts, name)
			h.Groups = append(h.Groups, group)
		}
	}
	if port != 0 {
		h.fileVars["ansible_port"] = port
	}
	for k, v := range vars {
		h.fileVars[k] = v
	}
	return nil
}

// addChild makes child a child group of parent.
func (inv *Inventory) addChild(parent, child string) error {
	if parent == child || inv.isAncestor(child, parent) {
		return fmt.Errorf("adding group '%s' as child to '%s' creates a recursive dependency loop", child, parent)
	}
	p, c := inv.group(parent), inv.group(child)
	if !slices.Contains(p.Children, child) {
		p.Children = append(p.Children, child)
		c.parents = append(c.parents, parent)
	}
	return nil
}

// isAncestor reports whether a is b or one of b's ancestors.
func (inv *Inventory) isAncestor(a, b string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(g string) bool {
		if g == a {
			return true
		}
		if seen[g] {
			return false
		}
		seen[g] = true
		for _, p := range inv.Groups[g].parentsOrNil() {
			if walk(p) {
				return true
			}
		}
		return false
	}
	return walk(b)
}

func (g *Group) parentsOrNil() []string {
	if g == nil {
		return nil
	}
	return g.parents
}

// finish applies Ansible's reconcile rules: top-level groups become children
// of all, and hosts in no group go to ungrouped.
func (inv *Inventory) finish() {
	names := make([]string, 0, len(inv.Groups))
	for name := range inv.Groups {
		names = append(names, name)
	}
	sort.Strings(names)
	all := inv.Groups["all"]
	for _, name := range names {
		g := inv.Groups[name]
		if name != "all" && len(g.parents) == 0 {
			all.Children = append(all.Children, name)
			g.parents = []string{"all"}
		}
	}
	// Keep all's children in a stable order: ungrouped first, then by name.
	slices.SortStableFunc(all.Children, func(a, b string) int {
		return cmp.Compare(b2i(a != "ungrouped"), b2i(b != "ungrouped"))
	})
	ungrouped := inv.Groups["ungrouped"]
	for _, name := range inv.hostOrder {
		h := inv.Hosts[name]
		inUngrouped := slices.Contains(h.Groups, "ungrouped")
		switch {
		case inUngrouped && len(h.Groups) > 1:
			h.Groups = slices.DeleteFunc(h.Groups, func(s string) bool { return s == "ungrouped" })
			ungrouped.Hosts = slices.DeleteFunc(ungrouped.Hosts, func(s string) bool { return s == name })
		case len(h.Groups) == 0:
			h.Groups = []string{"ungrouped"}
			ungrouped.Hosts = append(ungrouped.Hosts, name)
		}
	}
	inv.refreshVars()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refreshVars recomputes the exported Vars of hosts and groups.
func (inv *Inventory) refreshVars() {
	for _, g := range inv.Groups {
		g.Vars = mergeMaps(g.fileVars, g.dirVars)
		if g.Vars == nil {
			g.Vars = map[string]any{}
		}
	}
	for _, h := range inv.Hosts {
		h.Vars = mergeMaps(h.fileVars, h.dirVars)
		if h.Vars == nil {
			h.Vars = map[string]any{}
		}
	}
}

// hostList loads a comma-separated host list such as "web1,web2:2222,".
func (inv *Inventory) hostList(spec string) error {
	inv.Sources = append(inv.Sources, spec)
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		name, port, err := splitPort(s)
		if err != nil {
			return errorf(Pos{File: spec}, ErrInventory, "invalid host list entry %q: %v", s, err)
		}
		if err := inv.addHost(name, "ungrouped", nil, port); err != nil {
			return errorf(Pos{File: spec}, ErrInventory, "%v", err)
		}
	}
	return nil
}

// dir loads every inventory file in a directory, in name order.
func (inv *Inventory) dir(path string, depth int) error {
	if depth > 16 {
		return errorf(Pos{File: path}, ErrInventory, "inventory directories nested too deep")
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return &Error{Pos: Pos{File: path}, Msg: "unable to read inventory: " + err.Error(), Err: fmt.Errorf("%w: %w: %w", ErrInventory, ErrRead, err)}
	}
	for _, e := range entries { // os.ReadDir sorts by name
		name := e.Name()
		if skipInventoryName(name) || name == "group_vars" || name == "host_vars" {
			continue
		}
		full := filepath.Join(path, name)
		st, err := os.Stat(full)
		if err != nil {
			continue // a dangling symlink: skipped, as Ansible does
		}
		if st.IsDir() {
			err = inv.dir(full, depth+1)
		} else {
			err = inv.file(full, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func skipInventoryName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	for _, ext := range inventoryIgnore {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// file loads one inventory file, choosing the format by extension: .yml,
// .yaml and .json are YAML; a file without extension is YAML if it parses
// as a mapping, INI otherwise; anything else is INI.
func (inv *Inventory) file(path string, top bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Pos: Pos{File: path}, Msg: "unable to read inventory: " + err.Error(), Err: fmt.Errorf("%w: %w: %w", ErrInventory, ErrRead, err)}
	}
	if data, err = Unvault(inv.decrypt, path, data); err != nil {
		return err
	}
	inv.Sources = append(inv.Sources, path)
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yml", ".yaml", ".json":
		return inv.yamlFile(path, data)
	case "":
		if root, err := parseYAML(path, data); err == nil && root != nil && isMapping(root) && !looksLikeINI(data) {
			return inv.yamlRoot(path, root)
		}
	}
	return inv.iniFile(path, data)
}

// looksLikeINI reports whether data has an INI section header line, which
// can also parse as a YAML flow sequence.
func looksLikeINI(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if iniSectionRE.MatchString(line) {
			return true
		}
	}
	return false
}

// varsDirs reads group_vars/ and host_vars/ under base.
func (inv *Inventory) varsDirs(base string) error {
	groupNames := make([]string, 0, len(inv.Groups))
	for name := range inv.Groups {
		groupNames = append(groupNames, name)
	}
	sort.Strings(groupNames)
	for _, name := range groupNames {
		vars, err := inv.entityVars(filepath.Join(base, "group_vars"), name)
		if err != nil {
			return err
		}
		inv.Groups[name].dirVars = vars
	}
	for _, name := range inv.hostOrder {
		vars, err := inv.entityVars(filepath.Join(base, "host_vars"), name)
		if err != nil {
			return err
		}
		inv.Hosts[name].dirVars = vars
	}
	inv.refreshVars()
	return nil
}

// entityVars reads the vars of one group or host from dir: the files
// name, name.yml, name.yaml, name.json, and every file under a directory
// called name, merged in that order. It returns nil when there are none.
func (inv *Inventory) entityVars(dir, name string) (map[string]any, error) {
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, nil
	}
	var files []string
	for _, ext := range []string{"", ".yml", ".yaml", ".json"} {
		p := filepath.Join(dir, name+ext)
		st, err := os.Stat(p)
		switch {
		case err != nil:
		case st.IsDir() && ext == "":
			files = append(files, varsDirFiles(p, 0)...)
		case !st.IsDir():
			files = append(files, p)
		}
	}
	var out map[string]any
	for _, p := range files {
		vars, err := LoadVars(p, inv.decrypt)
		if err != nil {
			var e *Error
			if asError(err, &e) {
				e.Err = fmt.Errorf("%w: %w", ErrInventory, e.Err)
			}
			return nil, err
		}
		inv.Sources = append(inv.Sources, p)
		out = mergeMaps(out, vars)
	}
	return out, nil
}

// varsDirFiles lists the vars files under dir, recursively and in name
// order, skipping hidden and backup files and unknown extensions.
func varsDirFiles(dir string, depth int) []string {
	entries, err := os.ReadDir(dir)
	if err != nil || depth > 16 {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue
		}
		full := filepath.Join(dir, name)
		ext := filepath.Ext(name)
		st, err := os.Stat(full)
		if err != nil {
			continue
		}
		switch {
		case st.IsDir() && ext == "":
			out = append(out, varsDirFiles(full, depth+1)...)
		case !st.IsDir() && (ext == "" || ext == ".yml" || ext == ".yaml" || ext == ".json"):
			out = append(out, full)
		}
	}
	return out
}

// ancestors returns the groups host belongs to, directly or through
// parents, including "all".
func (inv *Inventory) ancestors(host string) map[string]bool {
	out := map[string]bool{"all": true}
	h, ok := inv.Hosts[host]
	if !ok {
		return out
	}
	var walk func(string)
	walk = func(g string) {
		if out[g] {
			return
		}
		out[g] = true
		for _, p := range inv.Groups[g].parentsOrNil() {
			walk(p)
		}
	}
	for _, g := range h.Groups {
		walk(g)
	}
	return out
}

// depth returns a group's depth: the length of the longest path from all.
func (inv *Inventory) depth(name string, memo map[string]int) int {
	if d, ok := memo[name]; ok {
		return d
	}
	memo[name] = 0 // guards against loops, which addChild prevents anyway
	d := 0
	for _, p := range inv.Groups[name].parentsOrNil() {
		d = max(d, inv.depth(p, memo)+1)
	}
	memo[name] = d
	return d
}

// sortedGroups orders groups as Ansible merges their vars: by depth, then
// ansible_group_priority, then name.
func (inv *Inventory) sortedGroups(names map[string]bool) []string {
	memo := map[string]int{}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	prio := func(n string) int {
		if p, ok := inv.Groups[n].Vars["ansible_group_priority"].(int); ok {
			return p
		}
		return 1
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if da, db := inv.depth(a, memo), inv.depth(b, memo); da != db {
			return da < db
		}
		if pa, pb := prio(a), prio(b); pa != pb {
			return pa < pb
		}
		return a < b
	})
	return out
}

// HostVars returns the host's inventory variables merged in Ansible's order
// of precedence, lowest first: inventory-file group vars (all, then other
// groups by depth, ansible_group_priority and name), the inventory's
// group_vars/all, the playbook's group_vars/all, the inventory's
// group_vars/<group> (same order), the playbook's, inventory-file host vars,
// the inventory's host_vars/<host>, the playbook's (see LoadPlaybookVars).
// Values are untemplated and magic variables (inventory_hostname, ...) are
// not included. The implicit localhost (see Match) gets the vars of "all"
// and ansible_connection: local. An unknown host gives nil.
func (inv *Inventory) HostVars(host string) map[string]any {
	h, ok := inv.Hosts[host]
	if !ok && !localhostNames[host] {
		return nil
	}
	out := map[string]any{}
	groups := inv.sortedGroups(inv.ancestors(host))
	add := func(m map[string]any) {
		for k, v := range m {
			out[k] = v
		}
	}
	for _, name := range groups {
		add(inv.Groups[name].fileVars)
	}
	all := inv.Groups["all"]
	add(all.dirVars)
	add(all.pbVars)
	for _, layer := range []func(*Group) map[string]any{
		func(g *Group) map[string]any { return g.dirVars },
		func(g *Group) map[string]any { return g.pbVars },
	} {
		for _, name := range groups {
			if name != "all" {
				add(layer(inv.Groups[name]))
			}
		}
	}
	if !ok {
		out["ansible_connection"] = "local"
		return out
	}
	for _, m := range []map[string]any{h.fileVars, h.dirVars, h.pbVars} {
		add(m)
	}
	return out
}

// LoadPlaybookVars reads group_vars/ and host_vars/ beside a playbook (dir
// is its directory) for the inventory's groups and hosts: they rank above
// the inventory's own group_vars/ and host_vars/ (see HostVars). They
// replace those of the directory loaded before: with several playbooks,
// each playbook's apply to its own plays only, as in ansible-playbook.
// Loading the same directory again does nothing. Errors are *Error.
func (inv *Inventory) LoadPlaybookVars(dir string) error {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if inv.pbDir == dir {
		return nil
	}
	inv.pbDir = dir
	for _, g := range inv.Groups {
		g.pbVars = nil
	}
	for _, h := range inv.Hosts {
		h.pbVars = nil
	}
	for _, name := range slices.Sorted(maps.Keys(inv.Groups)) {
		vars, err := inv.entityVars(filepath.Join(dir, "group_vars"), name)
		if err != nil {
			return err
		}
		if vars != nil {
			g := inv.Groups[name]
			g.pbVars = mergeMaps(g.pbVars, vars)
		}
	}
	for _, name := range inv.hostOrder {
		vars, err := inv.entityVars(filepath.Join(dir, "host_vars"), name)
		if err != nil {
			return err
		}
		if vars != nil {
			h := inv.Hosts[name]
			h.pbVars = mergeMaps(h.pbVars, vars)
		}
	}
	return nil
}

// GroupNames returns the groups host belongs to, directly or through
// parents, except "all", sorted: Ansible's group_names.
func (inv *Inventory) GroupNames(host string) []string {
	out := []string{}
	if _, ok := inv.Hosts[host]; !ok {
		return out
	}
	for g := range inv.ancestors(host) {
		if g != "all" {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// GroupsMap returns Ansible's groups variable: every group name, including
// "all" and "ungrouped", mapped to its hosts (those of its descendants
// included) in inventory order. The implicit localhost is in no group.
func (inv *Inventory) GroupsMap() map[string][]string {
	out := make(map[string][]string, len(inv.Groups))
	for name := range inv.Groups {
		out[name] = inv.groupHosts(name)
	}
	return out
}

// groupHosts returns the hosts of a group and its descendants in inventory
// order.
func (inv *Inventory) groupHosts(name string) []string {
	if name == "all" {
		return slices.Clone(inv.hostOrder)
	}
	// A group's hosts in the order the group lists them, then its
	// children's, as Ansible's Group.get_hosts.
	seenGroup := map[string]bool{}
	seenHost := map[string]bool{}
	var out []string
	var walk func(string)
	walk = func(g string) {
		if seenGroup[g] {
			return
		}
		seenGroup[g] = true
		grp := inv.Groups[g]
		if grp == nil {
			return
		}
		for _, h := range grp.Hosts {
			if !seenHost[h] {
				seenHost[h] = true
				out = append(out, h)
			}
		}
		for _, c := range grp.Children {
			walk(c)
		}
	}
	walk(name)
	return out
}

// inOrder returns the names in set in inventory order.
func (inv *Inventory) inOrder(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return inv.order(out[i]) < inv.order(out[j]) })
	return out
}

// order is a host's position in the inventory; the implicit localhost
// comes last.
func (inv *Inventory) order(host string) int {
	if i, ok := inv.hostIndex[host]; ok {
		return i
	}
	return len(inv.hostOrder)
}

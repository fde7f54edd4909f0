# Asks the installed ansible-core which files its AnsiballZ zip holds for
# each module, for TestMembersMatchAnsible. Reads {"modules": [paths],
# "out": file} as JSON on stdin and writes to req["out"]:
#   {"ansible": <ansible package dir>, "module_utils_paths": [...],
#    "collection_paths": [...],
#    "results": [{"fqn", "style", "members" | "error"}, ...]}
# one result per module, in order. Style detection follows
# _find_module_utils; the members are what recursive_finder and
# _add_module_to_zip write, called as _find_module_utils calls them.
import json
import os
import sys
import zipfile
from io import BytesIO

req = json.load(sys.stdin)

import ansible
from ansible.executor import module_common as mc
from ansible.plugins.loader import module_utils_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

# recursive_finder parses and walks every module_utils file again for
# every module. compile() and ModuleDepFinder are pure functions of their
# arguments, so both are memoized (the syntax tree per source, the finder's
# two sets per tree, FQN and package flag) to keep the run short; every
# answer is still computed by ansible-core's own code.
_trees = {}
_compile = compile


def memo_compile(source, filename, mode, flags=0, *args, **kwargs):
    key = (bytes(source) if not isinstance(source, str) else source, filename, mode, flags)
    tree = _trees.get(key)
    if tree is None:
        tree = _trees[key] = _compile(source, filename, mode, flags, *args, **kwargs)
    return tree


_finders = {}
_ModuleDepFinder = mc.ModuleDepFinder


def memo_finder(module_fqn, tree, is_pkg_init=False):
    key = (id(tree), module_fqn, is_pkg_init)
    found = _finders.get(key)
    if found is None:
        # Its __init__ calls super(ModuleDepFinder, self): the class must
        # have its name back while it runs.
        mc.ModuleDepFinder = _ModuleDepFinder
        try:
            found = _finders[key] = _ModuleDepFinder(module_fqn, tree, is_pkg_init)
        finally:
            mc.ModuleDepFinder = memo_finder
    return found


mc.compile = memo_compile
mc.ModuleDepFinder = memo_finder


def style(data):
    if mc._is_binary(data):
        return 'binary', data
    if mc.REPLACER in data:
        return 'python', data.replace(mc.REPLACER, b'from ansible.module_utils.basic import *')
    if mc.NEW_STYLE_PYTHON_MODULE_RE.search(data):
        return 'python', data
    if mc.REPLACER_WINDOWS in data:
        return 'powershell', data
    for pat in (b'#Requires -Module', b'#Requires -Version', b'#AnsibleRequires -OSVersion',
                b'#AnsibleRequires -Powershell', b'#AnsibleRequires -CSharpUtil'):
        if mc.re.search(pat, data, mc.re.IGNORECASE):
            return 'powershell', data
    if mc.REPLACER_JSONARGS in data:
        return 'jsonargs', data
    if b'WANT_JSON' in data:
        return 'non_native_want_json', data
    return 'old', data


results = []
for path in req["modules"]:
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, 'rb') as f:
        data = f.read()
    st, data = style(data)
    try:
        fqn = mc._get_ansible_module_fqn(path)
    except ValueError:
        fqn = 'ansible.modules.%s' % name
    res = {"fqn": fqn, "style": st}
    if st == 'python':
        zf = zipfile.ZipFile(BytesIO(), mode='w')
        try:
            mc.recursive_finder(name, fqn, data, zf)
            mc._add_module_to_zip(zf, fqn, data)
            res["members"] = zf.namelist()
        except Exception as e:
            res["error"] = '%s: %s' % (type(e).__name__, e)
    results.append(res)

out = {
    "ansible": os.path.dirname(ansible.__file__),
    "module_utils_paths": [p for p in module_utils_loader._get_paths(subdirs=False) if os.path.isdir(p)]
    + [mc._MODULE_UTILS_PATH],
    "collection_paths": list(AnsibleCollectionConfig.collection_paths),
    "results": results,
}
with open(req["out"], 'w') as f:
    json.dump(out, f)

# Asks ansible-core's own loaders what a list of names resolves to, for
# TestAnsibleLoaderDiff. Reads a JSON request on stdin, prints JSON answers.
# Configuration comes from the environment the test sets (ANSIBLE_LIBRARY,
# ANSIBLE_MODULE_UTILS, ANSIBLE_COLLECTIONS_PATH, ANSIBLE_HOME, ANSIBLE_CONFIG).
# The answers go to the file req["out"]: a lookup may import (run) a module
# file, which may print.
import json
import os
import sys

req = json.load(sys.stdin)

from ansible.errors import AnsibleError
from ansible.utils.display import Display

recorded = []


def deprecated(self, msg, version=None, removed=False, date=None, collection_name=None):
    text = self.get_deprecation_message(msg, version=version, removed=removed, date=date,
                                        collection_name=collection_name)
    if removed:
        raise AnsibleError(text)
    recorded.append(text)


Display.deprecated = deprecated

from ansible.executor.module_common import CollectionModuleUtilLocator, LegacyModuleUtilLocator
from ansible.plugins.loader import add_all_plugin_dirs, module_loader, module_utils_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import (
    _get_collection_name_from_path, _get_collection_playbook_path, _get_collection_role_path)

AnsibleCollectionConfig.playbook_paths = req["playbook_dirs"]
for d in req["playbook_dirs"] + req["role_dirs"]:
    add_all_plugin_dirs(d)


def text(b):
    if isinstance(b, bytes):
        return b.decode("utf-8", "surrogateescape")
    return b


def failed(e):
    return {"error": str(e), "type": type(e).__name__}


out = {"module_dirs": module_loader._get_paths(), "modules": [], "module_utils": [], "roles": [], "playbooks": []}

for case in req["modules"]:
    del recorded[:]
    try:
        ctx = module_loader.find_plugin_with_context(case["name"], collection_list=case["collections"])
        ans = {
            "resolved": bool(ctx.resolved),
            "path": ctx.plugin_resolved_path if ctx.resolved else None,
            "fqcn": ctx.resolved_fqcn,
            "collection": ctx.plugin_resolved_collection if ctx.resolved else None,
            "action_plugin": ctx.action_plugin,
            "redirects": ctx.redirect_list,
            "errors": [str(e) for e in ctx.error_list],
        }
    except Exception as e:
        ans = failed(e)
    ans["deprecations"] = list(recorded)
    out["modules"].append(ans)

mu_paths = [p for p in module_utils_loader._get_paths(subdirs=False) if os.path.isdir(p)]
out["module_util_dirs"] = mu_paths
for name in req["module_utils"]:
    del recorded[:]
    parts = tuple(name.split("."))
    try:
        if parts[0] == "ansible_collections":
            loc = CollectionModuleUtilLocator(parts)
        else:
            loc = LegacyModuleUtilLocator(parts, mu_paths=mu_paths)
        ans = {
            "found": bool(loc.found),
            "name": ".".join(loc.fq_name_parts),
            "package": bool(loc.is_package),
            "redirected": bool(loc.redirected),
            "source": text(loc.source_code),
        }
    except Exception as e:
        ans = failed(e)
    ans["deprecations"] = list(recorded)
    out["module_utils"].append(ans)

for case in req["roles"]:
    try:
        found = _get_collection_role_path(case["name"], case["collections"])
        ans = {"found": found is not None}
        if found:
            ans.update(name=found[0], path=found[1], collection=found[2])
    except Exception as e:
        ans = failed(e)
    out["roles"].append(ans)

for name in req["playbooks"]:
    try:
        found = _get_collection_playbook_path(name)
        ans = {"found": found is not None}
        if found:
            ans.update(path=found[1], collection=found[2])
    except Exception as e:
        ans = failed(e)
    out["playbooks"].append(ans)

out["collection_of"] = [_get_collection_name_from_path(p) or "" for p in req["paths"]]

with open(req["out"], "w") as f:
    json.dump(out, f)

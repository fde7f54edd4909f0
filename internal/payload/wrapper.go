package payload

import "text/template"

// The per-task wrapper: a Python script of our own that does what
// ansible-core's AnsiballZ wrapper does, so that a module sees the same
// world. It makes sure a working directory exists; optionally sets
// RLIMIT_NOFILE; drops ”, '.' and its own directory from sys.path; writes
// the zip into a new directory in the system temp dir (not the task's
// remote tmp, which an async task outlives) named
// ansible_<module>_payload_*; appends a sitecustomize.py to the zip that
// puts it first on sys.path (for a Python the module starts itself, as
// respawn does); puts the zip first on its own sys.path; hands the
// arguments to ansible.module_utils.basic as _ANSIBLE_ARGS; runs the module
// as __main__ with runpy (alter_sys, and the _module_fqn and _modlib_path
// globals respawn reads); prints Ansible's "New-style module did not handle
// its own exit" failure when the module returns; and removes the directory
// in a finally. It runs under Python 2.7 and 3. ansible-core's debug
// subcommands (explode, execute) are left out.
var wrapperTemplate = template.Must(template.New("wrapper").Parse(`{{.Shebang}}
# -*- coding: utf-8 -*-
# Written by jetplay: runs one Ansible module from the zip below as
# ansible-core's AnsiballZ wrapper does.
_ANSIBALLZ_WRAPPER = True


def _jetplay_run():
    import os
    import sys

    try:
        os.getcwd()
    except OSError:
        try:
            os.chdir(os.path.expanduser('~'))
        except OSError:
            os.chdir('/')
{{- if gt .Rlimit 0}}

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, {{.Rlimit}})
    if want != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except ValueError:
            pass
{{- end}}

    import __main__
    here = None
    try:
        here = os.path.dirname(os.path.realpath(__main__.__file__))
    except (AttributeError, OSError):
        pass
    sys.path = [p for p in sys.path if p not in ('', '.', here)]

    import base64
    import runpy
    import shutil
    import tempfile
    import zipfile

    params = {{.Params}}
    if sys.version_info[0] >= 3:
        params = params.encode('utf-8')
    fqn = {{.FQN}}
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix={{.Prefix}})
        zpath = os.path.join(tmp, {{.ZipName}})
        f = open(zpath, 'wb')
        try:
            f.write(base64.b64decode(_JETPLAY_ZIP))
        finally:
            f.close()
        z = zipfile.ZipFile(zpath, mode='a')
        try:
            z.writestr(zipfile.ZipInfo('sitecustomize.py', (1980, 1, 1, 0, 0, 0)),
                       ('import sys\nsys.path.insert(0, %r)\n' % zpath).encode('utf-8'))
        finally:
            z.close()
        sys.path.insert(0, zpath)
        from ansible.module_utils import basic
        basic._ANSIBLE_ARGS = params
        runpy.run_module(mod_name=fqn, init_globals=dict(_module_fqn=fqn, _modlib_path=zpath),
                         run_name='__main__', alter_sys=True)
        print('{"msg": "New-style module did not handle its own exit", "failed": true}')
        sys.exit(1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, True)


_JETPLAY_ZIP = """{{.Zip}}"""

if __name__ == '__main__':
    _jetplay_run()
`))

type wrapperData struct {
	Shebang string
	Prefix  string // Python literals from here to FQN
	ZipName string
	FQN     string
	Params  string
	Zip     string // base64
	Rlimit  int
}

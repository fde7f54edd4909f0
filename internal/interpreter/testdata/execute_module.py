# Runs ansible-core's own ActionBase._execute_module (with
# _parse_returned_data and remove_internal_keys) on canned command results,
# the module build and transport stubbed out, and prints what it returns
# and what it printed as warnings. Input: a JSON list of cases on stdin;
# output: a JSON list of {"values", "display"}.
import json
import sys
from unittest import mock

import ansible.plugins.action as action
import ansible.vars.clean as clean
from ansible.plugins.action import ActionBase


class Stub(ActionBase):
    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


def execute(case):
    shown = []

    def warning(msg, *args, **kwargs):
        shown.append(msg)

    a = Stub.__new__(Stub)
    a._task = mock.MagicMock(async_val=0, environment=[], action='m')
    a._connection = mock.MagicMock(always_pipeline_modules=False)
    a._connection._shell.tmpdir = None
    a._discovered_interpreter_key = None
    a._discovered_interpreter = False
    a._discovery_warnings = []
    a._discovery_deprecation_warnings = []
    a._used_interpreter = None
    a._cleanup_remote_tmp = False
    if case.get('discovered'):
        a._discovered_interpreter_key = 'discovered_interpreter_python'
        a._discovered_interpreter = case['discovered']
        a._discovery_warnings = list(case.get('discovery_warnings') or [])
    a._is_pipelining_enabled = lambda *args, **kwargs: True
    a._update_module_args = lambda *args, **kwargs: None
    a._configure_module = lambda **kwargs: (case['style'], case['shebang'], b'payload', '/lib/m.py')
    a._compute_environment_string = lambda *args, **kwargs: ''
    a._low_level_execute_command = lambda *args, **kwargs: dict(rc=case['rc'], stdout=case['stdout'], stderr=case['stderr'])
    with mock.patch.object(action.display, 'warning', warning), mock.patch.object(clean.display, 'warning', warning):
        values = a._execute_module(module_name='m', module_args={}, task_vars={})
    return {'values': values, 'display': shown}


json.dump([execute(c) for c in json.load(sys.stdin)], sys.stdout)

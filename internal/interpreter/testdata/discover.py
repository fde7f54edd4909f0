# Runs ansible-core's own discover_interpreter on canned probe outputs (a
# stub action answers its two commands) and prints what it chose, the
# warnings it added to the result, those it printed, and the commands it
# ran. Input: a JSON list of cases on stdin; output: a JSON list.
import json
import sys
from unittest import mock

import ansible.executor.interpreter_discovery as discovery


def discover(case):
    shown = []
    calls = []

    class Connection:
        has_pipelining = True

    class Action:
        _connection = Connection()

        def __init__(self):
            self._discovery_warnings = []

        def _low_level_execute_command(self, cmd, sudoable=True, in_data=None, **kwargs):
            calls.append({'cmd': cmd, 'sudoable': sudoable, 'stdin': in_data is not None})
            if in_data is None:
                return {'stdout': case['bootstrap'], 'stderr': '', 'rc': 0}
            return {'stdout': case['platform'], 'stderr': '', 'rc': 0}

    def warning(msg, *args, **kwargs):
        shown.append(msg)

    action = Action()
    task_vars = {}
    if case.get('host'):
        task_vars['inventory_hostname'] = case['host']
    if case.get('fallback') is not None:
        task_vars['ansible_interpreter_python_fallback'] = case['fallback']
    with mock.patch.object(discovery.display, 'warning', warning):
        chosen = discovery.discover_interpreter(action, 'python', case['mode'], task_vars)
    return {'interpreter': chosen, 'warnings': action._discovery_warnings, 'display': shown, 'calls': calls}


json.dump([discover(c) for c in json.load(sys.stdin)], sys.stdout)

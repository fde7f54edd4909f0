# Records the callback events of an ansible-playbook run as JSON lines, so
# that the Go tests can replay them through internal/report and compare the
# output with what Ansible printed in the same run. See record.sh.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: recorder
    type: notification
    short_description: record callback events for golden tests
    description: writes one JSON object per event to $RECORDER_FILE
'''


def now():
    return '%sZ' % datetime.datetime.utcnow().isoformat()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'recorder'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._f = open(os.environ['RECORDER_FILE'], 'w')
        self._play = None

    def _emit(self, **ev):
        self._f.write(json.dumps(ev, cls=AnsibleJSONEncoder) + '\n')
        self._f.flush()

    def _task(self, task):
        return dict(name=task.get_name(), action=task.action, id=str(task._uuid), path=task.get_path() or '')

    def v2_playbook_on_play_start(self, play):
        self._play = play
        self._emit(event='play', name=play.get_name(), id=str(play._uuid), path=play.get_path() or '',
                   strategy=play.strategy, start=now())

    def v2_playbook_on_no_hosts_matched(self):
        self._emit(event='no_hosts', pattern=','.join(self._play.hosts))

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit(event='task', start=now(), **self._task(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._emit(event='task', handler=True, start=now(), **self._task(task))

    def _host(self, result, status, ignored=False):
        t = result._task
        delegated = ''
        if t.delegate_to and t.delegate_to != result._host.get_name():
            delegated = t.delegate_to
        self._emit(event='host', host=result._host.get_name(), status=status, ignored=ignored,
                   delegated=delegated, result=result._result, end=now(), **{'task': self._task(t)})

    def v2_runner_on_ok(self, result):
        self._host(result, 'changed' if result._result.get('changed', False) else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._host(result, 'failed', ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._host(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._host(result, 'unreachable', bool(result._task.ignore_unreachable))

    def _item(self, result, status):
        t = result._task
        delegated = ''
        if t.delegate_to and t.delegate_to != result._host.get_name():
            delegated = t.delegate_to
        r = result._result
        self._emit(event='item', host=result._host.get_name(), status=status,
                   ignored=bool(t.ignore_errors) and status == 'failed', delegated=delegated,
                   item=r.get(r.get('ansible_loop_var', 'item')), label=r.get('_ansible_item_label'),
                   result=r, task=self._task(t))

    def v2_runner_item_on_ok(self, result):
        self._item(result, 'changed' if result._result.get('changed', False) else 'ok')

    def v2_runner_item_on_failed(self, result):
        self._item(result, 'failed')

    def v2_runner_item_on_skipped(self, result):
        self._item(result, 'skipped')

    def v2_runner_retry(self, result):
        self._emit(event='retry', host=result._host.get_name(), task_name=result.task_name or str(result._task),
                   retries_left=result._result['retries'] - result._result['attempts'])

    def v2_runner_on_async_poll(self, result):
        self._emit(event='async_poll', host=result._host.get_name(), jid=result._result.get('ansible_job_id'))

    def v2_runner_on_async_ok(self, result):
        self._emit(event='async_ok', host=result._host.get_name(), jid=result._result.get('ansible_job_id'))

    def v2_runner_on_async_failed(self, result):
        jid = result._result.get('ansible_job_id')
        if not jid and 'async_result' in result._result:
            jid = result._result['async_result'].get('ansible_job_id')
        self._emit(event='async_failed', host=result._host.get_name(), jid=jid)

    def v2_playbook_on_stats(self, stats):
        self._emit(event='stats', stats=dict((h, stats.summarize(h)) for h in sorted(stats.processed)))

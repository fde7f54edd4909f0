#!/bin/sh
# Regenerates golden/ from playbooks/ with the ansible-playbook on this
# machine (recorded with ansible-core 2.14.18). Each run writes Ansible's
# stdout, stderr and exit code next to the events the recorder callback saw in
# that same run, so a replay through internal/report must print the same bytes.
#
#   sh testdata/record.sh            (from internal/report)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=/tmp/jetplay-golden   # fixed, because task paths appear in the JSON
rm -rf "$work" && mkdir -p "$work" && cp "$here"/playbooks/* "$work"/
out="$here/golden"
mkdir -p "$out"

export ANSIBLE_CALLBACK_PLUGINS="$here" ANSIBLE_CALLBACKS_ENABLED=recorder
export ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_NOCOLOR=1
unset ANSIBLE_FORCE_COLOR || true

# run NAME PLAYBOOK VARIANT [ansible-playbook args...]
run() {
    name=$1 book=$2 variant=$3; shift 3
    base="$out/$name$variant"
    cd "$work"
    set +e
    RECORDER_FILE="$base.events" ansible-playbook -i inventory.ini "$@" "$book" >"$base.stdout" 2>"$base.stderr"
    echo $? >"$base.rc"
    set -e
}

for pb in basic hosts async nohosts fail_unreach fail_then_ok unreach_then_ok fail_then_unreach; do
    run "$pb" "$pb.yml" ""
    RECORDER_FILE="$out/$pb.json.events" ANSIBLE_STDOUT_CALLBACK=json \
        ansible-playbook -i inventory.ini "$pb.yml" >"$out/$pb.json" 2>/dev/null || true
done
run basic basic.yml .v -v
run basic basic.yml .vv -vv
ANSIBLE_NOCOLOR=0 ANSIBLE_FORCE_COLOR=1 run basic basic.yml .color
ANSIBLE_NOCOLOR=0 ANSIBLE_FORCE_COLOR=1 run hosts hosts.yml .color
ANSIBLE_NOCOLOR=0 ANSIBLE_FORCE_COLOR=1 run async async.yml .color
rm -rf "$work"

// Package coldpath holds BenchmarkColdPath: the cost per module task of
// jetplay's host-side cold path (collection.Resolve, payload.Build once,
// payload.Wrapper and interpreter.Run per task over one pooled OpenSSH
// connection) side by side with ansible-playbook (pipelining, ControlPersist)
// running the same tasks against the same sshd, and the floor: an exec of
// `python3 -c pass` over an open x/crypto/ssh connection. The executor does
// not use this path yet; the figures are those of the layer below it.
//
//	go test -run '^$' -bench ColdPath -benchtime 20x ./bench/coldpath
//
// Each sub-benchmark reports ns/op (wall per task), host-cpu-ms/op (CPU of
// the sshd process tree per task: sshd itself, the shell and the module's
// Python) and ctl-cpu-ms/op (CPU of the controller per task: this process
// for jetplay and the floor, ansible-playbook and the processes it waited
// for for Ansible). Ansible's figures are marginal: a run of one warm-up
// ping plus b.N tasks minus a run of the warm-up ping alone, so that its
// start-up is not counted per task; its start-up is reported as
// startup-ms. jetplay's warm-up (connection, first task) runs before the
// timer. It needs /usr/sbin/sshd and ansible-playbook (root to create the
// login user sshdtest.TestUser); without them it is skipped, unless CI is
// set.
package coldpath

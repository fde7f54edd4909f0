// Package conn is how a command reaches a host: the local connection runs it
// as a child process of the executor, the ssh connection runs it on a remote
// host over a pooled SSH connection. Both kill the command's whole process
// group on a deadline or cancellation. The package knows nothing of NATS.
package conn

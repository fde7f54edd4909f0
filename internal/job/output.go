package job

// Output limits: a chatty job cannot flood the bus or the bucket.
const (
	// MaxLiveOutput is how many bytes of a job's output are streamed live;
	// past it chunks are dropped and counted.
	MaxLiveOutput = 1 << 20
	// OutputChunkBytes bounds one live output message's data.
	OutputChunkBytes = 16 << 10
	// MaxResultOutput is how much of stdout and of stderr the final status
	// record keeps: the tail, with <name>_truncated counting what was cut.
	MaxResultOutput = 256 << 10
)

// OutputChunk is one message on OutputSubject(jid).
type OutputChunk struct {
	// JID is the job.
	JID ID `json:"jid"`
	// Seq numbers the job's chunks from 1.
	Seq int `json:"seq"`
	// Stream is "stdout" or "stderr" (empty on the EOF marker).
	Stream string `json:"stream,omitempty"`
	// Data is the output text.
	Data string `json:"data,omitempty"`
	// EOF marks the job's last chunk: its command ended.
	EOF bool `json:"eof,omitempty"`
	// Dropped counts bytes not streamed because of MaxLiveOutput (on EOF).
	Dropped int64 `json:"dropped,omitempty"`
}

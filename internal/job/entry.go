package job

// StatusEntry is a status record as a watch on the bucket delivers it: the
// job, the bucket revision of the write, and the record undecoded.
type StatusEntry struct {
	// JID is the job (the record's key).
	JID ID
	// Revision is the bucket's revision of the write; revisions grow across
	// the whole bucket, so a watch on many keys sees them in order.
	Revision uint64
	// Value is the record's JSON (DecodeStatus); nil when the record was
	// deleted or purged (or aged out).
	Value []byte
}

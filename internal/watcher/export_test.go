package watcher

// WatchPatternsForTest exposes watchPatterns to the external tests.
var WatchPatternsForTest = watchPatterns

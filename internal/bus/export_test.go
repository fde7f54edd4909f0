package bus

import "time"

// OnRewatchForTest has f called each time a status watch of b has been
// re-opened after a reconnect. Set it before the watch starts.
func OnRewatchForTest(b *Bus, f func()) { b.onRewatch = f }

// SetNowForTest replaces the clock PutPayload ages stored payloads by.
func SetNowForTest(b *Bus, now func() time.Time) { b.now = now }

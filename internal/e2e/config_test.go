package e2e

import (
	"time"

	"github.com/jetplay/jetplay/internal/bus"
)

// busConfig keeps AckWait short so that redelivery tests do not wait long.
func busConfig() bus.Config { return bus.Config{AckWait: 3 * time.Second} }

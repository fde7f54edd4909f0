package cli

import (
	"fmt"
	"time"
)

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func secondsDur(n int) time.Duration { return time.Duration(n) * time.Second }

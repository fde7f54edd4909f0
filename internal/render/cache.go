package render

import (
	"sync"
	"sync/atomic"
)

// defaultCacheSize bounds the number of parsed templates kept by an Engine.
const defaultCacheSize = 4096

// cache maps template text to its parse result. It is bounded: once full,
// about a quarter of the entries are dropped in map order, which is cheap and
// good enough for the workload (a few hundred distinct templates rendered for
// thousands of hosts).
type cache struct {
	m    sync.Map // cacheKey -> *compiled
	n    atomic.Int64
	max  int64
	trim sync.Mutex
}

// cacheKey is a template's text and how its string literals are read.
type cacheKey struct {
	src     string
	rawVars bool
}

func newCache(size int) *cache {
	return &cache{max: int64(size)}
}

func (c *cache) get(key cacheKey) (*compiled, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*compiled), true
}

func (c *cache) put(key cacheKey, v *compiled) *compiled {
	actual, loaded := c.m.LoadOrStore(key, v)
	if loaded {
		return actual.(*compiled)
	}
	if c.n.Add(1) > c.max {
		c.evict()
	}
	return v
}

// evict drops entries until the cache is at three quarters of its bound.
func (c *cache) evict() {
	if !c.trim.TryLock() {
		return
	}
	defer c.trim.Unlock()
	target := c.max * 3 / 4
	c.m.Range(func(k, _ any) bool {
		if c.n.Load() <= target {
			return false
		}
		if _, ok := c.m.LoadAndDelete(k); ok {
			c.n.Add(-1)
		}
		return true
	})
}

func (c *cache) len() int { return int(c.n.Load()) }

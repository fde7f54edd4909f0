package report

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/jetplay/jetplay/internal/pyrepr"
)

// KV is one entry of a Dict.
type KV struct {
	Key   string
	Value any
}

// Dict is a mapping that keeps its insertion order, as Python dicts do. Use
// it for loop items whose text form must match Ansible's
// "(item={'name': 'x', 'val': 1})". JSON output sorts keys like Ansible.
type Dict []KV

// Keys returns the keys in order.
func (d Dict) Keys() []string {
	keys := make([]string, len(d))
	for i, kv := range d {
		keys[i] = kv.Key
	}
	return keys
}

// Get returns the value of key and whether it is present.
func (d Dict) Get(key string) (any, bool) {
	for _, kv := range d {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// MarshalJSON encodes d as a JSON object in its order.
func (d Dict) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// orderedMapping is any ordered mapping another package may pass (Dict is
// one).
type orderedMapping interface {
	Keys() []string
	Get(key string) (any, bool)
}

// normalize deep-copies v into the value kinds the printers know:
// map[string]any, Dict, []any, string, bool, nil, json.Number, int64,
// uint64, float64 and pyrepr.Float (a float that prints as one: 4.0).
// Other values go through encoding/json.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool, json.Number, int64, uint64, float64, pyrepr.Float:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = normalize(e)
		}
		return l
	case orderedMapping:
		keys := x.Keys()
		d := make(Dict, 0, len(keys))
		for _, k := range keys {
			e, _ := x.Get(k)
			d = append(d, KV{k, normalize(e)})
		}
		return d
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: as encoding/json does (base64)
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = normalize(rv.Index(i).Interface())
		}
		return l
	case reflect.Map:
		if rv.IsNil() {
			return nil
		}
		if rv.Type().Key().Kind() == reflect.String {
			m := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				m[it.Key().String()] = normalize(it.Value().Interface())
			}
			return m
		}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return reflect.TypeOf(v).String()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return string(raw)
	}
	return out
}

// copyResult deep-copies a result map (nil gives an empty map).
func copyResult(r map[string]any) map[string]any {
	if r == nil {
		return map[string]any{}
	}
	return normalize(r).(map[string]any)
}

// truthy is Python's truth value of a JSON-like value.
func truthy(v any) bool { return pyrepr.Truthy(v) }

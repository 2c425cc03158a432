package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
)

// WithRegistries is the content of the configuration file at path with hosts added to its registries,
// every other key kept as it was; before is the file as it is (nil when absent). The result is checked as
// Load would read it, so that what is written is never a file acrdiag refuses.
func WithRegistries(path string, hosts []string) (before, after []byte, err error) {
	before, err = os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	keys := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(before)) > 0 {
		if err := json.Unmarshal(before, &keys); err != nil {
			return nil, nil, jsonError(before, err)
		}
		if keys == nil { // the file says null
			keys = map[string]json.RawMessage{}
		}
	}
	registries := []string{}
	if raw, ok := keys["registries"]; ok {
		if err := json.Unmarshal(raw, &registries); err != nil {
			return nil, nil, fmt.Errorf("invalid JSON: %q must be a list of login servers: %w", "registries", err)
		}
	}
	for _, h := range hosts {
		if !slices.Contains(registries, h) {
			registries = append(registries, h)
		}
	}
	if keys["registries"], err = json.Marshal(registries); err != nil {
		return nil, nil, err
	}
	after, err = json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	after = append(after, '\n')
	var c Config
	if err := json.Unmarshal(after, &c); err != nil {
		return nil, nil, jsonError(after, err)
	}
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	return before, after, nil
}

package dockerconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/acrdiag/acrdiag/internal/atomicfile"
)

// RecordSuffix names the record of what acrdiag changed in config.json, beside it.
const RecordSuffix = ".acrcheck-changes"

const (
	pluginName  = "acrcheck"
	secHelpers  = "credHelpers"
	secPlugin   = "plugins.acrcheck"
	secFeatures = "features"
)

// entry is one key acrdiag set: the value it wrote and the value before the first setup (nil: absent).
type entry struct {
	Section string  `json:"section"`
	Key     string  `json:"key"`
	Set     string  `json:"set"`
	Was     *string `json:"was"`
}

// record is the change record: every key acrdiag set, the digest of what it last wrote, and whether
// nobody else changed the file between its setups (then the backup is still the whole truth).
type record struct {
	Wrote    string  `json:"wrote"`
	Pristine bool    `json:"pristine"`
	Created  bool    `json:"created,omitempty"` // the file did not exist before the first setup
	Entries  []entry `json:"entries"`
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// maxRecord bounds the record read: a few hundred entries at most.
const maxRecord = 1 << 20

func readRecord(target string) (record, error) {
	var r record
	st, err := os.Stat(target + RecordSuffix)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if st.Size() > maxRecord {
		return r, fmt.Errorf("%s is %d bytes, more than a change record can be: remove it", target+RecordSuffix, st.Size())
	}
	b, err := os.ReadFile(target + RecordSuffix)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s is corrupt (%w): remove it, then undo can only restore %s", target+RecordSuffix, err, target+BackupSuffix)
	}
	return r, nil
}

// add notes a Save: before is the file as it was, after what acrdiag writes. For a key acrdiag set
// before, the value from before the first setup is kept.
func (r *record) add(before, after []byte, changes []entry) {
	if r.Wrote == "" {
		r.Created = before == nil
	}
	r.Pristine = r.Wrote == "" || (r.Pristine && r.Wrote == digest(before))
	r.Wrote = digest(after)
	for _, c := range changes {
		found := false
		for i, e := range r.Entries {
			if e.Section == c.Section && e.Key == c.Key {
				r.Entries[i].Set, found = c.Set, true
			}
		}
		if !found {
			r.Entries = append(r.Entries, c)
		}
	}
}

func (r record) write(target string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(target+RecordSuffix, b, 0o600)
}

package plugin

import (
	"bytes"
	"os"
	"strconv"
)

// parentArgs are the arguments of the process that ran the hook: the docker CLI, with the image or the
// registry the failed command used, which the hook request does not carry.
func parentArgs() []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(os.Getppid()) + "/cmdline")
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var args []string
	for _, a := range bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0}) {
		args = append(args, string(a))
	}
	return args
}

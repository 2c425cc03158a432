package check

import (
	"bytes"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// machine is what the docker_sides check reads about the user and the process beyond the CLI's own
// configuration: whether it runs under sudo, the environment sudo was run with, and users' homes.
// Tests replace it.
type machine struct {
	euid    int
	getenv  func(string) string
	sudoEnv func() map[string]string // the environment the user ran sudo with; nil when unknown
	homeOf  func(name string) string // a user's home directory, "" when unknown
	wsl     bool                     // Linux under the Windows Subsystem for Linux
}

func realMachine() machine {
	return machine{euid: os.Geteuid(), getenv: os.Getenv, sudoEnv: sudoEnviron, homeOf: homeOf, wsl: isWSL()}
}

func homeOf(name string) string {
	u, err := user.Lookup(name)
	if err != nil {
		return ""
	}
	return u.HomeDir
}

// isWSL: WSL sets WSL_DISTRO_NAME for every process, and its kernel names Microsoft.
func isWSL() bool {
	if os.Getenv("WSL_DISTRO_NAME") != "" {
		return true
	}
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.Contains(strings.ToLower(string(b)), "microsoft")
}

// sudoEnviron is the environment of the nearest sudo among this process's ancestors (sudo stays the
// parent of the command it runs): what the user's shell exported before sudo reset it. Linux only; nil
// when there is no sudo ancestor or its environment cannot be read.
func sudoEnviron() map[string]string {
	if runtime.GOOS != "linux" {
		return nil
	}
	pid := os.Getppid()
	for range 8 { // plugin <- docker <- sudo, with room for a wrapper or two
		if pid <= 1 {
			return nil
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
		if strings.TrimSpace(string(comm)) == "sudo" {
			raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
			if err != nil {
				return nil
			}
			env := map[string]string{}
			for _, kv := range bytes.Split(raw, []byte{0}) {
				if k, v, ok := strings.Cut(string(kv), "="); ok {
					env[k] = v
				}
			}
			return env
		}
		pid = parentOf(pid)
	}
	return nil
}

// parentOf reads a process's parent id from /proc/PID/stat (the field after the parenthesised name).
func parentOf(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

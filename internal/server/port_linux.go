package server

import "os"

// portListening reports whether a socket listens on port, from
// /proc/net/tcp and /proc/net/tcp6; known is false when neither could be
// read.
func portListening(port int) (listening, known bool) {
	for _, path := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		l, err := listensOn(f, port)
		f.Close()
		if err != nil {
			continue
		}
		known = true
		if l {
			return true, true
		}
	}
	return false, known
}

package server

import (
	"net"
	"strings"
	"testing"
)

// procNetTCP is /proc/net/tcp as Linux writes it: a listener on
// 127.0.0.1:18100 (0x46B4), a connection in TIME_WAIT (06) from port
// 18101 (0x46B5), and an established one (01) to port 18102 (0x46B6).
const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46B4 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123 1 0000000000000000 100 0 0 10 0
   1: 0100007F:46B5 0100007F:A2C4 06 00000000:00000000 03:00000F3A 00000000     0        0 0 3 0000000000000000
   2: 0100007F:A2C6 0100007F:46B6 01 00000000:00000000 00:00000000 00000000  1000        0 456 1 0000000000000000 20 4 30 10 -1
`

func TestListensOn(t *testing.T) {
	for _, tc := range []struct {
		port int
		want bool
	}{
		{18100, true},   // listening
		{18101, false},  // only a connection in TIME_WAIT
		{18102, false},  // a remote port
		{0xA2C6, false}, // a client's local port, established
		{9999, false},
	} {
		got, err := listensOn(strings.NewReader(procNetTCP), tc.port)
		if err != nil || got != tc.want {
			t.Errorf("port %d: listening %v, err %v; want %v", tc.port, got, err, tc.want)
		}
	}
}

func TestCheckPortFreeRefusesAListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if err := CheckPortFree(port); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("CheckPortFree(%d) with a listener: %v, want already in use", port, err)
	}
	ln.Close()
	if err := CheckPortFree(port); err != nil {
		t.Errorf("CheckPortFree(%d) after the listener closed: %v", port, err)
	}
}

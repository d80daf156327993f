// Exercise 1 in Go: correct, and it passes; but the record shows Go's
// runtime (a nonblocking socket, connect = -1 EINPROGRESS, epoll on
// threads of its own), not the calls the student wrote.
package main

import (
	"io"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Getenv("SOCKLAB_HOST")+":"+os.Getenv("SOCKLAB_PORT"))
	if err != nil {
		os.Exit(1)
	}
	b, _ := io.ReadAll(c)
	c.Close()
	os.Stdout.Write(b)
}

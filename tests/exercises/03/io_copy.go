// Exercise 3 in Go: a correct echo server that fails recv_until_zero,
// because io.Copy between two TCP connections moves the bytes with
// splice(2), which is no recv or read.
package main

import (
	"io"
	"net"
	"os"
)

func main() {
	l, err := net.Listen("tcp", os.Getenv("SOCKLAB_HOST")+":"+os.Getenv("SOCKLAB_PORT"))
	if err != nil {
		os.Exit(1)
	}
	for i := 0; i < 3; i++ {
		c, err := l.Accept()
		if err != nil {
			os.Exit(1)
		}
		io.Copy(c, c)
		c.Close()
	}
	l.Close()
}

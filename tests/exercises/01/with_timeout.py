"""Exercise 1 in Python, correct, with a timeout: CPython then makes the
socket nonblocking (ioctl FIONBIO), connect returns -1 EINPROGRESS and
CPython waits for it with poll; the grader reads that connect as the
connection it is."""
import os
import socket
import sys

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
s = socket.create_connection(addr, timeout=5)
greeting = b""
while True:
    piece = s.recv(64)
    if not piece:
        break
    greeting += piece
s.close()
sys.stdout.buffer.write(greeting)

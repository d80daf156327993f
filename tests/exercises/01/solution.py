"""Exercise 1, reference solution in Python: connect to
SOCKLAB_HOST:SOCKLAB_PORT, recv until it returns b"" (the server closed),
print every byte received, close the socket. Standard library only."""
import os
import socket
import sys

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(addr)
    greeting = b""
    while True:
        piece = s.recv(64)
        if not piece:
            break
        greeting += piece
sys.stdout.buffer.write(greeting)

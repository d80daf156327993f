"""Exercise 4, reference solution in Python: connect to
SOCKLAB_HOST:SOCKLAB_PORT and copy the 100 KB stream to stdout, each piece
as recv returns it, until recv returns b"" (the server closed). Standard
library only."""
import os
import socket
import sys

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
out = sys.stdout.buffer
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(addr)
    while True:
        piece = s.recv(4096)
        if not piece:
            break
        out.write(piece)
out.flush()

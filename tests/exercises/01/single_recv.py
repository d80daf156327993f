"""Exercise 1, wrong in Python: one recv, as if the greeting came in one
piece. It arrives in several, so the rest is lost (recv_until_zero)."""
import os
import socket
import sys

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(addr)
    sys.stdout.buffer.write(s.recv(1024))

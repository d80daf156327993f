"""Exercise 2 in Python, with a mistake the record cannot show: the
program never calls close on the socket accept returned, but CPython
closes it when the socket object is freed at exit, so the kernel's
record holds a close all the same (compare keeps_accepted_fd.py, which
leaves with os._exit and skips that)."""
import os
import socket

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(addr)
listener.listen(16)
conn, _ = listener.accept()
line = b""
while b"\n" not in line:
    piece = conn.recv(256)
    if not piece:
        break
    line += piece
conn.sendall(line)
listener.close()

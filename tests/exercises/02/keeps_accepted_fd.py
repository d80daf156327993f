"""Exercise 2, wrong in Python: answers, closes the listening socket, but
never closes the socket accept returned; os._exit leaves it to the kernel
(accepted_fds_closed)."""
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
os._exit(0)

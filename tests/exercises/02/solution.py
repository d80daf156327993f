"""Exercise 2, reference solution in Python: a one-shot server. Listen on
SOCKLAB_HOST:SOCKLAB_PORT, accept one client, recv its request up to the
end of its line, send the line back, close the client's socket, then the
listening one. Standard library only."""
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
conn.close()
listener.close()

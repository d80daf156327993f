"""Exercise 3, reference solution in Python: an iterative echo server. One
listening socket on SOCKLAB_HOST:SOCKLAB_PORT; three clients in turn:
accept, send back each piece recv returns until it returns b"" (the
client half-closed), close the client's socket; then close the listening
socket. Standard library only."""
import os
import socket

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(addr)
listener.listen(16)
for _ in range(3):
    conn, _ = listener.accept()
    while True:
        piece = conn.recv(64)
        if not piece:
            break
        conn.sendall(piece)
    conn.close()
listener.close()

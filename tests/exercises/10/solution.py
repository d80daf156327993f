"""Exercise 10, reference solution in Python: one thread serves every
client at once. selectors picks the best call this system has (epoll
here): the listening socket and each client's socket are registered
for reading; a ready listener means accept will not block, a ready
client means recv will not. A client whose recv returns b'' has
half-closed: it is unregistered and closed. So is a client that reset
its connection (it closed with SO_LINGER {on, 0}, so an RST came): its
recv raises ConnectionResetError (ECONNRESET), which ends that client,
not the server. After the third client has come and gone, the program
ends."""
import os
import selectors
import socket

CLIENTS = 3  # client 1 (silent a while), client 2, one that resets

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind((os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"])))
listener.listen(16)
sel = selectors.DefaultSelector()
sel.register(listener, selectors.EVENT_READ)
accepted, open_clients = 0, 0
while accepted < CLIENTS or open_clients > 0:
    for key, _ in sel.select():
        sock = key.fileobj
        if sock is listener:
            conn, _ = listener.accept()
            sel.register(conn, selectors.EVENT_READ)
            accepted += 1
            open_clients += 1
            if accepted == CLIENTS:
                sel.unregister(listener)
                listener.close()
            continue
        try:
            data = sock.recv(256)
        except ConnectionResetError:
            data = b""  # the client reset its connection: it is gone
        if data:
            sock.sendall(data)
        else:
            sel.unregister(sock)
            sock.close()
            open_clients -= 1
sel.close()

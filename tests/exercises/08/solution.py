"""Exercise 8, reference solution in Python: the server at
SOCKLAB_HOST:SOCKLAB_PORT starts late. On ECONNREFUSED close that socket,
wait 100 ms and try again with a new one, up to 20 tries; then read the
greeting until recv returns b"" (0), print it, close.

Python is slow to start under strace (most of a second here): the grader's
server starts late counting from the program's first connect, so the
first tries are refused all the same."""
import os
import socket
import sys
import time

addr = (os.environ["SOCKLAB_HOST"], int(os.environ["SOCKLAB_PORT"]))
for attempt in range(1, 21):
    # A new socket per try: after a failed connect POSIX leaves the old
    # one's state unspecified.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect(addr)
        break
    except ConnectionRefusedError:
        s.close()
        if attempt == 20:
            sys.exit("connect: refused 20 times")
        time.sleep(0.1)
while True:
    piece = s.recv(64)
    if not piece:
        break
    sys.stdout.buffer.write(piece)
s.close()

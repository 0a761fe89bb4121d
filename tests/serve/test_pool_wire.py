"""A pool host's pipe with two writers: a page's "want" (the script thread) while the
supervisor sends a command over 16 KiB (a parked run on "load"). Each message must reach the
child whole; interleaved bytes broke its framing (it then waited for bytes that never came)."""
import threading
import time

from playground.serve.pool import Host

BIG = 2**20  # bytes: a pickle this size goes out in several writes


def sizes(conn):
    """A host that answers ("size", seq, payload) with len(payload) and counts "want"s."""
    wants = 0
    while True:
        msg = conn.recv()
        if msg[0] == "close":
            return
        if msg[0] == "want":
            wants += 1
        elif msg[0] == "size":
            conn.send(("reply", msg[1], True, (len(msg[2]), wants)))


def test_a_big_command_and_wants_from_another_thread_arrive_whole():
    host = Host("wire-test", target=sizes)
    done = threading.Event()

    def want() -> None:
        while not done.is_set():
            host.send("want")
            time.sleep(1e-4)  # a lock is not fair: a tight loop would starve the command

    try:
        host.ensure()
        spammer = threading.Thread(target=want, daemon=True)
        spammer.start()
        seen = []
        for _ in range(4):
            size, wants = host.call("size", b"x" * BIG, timeout=60)
            assert size == BIG
            seen.append(wants)
        assert seen[-1] > seen[0]  # the wants did arrive in between, and were read as wants
    finally:
        done.set()
        host.close()

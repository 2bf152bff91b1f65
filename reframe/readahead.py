"""Reading ahead: an iterator's items made by a background thread, a bounded number in advance."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator


def read_ahead(items: Iterable, depth: int) -> Iterator:
    """Iterate ``items`` produced by a background thread, at most ``depth`` ahead.

    Decoding (FFmpeg), scaling (swscale) and OpenCV release the GIL, so the
    producer's work overlaps with the consumer's on another core; the
    bounded queue keeps memory to ``depth`` items. An exception in the
    producer is raised in the consumer; when the consumer stops early the
    producer is stopped too.

    >>> list(read_ahead(range(5), 2))
    [0, 1, 2, 3, 4]
    """
    done = object()
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as e:  # handed to the consumer, raised there
            put((done, e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator stopped early cleans up here, in its own thread

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = q.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()

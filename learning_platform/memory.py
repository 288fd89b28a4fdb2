"""A worker's short memory: a value worked out once and reused for a few seconds."""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from time import monotonic
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def remembered(
    store: str, key: Hashable, seconds: float, work_out: Callable[[], T], *, size: int
) -> T:
    """`work_out()`, remembered by this worker process for `seconds` under `key` in `store`.

    At most `size` values are kept per store, the least recently used going first. With
    `seconds` at 0 or below nothing is remembered (the tests' default).
    """
    if seconds <= 0:
        return work_out()
    values = current_app.extensions.setdefault(f"remembered:{store}", OrderedDict())
    clock = monotonic()
    hit = values.get(key)
    if hit is not None and hit[0] > clock:
        values.move_to_end(key)
        return hit[1]
    value = work_out()
    values[key] = (clock + seconds, value)
    values.move_to_end(key)
    while len(values) > size:
        values.popitem(last=False)
    return value

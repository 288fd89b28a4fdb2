"""The worker's short memory behind remembered feed validators and catalog rankings."""

from flask import Flask

from learning_platform import memory


def test_a_value_is_worked_out_once_until_it_expires_and_the_least_used_goes_first(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(memory, "monotonic", lambda: clock[0])
    calls: list[str] = []

    def work(key):
        return lambda: calls.append(key) or f"value {key}"

    with Flask(__name__).app_context():
        assert memory.remembered("s", "a", 10, work("a"), size=2) == "value a"
        assert memory.remembered("s", "a", 10, work("a"), size=2) == "value a"
        memory.remembered("s", "b", 10, work("b"), size=2)
        memory.remembered("s", "a", 10, work("a"), size=2)  # "a" used last: "b" goes first
        memory.remembered("s", "c", 10, work("c"), size=2)
        memory.remembered("s", "a", 10, work("a"), size=2)
        memory.remembered("s", "b", 10, work("b"), size=2)
        assert calls == ["a", "b", "c", "b"]
        clock[0] += 10
        memory.remembered("s", "b", 10, work("b"), size=2)
        assert calls[-1] == "b" and len(calls) == 5
        memory.remembered("s", "x", 0, work("x"), size=2)
        memory.remembered("s", "x", 0, work("x"), size=2)
        assert calls[-2:] == ["x", "x"]  # nothing remembered at 0 seconds

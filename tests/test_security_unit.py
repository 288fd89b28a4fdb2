"""Pure checks of the security helpers."""

import pytest

from learning_platform.security import is_safe_path


@pytest.mark.parametrize("target", ["/", "/account", "/partners/kncu?x=1#top"])
def test_local_paths_are_safe(target):
    assert is_safe_path(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil",
        "//evil",
        "///evil",
        "/\\evil",
        "\\\\evil",
        "javascript:alert(1)",
        "/a\nb",
        "/a\rb",
        "/a\x00b",
        "evil",
        "http:/evil",
    ],
)
def test_foreign_or_odd_targets_are_not(target):
    assert not is_safe_path(target)

"""The 17 Sustainable Development Goals, named in the reader's language."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: The UN's short names of the goals, by number.
GOALS = {
    1: _l("No Poverty"),
    2: _l("Zero Hunger"),
    3: _l("Good Health and Well-being"),
    4: _l("Quality Education"),
    5: _l("Gender Equality"),
    6: _l("Clean Water and Sanitation"),
    7: _l("Affordable and Clean Energy"),
    8: _l("Decent Work and Economic Growth"),
    9: _l("Industry, Innovation and Infrastructure"),
    10: _l("Reduced Inequalities"),
    11: _l("Sustainable Cities and Communities"),
    12: _l("Responsible Consumption and Production"),
    13: _l("Climate Action"),
    14: _l("Life Below Water"),
    15: _l("Life on Land"),
    16: _l("Peace, Justice and Strong Institutions"),
    17: _l("Partnerships for the Goals"),
}


@dataclass(frozen=True)
class Goal:
    number: int
    name: object
    #: The goal's targets a theme serves, such as "4.7", in the order the theme lists them.
    targets: tuple[str, ...]


def goals_of(targets: list[str]) -> list[Goal]:
    """The goals behind SDG targets ("4.7", "13.3"), in goal order; unknown ones are left out."""
    by_goal: dict[int, list[str]] = {}
    for target in targets:
        number = target.split(".", 1)[0]
        if number.isascii() and number.isdigit() and int(number) in GOALS:
            by_goal.setdefault(int(number), []).append(target)
    return [Goal(number, GOALS[number], tuple(by_goal[number])) for number in sorted(by_goal)]

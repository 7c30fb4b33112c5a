"""The dashboard's charts draw any stored name as plain text."""

from __future__ import annotations

from api.web.charts import concentration_chart, fairness_chart

NAMES = ("$\\undefinedmacro$", "50% $ off", "^_^ {x}")


def test_names_that_look_like_tex_are_drawn_as_they_are() -> None:
    reps = [
        {
            "staff_id": f"s{n}",
            "rep": name,
            "leads": 3,
            "allocated": 2,
            "expected": 2.5,
            "total": 4,
            "A": 1,
            "B": 1,
            "C": 1,
            "ungraded": 1,
        }
        for n, name in enumerate(NAMES)
    ]
    for chart in (fairness_chart(reps), concentration_chart(reps)):
        assert "\\undefinedmacro" in chart and "50% $ off" in chart

"""Company rules: pure functions of plain facts, policy and time that allow or refuse."""

"""Long work shows progress: a solver that says nothing for minutes still gets a line every so often."""

import time

from scenarios.progress import Progress, bar, heartbeat


def test_a_silent_step_gets_a_line_with_a_bar_until_it_ends():
    lines = []
    with heartbeat(lines.append, "solving", limit_s=0.4, every_s=0.05):
        time.sleep(0.6)
    count = len(lines)
    time.sleep(0.15)
    assert len(lines) == count >= 4  # nothing more once the step has ended
    assert "of the 0.4s limit" in lines[0] and lines[0].startswith("solving: ")
    assert "past the limit" in lines[-1]


def test_the_bar_shows_the_share_done():
    assert bar(0.25, width=8) == "[##------]" and bar(2.0, width=4) == "[####]" and bar(-1, width=2) == "[--]"


def test_quiet_means_no_heartbeat_either(capsys):
    with heartbeat(Progress(quiet=True), "solving", limit_s=1, every_s=0.02):
        time.sleep(0.1)
    assert capsys.readouterr().err == ""

"""Why a report's file was chosen is recorded as a code and its counts (reports.choice, choice_facts,
choice_runner_up) and written in each language at display time; nothing reads the English record back."""
from __future__ import annotations

import random

import pytest

from pipeline.demo.render import random_facts
from pipeline.serve.i18n import choice_reason
from tests.warehouse.conftest import write_report

AG = "洛阳市生态环境局"


@pytest.mark.parametrize("choice,facts,runner,fmt,zh,en", [
    ("only", 120, None, "html", "该年度唯一的文件", "the only file for that year"),
    ("most_facts", 130, 97, "pdf", "读到的数据最多（130 项，另一文件 97 项）", "most facts read (130 against 97)"),
    ("format", 88, 88, "html", "数据项数相同，优先采用 HTML", "same number of facts; HTML preferred"),
    (None, None, None, None, "", ""),
])
def test_the_reason_written_in_each_language(choice, facts, runner, fmt, zh, en):
    assert choice_reason(choice, facts, runner, fmt, "zh") == zh
    assert choice_reason(choice, facts, runner, fmt, "en") == en


def _reason(env):
    return env.query("select choice, choice_facts, choice_runner_up, source_format, choice_reason, alternatives "
                     "from reports")


def test_the_warehouse_records_the_reason_as_fields(env):
    f1 = random_facts(random.Random(1), "2021", size=2)
    write_report(env.inbox, "a2023.html", AG, 2023, f1, seed=1)
    env.refresh()
    [(choice, n, runner, fmt, english, alternatives)] = _reason(env)
    assert (choice, runner, fmt, alternatives) == ("only", None, "html", 0) and n > 0 and english == "only file"
    assert choice_reason(choice, n, runner, fmt, "zh") == "该年度唯一的文件"

    # the same report as text with one cell fewer: the page that reads more facts is chosen, with both counts
    fewer = dict(f1)
    fewer.pop("active.fees:amount_wan_yuan")
    write_report(env.inbox, "a2023.txt", AG, 2023, fewer, seed=1, fmt="txt")
    env.refresh()
    [(choice, n, runner, fmt, english, alternatives)] = _reason(env)
    assert (choice, fmt, alternatives) == ("most_facts", "html", 1) and runner == n - 1
    assert english == f"most facts read ({n} vs {runner})"
    assert choice_reason(choice, n, runner, fmt, "zh") == f"读到的数据最多（{n} 项，另一文件 {runner} 项）"
    assert choice_reason(choice, n, runner, fmt, "en") == f"most facts read ({n} against {runner})"

    # the same facts in both: the preferred format decides
    write_report(env.inbox, "a2023.txt", AG, 2023, f1, seed=1, fmt="txt")
    env.refresh()
    [(choice, n, runner, fmt, english, _)] = _reason(env)
    assert choice == "format" and n == runner and english == f"same number of facts; {fmt} preferred"
    assert choice_reason(choice, n, runner, fmt, "zh") == f"数据项数相同，优先采用 {fmt.upper()}"
    assert choice_reason(choice, n, runner, fmt, "en") == f"same number of facts; {fmt.upper()} preferred"

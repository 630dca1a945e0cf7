"""The shortcuts the readers take for speed give what the longer way gave: each is checked against the
plain formula it replaced, on generated inputs."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.read.common import _looks_binary, _plausible_chinese
from pipeline.read.document import Cell, grid_from_spans
from pipeline.read.text import needs_normalizing, normalize


def _looks_binary_plainly(head: bytes) -> bool:
    import codecs

    from pipeline.read.common import utf16_without_bom

    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > max(8, len(head) // 50)


def _plausible_chinese_plainly(text: str) -> bool:
    if not text:
        return False
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    odd = sum(1 for ch in text if "\u3400" <= ch <= "\u4dbf" or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    return cjk > 0 and odd <= cjk * 0.02


def _grid_plainly(rows, span=100):
    """grid_from_spans as it was written before its single-cell shortcut."""
    grid, pending = [], {}
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        out, c = grid[r], 0
        for text, rowspan, colspan in row:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            rowspan, colspan = max(1, min(rowspan, span)), max(1, min(colspan, span))
            for dc in range(colspan):
                out.append(Cell(text, origin=dc == 0))
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = Cell(text, origin=False, from_above=True)
            c += colspan
        for key in sorted(k for k in pending if k[0] == r):
            while c < key[1]:
                out.append(Cell("", origin=False))
                c += 1
            out.append(pending.pop(key))
            c += 1
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend(Cell("", origin=False) for _ in range(width - len(row)))
    return grid


_BYTES = st.binary(max_size=300) | st.lists(st.sampled_from([0, 1, 7, 9, 10, 13, 27, 31, 32, 65, 200]),
                                             max_size=300).map(bytes)
_CHARS = st.sampled_from(["a", " ", "中", "國", "\u3400", "\u4dbf", "\ue000", "\uf8ff", "\ufffd", "\u9fff", "\u4e00",
                          "⽂", "１", "\uf900", "\u2e80", "\U0002f800", "é"])


@settings(max_examples=200, deadline=None)
@given(_BYTES)
@example(b"\x1b" * 9 + b"abc")  # escapes are not control bytes here
@example(b"\x01" * 9 + b"abc")
@example(b"\x01" * 8 + b"\t\n\x0c\r" * 4)
def test_binary_sniffing_counts_control_bytes_as_before(head):
    assert _looks_binary(head) == _looks_binary_plainly(head)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CHARS, max_size=200).map("".join))
@example("中" * 50 + "\ufffd")  # 1 odd character in 51: at most 2 % of the Chinese ones
@example("中" * 49 + "\ue000\u3400")
def test_gb18030_plausibility_counts_as_before(text):
    assert _plausible_chinese(text) == _plausible_chinese_plainly(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CHARS, max_size=40).map("".join))
def test_a_text_said_not_to_need_normalizing_is_left_as_it_is(text):
    if not needs_normalizing(text):
        assert normalize(text) == text
    if normalize(text) != text:
        assert needs_normalizing(text)


_SPAN = st.sampled_from([1, 1, 1, 2, 3, 0, -1, 150])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["", "a", "1"]), _SPAN, _SPAN), max_size=5), max_size=6))
def test_a_grid_is_built_as_before(rows):
    got = grid_from_spans(rows)
    want = _grid_plainly(rows)
    assert [[(c.text, c.origin, c.from_above) for c in r] for r in got] == \
           [[(c.text, c.origin, c.from_above) for c in r] for r in want]

"""Text recognition for OCR: the RapidOCR engine (loaded once per process, on one thread) and the
recognition of cropped text lines with a confidence that means something for numbers.

A crop that reads as Latin digits and punctuation is decoded again over the characters a number can
hold (digits, sign, separators, blank markers): its confidence is, for each character, its probability
among those characters, scaled down where the recogniser saw something else (a letter, a stroke)
there; the number's confidence is its least certain character's.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_NUMERIC = set("0123456789.,-+—/%")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# what a lone digit in a table cell is misread as (0 as o or 。, 6 as b, 2 as Z, 1 as l…): a cell reading
# as these alone is decoded as a number too, its confidence then low unless the digits outweigh the letters
_DIGIT_LIKE = re.compile(r"^[oO。○〇°DQbpZzlI|SsBgq]{1,3}$")


@lru_cache(maxsize=1)
def engine():
    """The RapidOCR engine, loaded once per process, on one thread (the refresh runs a worker per core)."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, print_verbose=False)


# --- recognition --------------------------------------------------------------------------------

def _crop(rgb: np.ndarray, box, pad: int = 4, widen: bool = True) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = rgb.shape[:2]
    c = rgb[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
    ch, cw = c.shape[:2]
    if widen and cw < ch:  # a single digit: widened with white so it is not taken for vertical text
        extra = (ch - cw) // 2 + 1
        c = np.pad(c, ((0, 0), (extra, extra), (0, 0)), constant_values=255)
    return c


def recognise(crops: list[np.ndarray], cells: bool = False) -> list[tuple[str, float]]:
    """(text, confidence) for each crop of one text line. A crop that reads as Latin digits and
    punctuation only is decoded over the characters a number holds; its confidence is then the
    lowest, over its characters, of the character's probability among those characters. With `cells`
    (a table's cells), so is a crop that reads as one to three letters a digit is mistaken for."""
    if not crops:
        return []
    rec = engine().text_rec
    chars = rec.postprocess_op.character
    allowed = np.array([i for i, ch in enumerate(chars) if ch in _NUMERIC or i == 0])
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    order = np.argsort([c.shape[1] / max(1, c.shape[0]) for c in crops])
    _, img_h, img_w = rec.rec_image_shape
    for start in range(0, len(crops), 6):
        idx = order[start:start + 6]
        ratio = max([img_w / img_h] + [crops[i].shape[1] / max(1, crops[i].shape[0]) for i in idx])
        batch = np.concatenate([rec.resize_norm_img(crops[i], ratio)[np.newaxis, :] for i in idx]).astype(np.float32)
        preds = rec.session(batch)[0]
        for k, i in enumerate(idx):
            out[i] = _decode(preds[k], chars, allowed, cells)
    return out


def _decode(p: np.ndarray, chars: list[str], allowed: np.ndarray, cells: bool = False) -> tuple[str, float]:
    best = p.argmax(axis=1)
    text, probs, prev = [], [], 0
    for t, k in enumerate(best):
        if k != 0 and k != prev:
            text.append(chars[k])
            probs.append(float(p[t, k]))
        prev = k
    plain = "".join(text)
    if not plain or _CJK.search(plain) or not (re.search(r"\d", plain) or cells and _DIGIT_LIKE.match(plain)):
        return plain, (float(np.mean(probs)) if probs else 0.0)
    # a number: decoded again over the numeric characters only
    q = p[:, allowed]
    mass = q.sum(axis=1)
    best = q.argmax(axis=1)
    text, conf, prev = [], [], 0
    for t, k in enumerate(best):
        gi = int(allowed[k])
        if gi != 0:
            share = float(q[t, k] / max(mass[t], 1e-9)) * min(1.0, float(mass[t]) / 0.5)
            if gi != prev:
                text.append(chars[gi])
                conf.append(share)
            else:
                conf[-1] = max(conf[-1], share)
        prev = gi
    number = "".join(text)
    if not re.search(r"\d", number):  # letters that gave no digit: left as read (the caller leaves them out)
        return plain, (float(np.mean(probs)) if probs else 0.0)
    return number, (min(conf) if conf else 0.0)



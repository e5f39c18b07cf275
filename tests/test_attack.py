"""A reconstruction attack against ``pixelate`` and ``blur``.

Phone and tracking numbers live in tiny search spaces, so a blurred or mosaicked number can be brute-forced:
render candidate digits in the same font at the same place, apply the same transform, keep the candidates
whose pixels match best (a beam search, digit by digit, left to right), as Depix / the PETS 2016 attacks do.
The attacker here is strong: it knows the font, size, position, block grid and blur radius exactly.

The test shows the attack recovers the digits from a NAIVE mosaic / Gaussian blur of the original (so it
is a real attack), and recovers nothing better than chance from ours, where the look is laid over pixels
that were destroyed first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from redact.stages.render import render
from redact.types import Style

FONT = "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf"
SIZE = 30  # Liberation Mono advances 0.6 em: 18 px per digit, so the grid of characters is exact
PAPER, INK = 236.0, 30.0
N_DIGITS = 11
X0, Y0 = 24, 16  # text origin
CANVAS = (X0 * 2 + 18 * N_DIGITS, 64)


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, SIZE)


def draw(text: str) -> np.ndarray:
    """Grey float image of ``text`` at the fixed origin (the attacker's renderer and the victim's)."""
    im = Image.new("L", CANVAS, int(PAPER))
    ImageDraw.Draw(im).text((X0, Y0), text, font=_font(), fill=int(INK))
    return np.asarray(im, np.float32)


@cache
def _glyph(i: int, d: str) -> np.ndarray:
    im = Image.new("L", CANVAS, int(PAPER))
    ImageDraw.Draw(im).text((X0 + 18 * i, Y0), d, font=_font(), fill=int(INK))
    return np.asarray(im, np.float32)


def compose(text: str) -> np.ndarray:
    """The attacker's fast renderer: cached glyph layers (identical to ``draw`` for a monospace font)."""
    if not text:
        return np.full(CANVAS[::-1], PAPER, np.float32)
    return np.minimum.reduce([_glyph(i, d) for i, d in enumerate(text)])


@lru_cache(maxsize=1)
def text_box() -> tuple[int, int, int, int]:
    im = Image.new("L", CANVAS, 0)
    d = ImageDraw.Draw(im)
    x0, y0, x1, y1 = d.textbbox((X0, Y0), "0" * N_DIGITS, font=_font())
    return int(x0), int(y0), int(x1), int(y1)


def mask_polygon() -> tuple[tuple[float, float], ...]:
    x0, y0, x1, y1 = text_box()
    pad = 0.3 * (y1 - y0)
    return ((x0 - pad, y0 - pad), (x1 + pad, y0 - pad), (x1 + pad, y1 + pad), (x0 - pad, y1 + pad))


@lru_cache(maxsize=1)
def _box_px() -> tuple[int, int, int, int]:
    p = np.asarray(mask_polygon())
    x0, y0 = np.floor(p.min(0)).astype(int)
    x1, y1 = np.ceil(p.max(0)).astype(int)
    return max(0, x0), max(0, y0), min(CANVAS[0], x1), min(CANVAS[1], y1)


def text_height() -> float:
    _, y0, _, y1 = text_box()
    return float(y1 - y0)


# ---------------------------------------------------------------- the naive transforms (what others do) --


def block_size() -> int:
    return int(max(4, round(0.45 * text_height())))  # the same block size our pixelate look uses


def blur_sigma() -> float:
    return float(max(2.0, 0.35 * text_height()))  # the same radius our blur look uses


def naive_mosaic(g: np.ndarray) -> np.ndarray:
    """Each block of the mask's box replaced by the mean of the ORIGINAL pixels in it."""
    out = g.copy()
    x0, y0, x1, y1 = _box_px()
    b = block_size()
    sub = out[y0:y1, x0:x1]
    ry, rx = np.arange(0, sub.shape[0], b), np.arange(0, sub.shape[1], b)
    sums = np.add.reduceat(np.add.reduceat(sub, ry, axis=0), rx, axis=1)
    ny = np.diff(np.append(ry, sub.shape[0]))
    nx = np.diff(np.append(rx, sub.shape[1]))
    means = sums / (ny[:, None] * nx[None, :])
    sub[...] = np.repeat(np.repeat(means, ny, axis=0), nx, axis=1)
    return out


def naive_blur(g: np.ndarray) -> np.ndarray:
    """A Gaussian blur of the ORIGINAL pixels, pasted into the mask's box."""
    out = g.copy()
    x0, y0, x1, y1 = _box_px()
    bl = cv2.GaussianBlur(g, (0, 0), blur_sigma(), borderType=cv2.BORDER_REPLICATE)
    out[y0:y1, x0:x1] = bl[y0:y1, x0:x1]
    return out


def ours(style: Style, seed: int) -> Callable[[np.ndarray], np.ndarray]:
    def f(g: np.ndarray) -> np.ndarray:
        rgb = np.repeat(np.clip(np.rint(g), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        out = render(rgb, [mask_polygon()], style, text_heights=[text_height()], seed=seed)
        return out.astype(np.float32).mean(axis=2)

    return f


# ---------------------------------------------------------------- the attack --


def _compare_until(i: int, kind: str) -> int:
    """Right edge (x) of the columns that digits 0..i alone determine under the transform."""
    x_end = X0 + 18 * (i + 1)
    if kind == "mosaic":
        x0 = _box_px()[0]
        b = block_size()
        return x0 + ((x_end - x0) // b) * b  # only blocks that lie wholly left of the next digit
    return int(x_end - 1.5 * blur_sigma())  # blur: the next digit spills ~1.5 sigma to the left


def beam_attack(observed: np.ndarray, transform: Callable[[np.ndarray], np.ndarray], kind: str,
                beam: int = 8) -> str:
    """Recover N_DIGITS digits from ``observed`` by rendering candidates and matching transformed pixels."""
    x0, y0, x1, y1 = _box_px()
    obs = observed[y0:y1]
    beams: list[tuple[float, str]] = [(0.0, "")]
    for i in range(N_DIGITS):
        xe = max(x0 + 1, min(x1, _compare_until(i, kind))) if i < N_DIGITS - 1 else x1
        scored = []
        for _, prefix in beams:
            for d in "0123456789":
                cand = prefix + d
                t = transform(compose(cand))[y0:y1]
                err = float(np.square(t[:, x0:xe] - obs[:, x0:xe]).sum())
                scored.append((err, cand))
        scored.sort()
        beams = scored[:beam]
    return beams[0][1]


def digit_accuracy(secrets: Sequence[str], guesses: Sequence[str]) -> float:
    hits = sum(a == b for s, g in zip(secrets, guesses) for a, b in zip(s, g))
    return hits / sum(len(s) for s in secrets)


def _secrets(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("0123456789"), N_DIGITS)) for _ in range(n)]


def _victim(secret: str, seed: int) -> np.ndarray:
    g = draw(secret)
    g = g + np.random.default_rng(seed).normal(0, 1.5, g.shape).astype(np.float32)  # a little sensor noise
    return np.clip(g, 0, 255)


N_SECRETS = 3


@pytest.mark.parametrize("kind", ["mosaic", "blur"])
def test_attack_recovers_digits_from_naive_transforms(kind):
    naive = naive_mosaic if kind == "mosaic" else naive_blur
    secrets = _secrets(N_SECRETS, seed=1)
    guesses = [beam_attack(naive(_victim(s, i)), naive, kind) for i, s in enumerate(secrets)]
    acc = digit_accuracy(secrets, guesses)
    assert acc >= 0.9, (kind, acc)


@pytest.mark.parametrize("style", [Style.PIXELATE, Style.BLUR], ids=lambda s: s.value)
def test_attack_fails_on_our_looks(style):
    kind = "mosaic" if style is Style.PIXELATE else "blur"
    naive = naive_mosaic if kind == "mosaic" else naive_blur
    secrets = _secrets(N_SECRETS, seed=1)
    observed = [ours(style, seed=100 + i)(_victim(s, i)) for i, s in enumerate(secrets)]
    # attacker 1: models our look as the naive transform it resembles
    g1 = [beam_attack(o, naive, kind) for o in observed]
    # attacker 2: runs our own renderer on its candidates (with a seed of its own: ours is not published)
    g2 = [beam_attack(o, ours(style, seed=7), kind, beam=2) for o in observed[:2]]
    acc1 = digit_accuracy(secrets, g1)
    acc2 = digit_accuracy(secrets[:2], g2)
    # chance is 10 %: 33 digits give a standard deviation of 5 points
    assert acc1 <= 0.25, (style.value, acc1)
    assert acc2 <= 0.3, (style.value, acc2)


@pytest.mark.parametrize("style", [Style.PIXELATE, Style.BLUR], ids=lambda s: s.value)
def test_our_look_is_identical_for_every_secret(style):
    """Why the attack must fail: with the seed fixed, different secrets give the very same pixels."""
    outs = [ours(style, seed=5)(_victim(s, 0)) for s in _secrets(5, seed=9)]  # same noise, other digits
    for o in outs[1:]:
        assert np.array_equal(o, outs[0])
    naive = [naive_mosaic(draw(s)) for s in _secrets(2, seed=9)]
    assert not np.array_equal(naive[0], naive[1])


def nearest_candidate(observed: np.ndarray, transform: Callable[[np.ndarray], np.ndarray],
                      candidates: Sequence[str]) -> str:
    """Whole-string brute force: the candidate whose transformed rendering is nearest in pixel space."""
    x0, y0, x1, y1 = _box_px()
    obs = observed[y0:y1, x0:x1]
    errs = [float(np.square(transform(compose(c))[y0:y1, x0:x1] - obs).sum()) for c in candidates]
    return candidates[int(np.argmin(errs))]


@pytest.mark.parametrize("style", [Style.PIXELATE, Style.BLUR], ids=lambda s: s.value)
def test_whole_string_brute_force(style):
    """A known list of candidates (e.g. the customers of one shop): found from naive, not from ours."""
    kind = "mosaic" if style is Style.PIXELATE else "blur"
    naive = naive_mosaic if kind == "mosaic" else naive_blur
    secrets = _secrets(3, seed=4)
    candidates = sorted(set(_secrets(150, seed=5)) | set(secrets))
    found_naive = [nearest_candidate(naive(_victim(s, i)), naive, candidates) for i, s in enumerate(secrets)]
    assert found_naive == secrets
    found_ours = [nearest_candidate(ours(style, seed=40 + i)(_victim(s, i)), naive, candidates)
                  for i, s in enumerate(secrets)]
    assert sum(f == s for f, s in zip(found_ours, secrets)) == 0, found_ours  # chance: 3/151

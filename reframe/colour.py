"""HDR to SDR: tone-map PQ and HLG video to BT.709 on purpose.

Converting HDR Y'CbCr straight to 8 bits (what a plain pixel-format
conversion does) keeps the PQ or HLG code values and shows them as BT.709:
the picture comes out grey and washed out. reframe writes SDR H.264, so it
tone-maps instead:

1. Y'CbCr (BT.2020 matrix) to 16-bit R'G'B' in swscale;
2. R'G'B' to display light with the PQ EOTF, or the HLG inverse OETF and a
   1000-nit OOTF (system gamma 1.2), through a 65536-entry table;
3. BT.2020 to BT.709 primaries in linear light (out-of-gamut clipped);
4. a curve that is the identity up to 70 % of SDR white and rolls off
   smoothly above it, so the 203-nit HDR reference white (BT.2408) lands at
   about 89 % and highlights up to the peak keep some detail;
5. the BT.709 OETF, then 8-bit limited-range BT.709 Y'CbCr in swscale.

The tone curve acts on each channel, which desaturates the brightest
highlights slightly, like most broadcast converters.
"""

from __future__ import annotations

import numpy as np

PQ = 16  # AVCOL_TRC_SMPTE2084
HLG = 18  # AVCOL_TRC_ARIB_STD_B67
REFERENCE_WHITE_NITS = 203.0
_KNEE = 0.7
_LINEAR_MAX = 10000.0 / REFERENCE_WHITE_NITS  # the brightest PQ value, in SDR whites

_BT2020_TO_BT709 = np.array(
    [[1.6605, -0.5876, -0.0728], [-0.1246, 1.1329, -0.0083], [-0.0182, -0.1006, 1.1187]], np.float32
)


def hdr_kind(color_trc: int | None) -> str | None:
    """``"pq"``, ``"hlg"`` or None (SDR) for an FFmpeg transfer characteristic code."""
    return {PQ: "pq", HLG: "hlg"}.get(int(color_trc or 0))


def _pq_eotf(e: np.ndarray) -> np.ndarray:
    """PQ signal in [0, 1] to nits (SMPTE ST 2084)."""
    m1, m2 = 2610 / 16384, 2523 / 4096 * 128
    c1, c2, c3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
    p = np.power(e, 1 / m2)
    return 10000.0 * np.power(np.maximum(p - c1, 0) / (c2 - c3 * p), 1 / m1)


def _hlg_to_nits(e: np.ndarray) -> np.ndarray:
    """HLG signal in [0, 1] to nits on a 1000-nit display (BT.2100, per channel OOTF)."""
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    scene = np.where(e <= 0.5, e * e / 3, (np.exp((e - c) / a) + b) / 12)
    return 1000.0 * np.power(scene, 1.2)


def tone_curve(x: np.ndarray) -> np.ndarray:
    """Linear light in SDR whites to [0, 1): identity below the knee, an exponential roll-off above."""
    k = _KNEE
    over = np.maximum(x - k, 0) / (1 - k)
    return np.where(x <= k, x, k + (1 - k) * (1 - np.exp(-over)))


def bt709_oetf(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return np.where(x < 0.018, 4.5 * x, 1.099 * np.power(x, 0.45) - 0.099)


class ToneMapper:
    """Turn decoded PQ or HLG frames into 8-bit BT.709 SDR frames.

    >>> tm = ToneMapper("pq")
    >>> int(tm.encode[-1]), int(tm.encode[0])
    (255, 0)
    """

    def __init__(self, kind: str) -> None:
        code = np.arange(65536, dtype=np.float64) / 65535
        nits = _pq_eotf(code) if kind == "pq" else _hlg_to_nits(code)
        self.kind = kind
        self.decode = (nits / REFERENCE_WHITE_NITS).astype(np.float32)  # 16-bit R'G'B' -> linear
        # Linear is indexed on a square-root scale so the darks keep fine steps.
        lin = _LINEAR_MAX * (np.arange(65536, dtype=np.float64) / 65535) ** 2
        self.encode = np.round(255 * bt709_oetf(tone_curve(lin))).astype(np.uint8)

    def rgb(self, frame, width: int, height: int) -> np.ndarray:
        """The frame at ``width`` x ``height`` as 8-bit BT.709 R'G'B', ``(height, width, 3)``."""
        import cv2

        coded = frame.to_ndarray(
            width=width, height=height, format="rgb48le", src_color_range=frame.color_range or None
        )
        linear = cv2.transform(self.decode[coded], _BT2020_TO_BT709)
        np.clip(linear, 0, _LINEAR_MAX, out=linear)
        index = np.sqrt(linear * (1 / _LINEAR_MAX))
        index *= 65535
        return self.encode[index.astype(np.uint16)]

    def yuv420p(self, frame, width: int, height: int):
        """The frame as an ``av.VideoFrame`` in 8-bit yuv420p, BT.709 limited range."""
        import av

        from_rgb = av.VideoFrame.from_ndarray(self.rgb(frame, width, height), format="rgb24")
        return from_rgb.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")

"""The OCR engine: RapidOCR's PP-OCRv4 detector and recogniser on onnxruntime, loaded once per process.

The models ship inside the ``rapidocr-onnxruntime`` wheel (``rapidocr_onnxruntime/models/*.onnx``),
so nothing is downloaded at run time; :func:`engine` refuses to start when a model file is missing
rather than let any library go looking for one. Only the detector and the recogniser are used: the
angle classifier is skipped because pages are deskewed first and table text is upright.

The recogniser is batched here rather than through ``TextRecognizer.__call__``, which pads every
crop to at least 320×48 pixels: table cells hold one or two digits, and padding them costs about
five times the work.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from extractor.errors import ExtractionError

log = logging.getLogger(__name__)

REC_HEIGHT = 48  # the recogniser's input height (PP-OCRv4)
REC_BATCH_COLUMNS = 1200  # crops recognised in one call, after sorting by aspect ratio, up to this many
# input columns (batch size × padded width): onnxruntime's cost per column grows with the batch's size
# (cache), e.g. 0.07 ms a column for one 48×320 crop against 0.18 ms in a batch of sixteen 48×960 ones
THREADS = 1  # onnxruntime threads per session: one is fastest per page here, run pages in parallel instead
MIN_REC_RATIO = 1.0  # a crop narrower than its height is padded to a square
DET_BOX_THRESH = 0.5  # detector defaults (rapidocr's config.yaml)
DET_UNCLIP_RATIO = 1.6


# Characters the recogniser returns for common punctuation: the radical 丶 (U+4E36), which running
# text never uses, is its reading of the enumeration comma 、 (``四丶政府信息公开…`` hides a heading).
_LOOKALIKES = str.maketrans({"丶": "、"})


@dataclass(frozen=True, slots=True)
class Recognised:
    """What the recogniser read in one crop, with its confidence (mean character probability)."""

    text: str
    confidence: float


class Engine:
    """RapidOCR's detector and recogniser sessions."""

    def __init__(self, threads: int = THREADS) -> None:
        try:
            import rapidocr_onnxruntime as rapid
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
            from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
            from rapidocr_onnxruntime.utils import read_yaml
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ExtractionError("OCR needs the rapidocr-onnxruntime package (pip install 'govreport[ocr]')") from exc
        root = Path(rapid.__file__).resolve().parent
        config: dict[str, Any] = read_yaml(str(root / "config.yaml"))
        for part in ("Det", "Rec"):
            model = root / config[part]["model_path"]
            if not model.is_file():
                raise ExtractionError(
                    f"the OCR model {model.name} is missing from the rapidocr-onnxruntime "
                    "installation; reinstall the package (models are never downloaded)"
                )
            config[part]["model_path"] = str(model)
            config[part]["intra_op_num_threads"] = min(threads, os.cpu_count() or 1)
            config[part]["inter_op_num_threads"] = 1
        self.detector = TextDetector(config["Det"])
        self.detector.postprocess_op.box_thresh = DET_BOX_THRESH
        self.detector.postprocess_op.unclip_ratio = DET_UNCLIP_RATIO
        self.recogniser = TextRecognizer(config["Rec"])

    def detect(self, image: np.ndarray, scale: float = 1.0) -> list[np.ndarray]:
        """Text boxes of a BGR image as 4×2 float arrays of corner points (clockwise from top left).

        With ``scale`` < 1 the detector sees a smaller copy (text boxes need far fewer pixels than
        reading does); the boxes are returned in the full image's pixels.
        """
        small = image
        if scale < 1:
            small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        boxes, _ = self.detector(small)
        if boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32) / scale for b in boxes]

    def recognise(self, crops: Sequence[np.ndarray]) -> list[Recognised]:
        """Read each BGR crop (one line of text each; white paper, dark ink)."""
        out: list[Recognised] = [Recognised("", 0.0)] * len(crops)
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        for idx in _batches(ratios):
            # widths rounded up to a whole number of heights: few distinct input shapes, so
            # onnxruntime reuses its buffers (a new shape costs a first-run penalty)
            max_ratio = float(np.ceil(max(MIN_REC_RATIO, max(ratios[i] for i in idx))))
            batch = np.stack([self.recogniser.resize_norm_img(crops[i], max_ratio) for i in idx]).astype(np.float32)
            preds = self.recogniser.session(batch)[0]
            results = self.recogniser.postprocess_op(
                preds, False, wh_ratio_list=[ratios[i] for i in idx], max_wh_ratio=max_ratio
            )
            for i, res in zip(idx, results, strict=True):
                out[i] = Recognised(str(res[0]).translate(_LOOKALIKES), float(res[1]))
        return out


def _batches(ratios: Sequence[float]) -> list[list[int]]:
    """Indices of the crops in batches of like width, each at most ``REC_BATCH_COLUMNS`` wide in all."""
    out: list[list[int]] = []
    for i in np.argsort(ratios, kind="stable"):
        width = REC_HEIGHT * float(np.ceil(max(MIN_REC_RATIO, ratios[i])))
        if out and width * (len(out[-1]) + 1) <= REC_BATCH_COLUMNS:
            out[-1].append(int(i))
        else:
            out.append([int(i)])
    return out


@cache
def engine() -> Engine:
    """The process's engine (loading the sessions takes about a second; reuse it)."""
    log.debug("loading the OCR models")
    return Engine()

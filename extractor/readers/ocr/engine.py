"""The OCR engine: RapidOCR's PP-OCRv4 detector and recogniser on onnxruntime, loaded once per process.

The models ship inside the ``rapidocr-onnxruntime`` wheel (``rapidocr_onnxruntime/models/*.onnx``),
so nothing is downloaded at run time; :func:`engine` refuses to start when a model file is missing
rather than let any library go looking for one. Only the detector and the recogniser are used: the
angle classifier is skipped because pages are deskewed first and table text is upright.

The sessions are built here, not through rapidocr's ``TextDetector``/``TextRecognizer`` (whose
post-processing is reused), from the models rewritten in memory before onnxruntime loads them
(exported from Paddle, they spend about a third of their CPU time in elementwise passes over
convolution outputs): :func:`fold_affine` folds PP-LCNetV3's learnable affine blocks (a scalar
scale and shift after a convolution) into the convolution's weights, and :func:`fuse_hard_swish`
turns each hard-swish spelled as four passes (``x * clip(x + 3, 0, 6) / 6``) into two
(``x * HardSigmoid(x)``). Both are the same arithmetic up to float rounding. Crops are recognised
one at a time at their own width (rounded up to :data:`REC_WIDTH_STEP`): on a CPU a batch costs
more per input column than its crops alone (``TextRecognizer.__call__`` also pads every crop to at
least 320×48 pixels, about five times the work for a cell holding one or two digits).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
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
REC_WIDTH_STEP = 48  # a crop's input width is rounded up to a multiple of this: few distinct shapes, so
# onnxruntime reuses its plans (the first run of a shape costs more)
REC_BATCH_COLUMNS = 0  # crops of like width recognised in one call up to this many input columns (0: one
# at a time). On this 2-core machine a batch costs more per column than its crops alone (cache): 0.06 ms
# a column for one 48×192 crop, 0.09 ms in a batch of sixteen 48×96 ones
THREADS = 1  # onnxruntime threads per session: one is fastest per page here, run pages in parallel instead
MIN_REC_RATIO = 1.0  # a crop narrower than its height is padded to a square
DET_THRESH = 0.3  # detector defaults (rapidocr's config.yaml)
DET_BOX_THRESH = 0.5
DET_UNCLIP_RATIO = 1.6
DET_MAX_CANDIDATES = 1000
DET_STRIDE = 32  # the detector's input is padded to a multiple of this many pixels a side
DET_MIN_BOX = 3  # boxes no wider or taller than this (pixels at the detector's scale) are dropped, as rapidocr does


# Characters the recogniser returns for common punctuation: the radical 丶 (U+4E36), which running
# text never uses, is its reading of the enumeration comma 、 (``四丶政府信息公开…`` hides a heading).
_LOOKALIKES = str.maketrans({"丶": "、"})


@dataclass(frozen=True, slots=True)
class Recognised:
    """What the recogniser read in one crop, with its confidence (mean character probability)."""

    text: str
    confidence: float


def _constant(name: str, producers: dict[str, Any], initialisers: dict[str, Any]) -> float | None:
    """The value of a one-element constant input (an initialiser or a ``Constant`` node's), else None."""
    from onnx import numpy_helper

    if name in initialisers:
        value = numpy_helper.to_array(initialisers[name])
    elif name in producers and producers[name].op_type == "Constant":
        value = numpy_helper.to_array(producers[name].attribute[0].t)
    else:
        return None
    return float(value.ravel()[0]) if value.size == 1 else None


def _index(graph: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]:
    """The node producing each tensor, the initialisers by name, and the nodes reading each tensor."""
    producers = {out: node for node in graph.node for out in node.output}
    initialisers = {init.name: init for init in graph.initializer}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    return producers, initialisers, consumers


def _set_nodes(graph: Any, nodes: list[Any]) -> None:
    """Make ``nodes`` the graph's, dropping the constants and initialisers no node reads any more."""
    used = {name for node in nodes for name in node.input}
    nodes = [n for n in nodes if n.op_type != "Constant" or any(o in used for o in n.output)]
    kept = [init for init in graph.initializer if init.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept)


def fuse_hard_swish(model: Any) -> int:
    """Rewrite each ``Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)`` of an ONNX graph as ``Mul(x, HardSigmoid(x))``.

    ``HardSigmoid(x) = clip(x / 6 + 0.5, 0, 1)`` (opset 6, so the model's opset stands), the same
    value as ``clip(x + 3, 0, 6) / 6``: two passes over the tensor instead of four. Returns how many
    were rewritten; constants left unused are removed.
    """
    from onnx import helper

    graph = model.graph
    producers, initialisers, consumers = _index(graph)

    def only(output: str, op: str) -> Any | None:
        users = consumers[output]
        return users[0] if len(users) == 1 and users[0].op_type == op else None

    replaced: dict[int, list[Any]] = {}
    dropped: set[int] = set()
    for add in graph.node:
        if add.op_type != "Add" or _constant(add.input[1], producers, initialisers) != 3.0:
            continue
        x = add.input[0]
        clip = only(add.output[0], "Clip")
        if clip is None or len(clip.input) != 3:
            continue
        bounds = (_constant(clip.input[1], producers, initialisers), _constant(clip.input[2], producers, initialisers))
        mul = only(clip.output[0], "Mul")
        if bounds != (0.0, 6.0) or mul is None or sorted(mul.input) != sorted((x, clip.output[0])):
            continue
        div = only(mul.output[0], "Div")
        if div is None or _constant(div.input[1], producers, initialisers) != 6.0:
            continue
        gate = helper.make_node("HardSigmoid", [x], [f"{div.output[0]}.gate"], alpha=1 / 6, beta=0.5)
        replaced[id(add)] = [gate, helper.make_node("Mul", [x, gate.output[0]], list(div.output))]
        dropped |= {id(clip), id(mul), id(div)}
    nodes = []
    for node in graph.node:
        if id(node) in replaced:
            nodes.extend(replaced[id(node)])
        elif id(node) not in dropped:
            nodes.append(node)
    _set_nodes(graph, nodes)
    return len(replaced)


def fold_affine(model: Any) -> int:
    """Fold each ``Add(Mul(Conv(x, W, B), s), b)`` of an ONNX graph, ``s`` and ``b`` scalars (PP-LCNetV3's
    learnable affine blocks), into the convolution: ``Conv(x, s·W, s·B + b)``.

    Two elementwise passes over the convolution's output fewer; the same arithmetic up to float
    rounding. Returns how many were folded.
    """
    from onnx import numpy_helper

    graph = model.graph
    producers, initialisers, consumers = _index(graph)

    def tensor(name: str) -> np.ndarray | None:
        if name in initialisers:
            return numpy_helper.to_array(initialisers[name])
        node = producers.get(name)
        return numpy_helper.to_array(node.attribute[0].t) if node is not None and node.op_type == "Constant" else None

    def add_initialisers(*tensors: Any) -> None:
        graph.initializer.extend(tensors)
        initialisers.update((t.name, t) for t in tensors)

    dropped: set[int] = set()
    folded = 0
    for conv in graph.node:
        users = consumers[conv.output[0]]
        if conv.op_type != "Conv" or len(users) != 1 or users[0].op_type != "Mul":
            continue
        mul = users[0]
        other = [name for name in mul.input if name != conv.output[0]]
        scale = _constant(other[0], producers, initialisers) if len(other) == 1 else None
        adds = consumers[mul.output[0]]
        if scale is None or len(adds) != 1 or adds[0].op_type != "Add":
            continue
        add = adds[0]
        other = [name for name in add.input if name != mul.output[0]]
        shift = _constant(other[0], producers, initialisers) if len(other) == 1 else None
        weight = tensor(conv.input[1])
        if shift is None or weight is None:
            continue
        bias = tensor(conv.input[2]) if len(conv.input) > 2 else np.zeros(weight.shape[0], weight.dtype)
        if bias is None:
            continue
        names = (f"{conv.output[0]}.folded_w", f"{conv.output[0]}.folded_b")
        add_initialisers(
            numpy_helper.from_array((weight * scale).astype(weight.dtype), names[0]),
            numpy_helper.from_array((bias * scale + shift).astype(weight.dtype), names[1]),
        )
        del conv.input[1:]
        conv.input.extend(names)
        conv.output[0] = add.output[0]
        dropped |= {id(mul), id(add)}
        folded += 1
    for add in graph.node:  # an affine block feeding a pointwise convolution: Conv(s·x + b, W, B)
        users = consumers[add.output[0]]
        if add.op_type != "Add" or id(add) in dropped or len(users) != 1 or not _pointwise(users[0]):
            continue
        conv = users[0]
        mul = producers.get(add.input[0])
        shift = _constant(add.input[1], producers, initialisers)
        if mul is None or mul.op_type != "Mul" or shift is None or len(consumers[mul.output[0]]) != 1:
            continue
        scales = [_constant(name, producers, initialisers) for name in mul.input]
        if sum(v is not None for v in scales) != 1:
            continue
        scale = next(v for v in scales if v is not None)
        x = mul.input[1 - scales.index(scale)]
        weight = tensor(conv.input[1])
        bias = tensor(conv.input[2]) if len(conv.input) > 2 else None
        if weight is None or (len(conv.input) > 2 and bias is None):
            continue
        bias = np.zeros(weight.shape[0], weight.dtype) if bias is None else bias
        names = (f"{conv.output[0]}.folded_in_w", f"{conv.output[0]}.folded_in_b")
        add_initialisers(
            numpy_helper.from_array((weight * scale).astype(weight.dtype), names[0]),
            numpy_helper.from_array((bias + shift * weight.sum(axis=(1, 2, 3))).astype(weight.dtype), names[1]),
        )
        del conv.input[:]
        conv.input.extend([x, *names])
        dropped |= {id(mul), id(add)}
        folded += 1
    nodes = [node for node in graph.node if id(node) not in dropped]
    _set_nodes(graph, nodes)
    return folded


def _pointwise(node: Any) -> bool:
    """A 1×1 convolution without padding, stride or groups: an input's scale and shift fold into it exactly."""
    if node.op_type != "Conv":
        return False
    attrs = {a.name: list(a.ints) if a.ints else a.i for a in node.attribute}
    return (
        attrs.get("kernel_shape") == [1, 1]
        and not any(attrs.get("pads", []))
        and attrs.get("group", 1) == 1
        and attrs.get("auto_pad", b"NOTSET") in (b"NOTSET", 0)
    )


def _session(model: Path, threads: int) -> Any:
    """An onnxruntime CPU session of ``model`` with its hard-swish activations fused."""
    import onnx
    import onnxruntime as ort

    proto = onnx.load(str(model))
    folded, fused = fold_affine(proto), fuse_hard_swish(proto)
    log.debug("%s: %d affine blocks folded, %d hard-swish activations fused", model.name, folded, fused)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = min(threads, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    return ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


class Engine:
    """The detector's and the recogniser's onnxruntime sessions, with rapidocr's pre- and post-processing."""

    def __init__(self, threads: int = THREADS) -> None:
        try:
            import onnx  # noqa: F401  (the graph rewrite needs it)
            import rapidocr_onnxruntime as rapid
            from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess
            from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode
            from rapidocr_onnxruntime.utils import read_yaml
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ExtractionError(
                "OCR needs the rapidocr-onnxruntime and onnx packages (pip install 'govreport[ocr]')"
            ) from exc
        root = Path(rapid.__file__).resolve().parent
        config: dict[str, Any] = read_yaml(str(root / "config.yaml"))
        models = {}
        for part in ("Det", "Rec"):
            model = root / config[part]["model_path"]
            if not model.is_file():
                raise ExtractionError(
                    f"the OCR model {model.name} is missing from the rapidocr-onnxruntime "
                    "installation; reinstall the package (models are never downloaded)"
                )
            models[part] = model
        self._det = _session(models["Det"], threads)
        self._rec = _session(models["Rec"], threads)
        self._det_input = self._det.get_inputs()[0].name
        self._rec_input = self._rec.get_inputs()[0].name
        self._boxes = DBPostProcess(
            thresh=DET_THRESH,
            box_thresh=DET_BOX_THRESH,
            max_candidates=DET_MAX_CANDIDATES,
            unclip_ratio=DET_UNCLIP_RATIO,
            score_mode="fast",
            use_dilation=True,
        )
        characters = self._rec.get_modelmeta().custom_metadata_map["character"].splitlines()
        self._decode = CTCLabelDecode(character=characters)

    def detect(self, image: np.ndarray, scale: float = 1.0) -> list[np.ndarray]:
        """Text boxes of a grey or BGR image (white paper) as 4×2 float arrays of corner points.

        With ``scale`` < 1 the detector sees a smaller copy (text boxes need far fewer pixels than
        reading does); the boxes are returned in the image's pixels. The copy is padded with paper
        to the network's stride (32 pixels), never stretched: a strip of a page a few lines high
        keeps its text's shape.
        """
        h, w = image.shape[:2]
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        small = image if (sw, sh) == (w, h) else cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        pw, ph = -sw % DET_STRIDE, -sh % DET_STRIDE
        if pw or ph:
            small = cv2.copyMakeBorder(small, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        blob = cv2.dnn.blobFromImage(small, 2 / 255, mean=(127.5, 127.5, 127.5))  # (x / 255 - 0.5) / 0.5, NCHW
        pred = self._det.run(None, {self._det_input: blob})[0]
        boxes, _ = self._boxes(pred, small.shape[:2])
        out = []
        for box in boxes:
            quad = np.asarray(box, dtype=np.float32)
            if min(np.ptp(quad[:, 0]), np.ptp(quad[:, 1])) <= DET_MIN_BOX:  # in the detector's pixels
                continue
            quad[:, 0] = (quad[:, 0] * (w / sw)).clip(0, w - 1)
            quad[:, 1] = (quad[:, 1] * (h / sh)).clip(0, h - 1)
            out.append(quad)
        return out

    def _input(self, crop: np.ndarray, width: int) -> np.ndarray:
        """A crop scaled to the recogniser's height, normalised to [-1, 1] and padded with 0 to ``width``."""
        h, w = crop.shape[:2]
        resized_w = min(width, int(np.ceil(REC_HEIGHT * w / max(1, h))))
        resized = cv2.resize(crop, (resized_w, REC_HEIGHT))
        if resized.ndim == 2:
            resized = cv2.cvtColor(resized, cv2.COLOR_GRAY2BGR)
        out = np.zeros((3, REC_HEIGHT, width), np.float32)
        out[:, :, :resized_w] = resized.transpose(2, 0, 1).astype(np.float32) * (2 / 255) - 1
        return out

    def recognise(self, crops: Sequence[np.ndarray]) -> list[Recognised]:
        """Read each grey or BGR crop (one line of text each; white paper, dark ink)."""
        out: list[Recognised] = [Recognised("", 0.0)] * len(crops)
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        for idx in _batches(ratios):
            width = _width(max(ratios[i] for i in idx))
            batch = np.stack([self._input(crops[i], width) for i in idx])
            preds = self._rec.run(None, {self._rec_input: batch})[0]
            for i, res in zip(idx, self._decode(preds), strict=True):
                out[i] = Recognised(str(res[0]).translate(_LOOKALIKES), float(res[1]))
        return out


def _width(ratio: float) -> int:
    """The recogniser's input width for a crop ``ratio`` times as wide as it is high."""
    width = REC_HEIGHT * max(MIN_REC_RATIO, ratio)
    return int(np.ceil(width / REC_WIDTH_STEP) * REC_WIDTH_STEP)


def _batches(ratios: Sequence[float], columns: int | None = None) -> list[list[int]]:
    """Indices of the crops in batches of like width, each at most ``columns`` (default
    ``REC_BATCH_COLUMNS``) wide in all; one crop a batch when it is 0."""
    budget = REC_BATCH_COLUMNS if columns is None else columns
    out: list[list[int]] = []
    for i in np.argsort(ratios, kind="stable"):
        width = _width(ratios[i])
        if out and width * (len(out[-1]) + 1) <= budget:
            out[-1].append(int(i))
        else:
            out.append([int(i)])
    return out


@cache
def engine() -> Engine:
    """The process's engine (loading the sessions takes about a second; reuse it)."""
    log.debug("loading the OCR models")
    return Engine()

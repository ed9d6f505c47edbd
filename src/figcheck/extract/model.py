"""A learned last word on each figure's metric: a linear model over the rules' scores and nearby words.

The hand-written cues of ``metrics.yaml`` score every metric for every number; this model reads
those scores together with the rules' own choice, the words around the number, the sentence and
the one before, and picks the metric (or none). It is data in the rules folder
(``metric_model.json``), trained from gold annotations with `train_model` (scikit-learn, an
optional dependency needed only to train); applying it needs nothing but the JSON file.

A rules folder without the file extracts with the rules alone. A metric the model was not trained
on (one a user added to ``metrics.yaml``) is left to the rules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from figcheck.errors import RuleError, UsageError

MODEL_FILE = "metric_model.json"
MODEL_FORMAT = 1
#: The label of a number that counts no metric.
NONE = "NONE"


@dataclass(frozen=True)
class MetricModel:
    """A multinomial logistic regression over sparse named features."""

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    about: str = ""
    #: A metric less likely than this is no metric: the figure keeps an empty one.
    min_probability: float = 0.0

    def predict(self, features: Mapping[str, float]) -> tuple[str | None, float]:
        """The most likely metric (None for no metric) and its probability."""
        z = list(self.intercept)
        for name in sorted(features):  # a fixed order: the same sums to the last bit
            w = self.weights.get(name)
            if w is not None:
                x = features[name]
                z = [zk + wk * x for zk, wk in zip(z, w, strict=True)]
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        best = max(range(len(z)), key=lambda k: (z[k], -k))
        label = self.classes[best]
        probability = exp[best] / sum(exp)
        if label == NONE or probability < self.min_probability:
            return None, probability
        return label, probability

    def as_json(self) -> dict[str, Any]:
        """The JSON form that `load_model` reads."""
        return {"format": MODEL_FORMAT, "about": self.about, "classes": list(self.classes),
                "intercept": list(self.intercept), "min_probability": self.min_probability,
                "weights": {k: list(v) for k, v in sorted(self.weights.items())}}


def load_model(path: Path, raw: bytes) -> MetricModel:
    """Read ``metric_model.json``; a malformed file is a `RuleError` naming the key."""
    where = str(path)
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuleError(where, "", f"is not valid JSON ({exc})", "retrain it with `figcheck model train`") from None
    if not isinstance(doc, dict):
        raise RuleError(where, "", "must be a JSON object", "retrain it with `figcheck model train`")
    if doc.get("format") != MODEL_FORMAT:
        raise RuleError(where, "format", f"is {doc.get('format')!r}, this figcheck reads {MODEL_FORMAT}",
                        "retrain it with `figcheck model train`")
    classes = doc.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise RuleError(where, "classes", "must be a non-empty list of metric ids", "retrain the model")
    n = len(classes)
    intercept = doc.get("intercept")
    if not isinstance(intercept, list) or not _floats(intercept, n):
        raise RuleError(where, "intercept", f"must be a list of {n} numbers", "retrain the model")
    weights = doc.get("weights")
    if not isinstance(weights, dict):
        raise RuleError(where, "weights", "must be an object of feature -> numbers", "retrain the model")
    for name, w in weights.items():
        if not _floats(w, n):
            raise RuleError(where, f"weights.{name}", f"must be a list of {n} numbers", "retrain the model")
    threshold = doc.get("min_probability", 0.0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold < 1.0:
        raise RuleError(where, "min_probability", f"is {threshold!r}, not a number in [0, 1)", "retrain the model")
    return MetricModel(tuple(classes), tuple(float(v) for v in intercept),
                       {k: tuple(float(x) for x in v) for k, v in weights.items()}, str(doc.get("about", "")),
                       float(threshold))


def _floats(value: Any, n: int) -> bool:
    return isinstance(value, list) and len(value) == n and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)


def train_model(examples: Iterable[tuple[Mapping[str, float], str]], *, c: float = 1.0, min_weight: float = 0.02,
                about: str = "", min_probability: float = 0.0) -> MetricModel:
    """Fit the model on (features, label) pairs; labels are metric ids or `NONE`.

    Requires scikit-learn (``pip install 'figcheck[train]'``). Weights smaller than
    ``min_weight`` for every class are dropped, which keeps the file small.
    """
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError("training the metric model needs scikit-learn: pip install 'figcheck[train]'") from None
    pairs = list(examples)
    if len({label for _f, label in pairs}) < 2:
        raise UsageError("the gold gives fewer than two labels: nothing to learn")
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([dict(f) for f, _label in pairs])
    y = [label for _f, label in pairs]
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(x, y)
    classes = [str(k) for k in clf.classes_]
    coef = clf.coef_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: the second against the first
        coef = [[-v / 2 for v in coef[0]], [v / 2 for v in coef[0]]]
        intercept = [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
    else:
        intercept = list(clf.intercept_)
    weights: dict[str, tuple[float, ...]] = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        column = [float(coef[k][j]) for k in range(len(classes))]
        if max(abs(v) for v in column) >= min_weight:
            weights[str(name)] = tuple(round(v, 5) for v in column)
    return MetricModel(tuple(classes), tuple(round(float(v), 5) for v in intercept), weights, about, min_probability)


def write_model(model: MetricModel, path: Path) -> None:
    """Write the model as sorted, compact JSON (byte-identical for the same model)."""
    from figcheck.output import atomic_write

    text = json.dumps(model.as_json(), sort_keys=True, separators=(",", ":")) + "\n"
    with atomic_write(path) as fh:
        fh.write(text)


__all__ = ["MODEL_FILE", "NONE", "MetricModel", "load_model", "train_model", "write_model"]

"""The checks' array paths agree with plain pandas: range maxima, one value per report, collapse, records, prepare."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from figcheck.checks._common import Prepared, RangeMax, collapse, series_groups
from figcheck.checks.revision import _doc_values
from figcheck.engine import make_figures, prepare
from figcheck.vocab import load_vocabulary

VOCAB = load_vocabulary(ROOT / "rules")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-math.inf, 1.0, 2.0, 3.0, math.inf]), st.integers(0, 3)),
                min_size=1, max_size=40), st.data())
def test_range_max_takes_the_first_of_equal_values_and_skips_minus_infinity(cells, data):
    values = np.array([v for v, _ in cells])
    docs = np.array([d for _, d in cells])
    n = len(cells)
    left = np.array(data.draw(st.lists(st.integers(0, n), min_size=8, max_size=8)))
    right = np.minimum(n, left + np.array(data.draw(st.lists(st.integers(0, n), min_size=8, max_size=8))))
    exclude = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=8, max_size=8)))
    table = RangeMax(values, docs)
    for ex in (exclude, None):
        best, at = table.query(left, right, ex)
        for q in range(len(left)):
            pool = [j for j in range(left[q], right[q])
                    if values[j] > -math.inf and (ex is None or docs[j] != ex[q])]
            if not pool:
                assert (best[q], at[q]) == (-math.inf, -1)
            else:
                top = max(values[j] for j in pool)
                assert (best[q], at[q]) == (top, min(j for j in pool if values[j] == top))


def _doc_values_one_by_one(docs, lo, hi):
    keep = np.ones(len(docs), dtype=bool)
    for d in np.unique(docs):
        mine = np.flatnonzero(docs == d)
        if len(mine) < 2:
            continue
        if d < 0:  # several figures without a document carry nothing
            keep[mine] = False
            continue
        agree = (lo[mine][:, None] <= hi[mine][None, :]) & (lo[mine][None, :] <= hi[mine][:, None])
        score = agree.sum(axis=1)
        best = int(np.flatnonzero(score == score.max())[-1])
        keep[mine] = agree[best]
    return keep


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 5), st.sampled_from([1.0, 2.0, 3.0, 5.0]),
                          st.sampled_from([0.0, 0.5, 1.0, math.inf])), min_size=1, max_size=40),
       st.sampled_from([1, 3, 20, 1 << 22]))
def test_each_report_value_is_chosen_as_if_the_report_were_alone(mentions, chunk):
    docs = np.array([d for d, _, _ in mentions])
    lo = np.array([v - w for _, v, w in mentions])
    hi = np.array([v + w for _, v, w in mentions])
    assert _doc_values(docs, lo, hi, chunk=chunk).tolist() == _doc_values_one_by_one(docs, lo, hi).tolist()


def _figures(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    claimants = [None, "IDF", "Hamas-run health ministry", "Israel", "Herzog"]
    dates = ["2023-11-01", "2023-11-02", None]
    rows = []
    for i in range(n):
        value = float(rng.choice([100, 105, 110, 240, 1200]))
        rows.append({"doc_id": f"d{rng.integers(0, 6)}.md", "metric": str(rng.choice(["deaths.gaza", "hostages.held"])),
                     "value": value, "low": value - 5, "high": value + 5, "start": int(rng.integers(0, 4)) * 10 + i,
                     "as_of": dates[int(rng.integers(0, 3))], "published": "2023-11-03",
                     "claimant": claimants[int(rng.integers(0, len(claimants)))],
                     "source": ["The Ledger", None][int(rng.integers(0, 2))], "line": int(rng.integers(1, 9))})
    return make_figures(rows)


def test_prepare_reads_arrow_strings_as_it_reads_python_strings():
    plain = _figures(60, 1)
    arrow = plain.copy()
    for col in ("figure_id", "doc_id", "source", "published", "metric", "qualifier", "unit", "as_of", "claimant",
                "modality", "surface", "sentence"):
        arrow[col] = arrow[col].astype("str")
    want, got = prepare(plain, VOCAB), prepare(arrow, VOCAB)
    pd.testing.assert_frame_equal(got, want)
    for col in ("doc_id", "source", "as_of", "claimant", "series", "behaviour"):
        assert got[col].dtype == object
        assert all(v is None or type(v) is str for v in got[col])
    assert got["as_of"].isna().any()
    assert got["source"].isna().any()


def test_prepared_groups_collapse_and_records_match_the_dataframe_forms():
    frame = prepare(_figures(120, 2), VOCAB)
    table = Prepared(frame)
    dropped = 0
    for metric in ("deaths.gaza", "hostages.held"):
        rows = table.rows([metric])
        dated = rows[~np.isnan(table.day[rows])]
        sub = frame.iloc[dated]
        for mode in ("same_series", "any"):
            ours = list(table.series_groups(dated, mode))
            theirs = list(series_groups(sub, mode))
            assert [s for s, _ in ours] == [s for s, _ in theirs]
            for (_, pos), (_, group) in zip(ours, theirs, strict=True):
                assert frame.iloc[pos].equals(group)
                kept = collapse(group)
                dropped += len(group) - len(kept)
                assert frame.iloc[table.collapse(pos)].equals(kept)
                assert table.records(table.collapse(pos)) == kept.to_dict("records")
    assert dropped > 0  # the figures give several values for one document, metric, series and day

"""The Pareto front of score against cost, the tolerance rule that picks a model, and why.

Scores are "higher is better" (accuracy, R^2, negative forecast error); costs are
"lower is better". A trial is on the front when no other trial scores at least as
well for at most the same cost, better in one of the two.

Timings are noisy: two models whose prediction latencies differ by a few percent
swap order from one run to the next. So measured costs (latency, training time)
within ``TIMING_TIE`` of each other are not told apart: on a timed cost a trial is
dominated by one that scores at least as well and is clearly cheaper, or by one
not clearly dearer that is at least as good on score and parameter count and
better on one of them; and among the front models within the score tolerance,
those within ``TIMING_TIE`` of the cheapest count as a tie, settled by the stable
cost, the parameter count (then the score). The same search picks the same model
run after run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqtune.space import searched_options

# Relative margin under which two measured timings are treated as equal (sub-millisecond
# latencies of near-identical models differ by a few percent between runs).
TIMING_TIE = 0.10
TIMED_COSTS = ("latency_ms", "fit_seconds_per_epoch")


def comparable(trials: pd.DataFrame) -> pd.DataFrame:
    """Completed trials trained on the same budget: Hyperband's half-trained rounds left out.

    Hyperband trains early-round candidates for fewer epochs; comparing them with
    fully trained ones would put half-trained models on the front. Only trials at the
    largest epoch budget reached are kept.
    """
    done = trials[(trials["status"] == "COMPLETED") & np.isfinite(trials["score"].astype(float))]
    if done.empty or done["epochs"].isna().all():
        return done
    top = done["epochs"].max()
    return done[done["epochs"] == top]


def pareto_front(trials: pd.DataFrame, score: str = "score", cost: str = "latency_ms") -> pd.DataFrame:
    """The non-dominated rows of ``trials`` (finite score and cost), cheapest first.

    On a timed cost (:data:`TIMED_COSTS`) timings within ``TIMING_TIE`` are equal, and
    the parameter count (``params``, when present) settles what they leave open: a
    row is dominated by one scoring at least as well that costs less by more than
    ``TIMING_TIE``, or by one costing at most that much more that is at least as good
    on score and parameters and better on one. Timing noise therefore does not decide
    which rows are on the front. Rows that beat each other round a circle of ties all
    stay on it (see ``_undominated``), so the front is never empty.

    Parameters
    ----------
    trials : DataFrame
        One row a trial.
    score : str
        Column to maximise.
    cost : str
        Column to minimise.

    Returns
    -------
    DataFrame
        The rows on the front, sorted by increasing cost.
    """
    ok = trials[np.isfinite(trials[score].astype(float)) & np.isfinite(trials[cost].astype(float))]
    s = ok[score].to_numpy(float)[:, None]  # rows: the dominating trial; columns: the dominated one
    c = ok[cost].to_numpy(float)[:, None]
    if cost in TIMED_COSTS:
        p = ok["params"].to_numpy(float)[:, None] if "params" in ok else np.zeros_like(s)
        tie = 1 + TIMING_TIE
        as_good = (s >= s.T) & (p <= p.T) & ((s > s.T) | (p < p.T))
        dominates = ((s >= s.T) & (c * tie < c.T)) | ((c <= c.T * tie) & as_good)
    else:
        dominates = (s >= s.T) & (c <= c.T) & ((s > s.T) | (c < c.T))
    return ok[_undominated(dominates)].sort_values([cost, score], ascending=[True, False])


def _undominated(dominates: np.ndarray) -> np.ndarray:
    """Rows no other row beats, where ``dominates[j, i]`` says row j beats row i.

    The timing tie makes the relation intransitive: a may tie b and have more parameters, b
    tie c likewise, and a still be clearly cheaper than c. Such a circle leaves no row
    undominated, so rows that beat each other round a circle count as one: a row is kept
    unless something beats it (directly or through others) that it does not beat in turn.
    Without circles this is the plain Pareto front.
    """
    reaches = dominates.copy()
    for k in range(len(reaches)):  # transitive closure (a few hundred trials at most)
        reaches |= reaches[:, k : k + 1] & reaches[k : k + 1, :]
    return ~np.any(reaches & ~reaches.T, axis=0)


def choose(front: pd.DataFrame, tolerance: float, score: str = "score", cost: str = "latency_ms"):
    """The cheapest front row whose score is within ``tolerance`` of the best score.

    When ``cost`` is a measured timing (:data:`TIMED_COSTS`), rows costing at most
    ``1 + TIMING_TIE`` times the cheapest eligible row tie; the tie goes to the fewest
    parameters, then the best score.

    Returns
    -------
    Series
        The chosen row.
    """
    if front.empty:
        raise ValueError("The Pareto front is empty: no trial finished with a score and a cost.")
    best = front[score].max()
    eligible = front[front[score] >= best - tolerance]
    if cost in TIMED_COSTS and "params" in eligible:
        tied = eligible[eligible[cost] <= eligible[cost].min() * (1 + TIMING_TIE)]
        return tied.sort_values(["params", score, cost], ascending=[True, False, True]).iloc[0]
    return eligible.sort_values([cost, score], ascending=[True, False]).iloc[0]


def settled_by_tie(trials: pd.DataFrame, chosen: pd.Series, tolerance: float, score: str = "score",
                   cost: str = "latency_ms") -> bool:
    """Whether a cheaper row of ``trials`` within tolerance was passed over because their timings tied
    (by :func:`choose`, or by :func:`pareto_front`, which leaves it off the front)."""
    trials = trials[np.isfinite(trials[score].astype(float)) & np.isfinite(trials[cost].astype(float))]
    eligible = trials[trials[score] >= trials[score].max() - tolerance]
    return bool(float(chosen[cost]) > float(eligible[cost].min()))


def _ratio_text(chosen: float, other: float, noun_cheaper: str, noun_dearer: str) -> str | None:
    if not (np.isfinite(chosen) and np.isfinite(other)) or chosen <= 0 or other <= 0:
        return None
    ratio = other / chosen
    if abs(ratio - 1) < 0.05:
        return None
    if ratio > 1:
        return f"{ratio:.1f}x {noun_cheaper}"
    return f"{1 / ratio:.1f}x {noun_dearer}"


def explain(trials: pd.DataFrame, chosen: pd.Series, *, tolerance: float, cost: str,
            score: str = "score", score_name: str = "score", tie: bool = False,
            cells_run: set | None = None) -> tuple[str, str]:
    """Which cell type the rule picks, and a plain-language sentence saying why.

    Compares the chosen trial with the best-scoring trial of the other cell type
    (or, with a single cell type, with the best trial overall); of trials with the
    same best score, the cheapest on ``cost``, the one the front shows. ``tie``: the choice
    was settled by the parameter count among tied timings (see :func:`choose`).
    ``cells_run``: the cell types of every trial of the search, finished or not (to
    say whether another cell type was run at all).

    Returns
    -------
    (cell, explanation)
    """
    cell = str(chosen["cell"])
    done = trials[np.isfinite(trials[score].astype(float))]
    others = done[done["cell"] != cell]
    size = _size(chosen)
    # A score named "-NAME" is a negated error (greater is better): it is reported as NAME.
    negated = score_name.startswith("-")
    shown = score_name[1:] if negated else score_name
    best = _best_of(done, score, cost)
    alone = ""
    if others.empty:
        others_run = cells_run is None or bool(set(cells_run) - {cell})
        alone = ("no trial of another cell type finished at this budget" if others_run
                 else "the search ran no trial of another cell type")
        reference, label = best, "the best trial"
        if reference.name == chosen.name:
            value = -chosen[score] if negated else chosen[score]
            which = (f"the fewest parameters among models within {TIMING_TIE:.0%} of the cheapest {cost}"
                     if tie else "the cheapest model")
            return cell, (f"{size} chosen: the best {shown} ({value:.4f}) and {which} within {tolerance:g} of it; "
                          f"{alone}.")
    else:
        reference = _best_of(others, score, cost)
        label = f"the best {str(reference['cell']).upper()}"
    parts = [_score_verdict(chosen[score], reference[score], label, score_name, tolerance)]
    notes = [alone] if alone else []
    if best.name not in (chosen.name, reference.name):  # the best trial is of the chosen cell type
        notes.append(_score_verdict(chosen[score], best[score], f"the best trial, {_size(best)}", score_name,
                                    tolerance))
    for column, cheaper, dearer in (
        ("fit_seconds_per_epoch", "faster per epoch", "slower per epoch"),
        ("latency_ms", "lower latency", "higher latency"),
    ):
        text = _ratio_text(float(chosen[column]), float(reference[column]), cheaper, dearer)
        if text:
            parts.append(text)
    params_c, params_r = float(chosen["params"]), float(reference["params"])
    if params_r > 0 and abs(params_c / params_r - 1) >= 0.05:
        change = (1 - params_c / params_r) * 100
        parts.append(f"{abs(change):.0f}% {'fewer' if change > 0 else 'more'} parameters")
    rule = (f"fewest parameters among the models within {TIMING_TIE:.0%} of the cheapest {cost}" if tie
            else f"cheapest on {cost}")
    return cell, f"{size} chosen ({rule} within tolerance): " + "; ".join([", ".join(parts), *notes]) + "."


def _best_of(rows: pd.DataFrame, score: str, cost: str) -> pd.Series:
    """The best-scoring row; of several with that score the one the front keeps, picked as :func:`choose`
    picks (timings within ``TIMING_TIE`` tie, the fewest parameters settle it), so timing noise does not
    change the model an explanation compares with."""
    scores = rows[score].astype(float)
    top = rows[scores == scores.max()]
    return choose(top, 0.0, score, cost) if cost in top and len(top) > 1 else top.iloc[0]


def _size(row: pd.Series) -> str:
    """A trial's network in words: "LSTM 2x[32, 16]", "bidirectional GRU 1x[8] (max pooling)"."""
    size = f"{str(row['cell']).upper()} {int(row['layers'])}x{row['units']}"
    if row.get("bidirectional"):
        size = f"bidirectional {size}"
    options = searched_options(row)
    if "pooling" in options:
        size = f"{size} ({options['pooling']} pooling)"
    if "frame_length" in options:
        size = f"{size} (frames of {options['frame_length']})"
    return size


def _score_verdict(chosen: float, reference: float, label: str, score_name: str, tolerance: float) -> str:
    """How the chosen trial's score compares with ``label``'s, in the score's own terms."""
    gap = float(chosen - reference)
    negated = score_name.startswith("-")
    shown = score_name[1:] if negated else score_name
    points = abs(gap) * (100 if score_name == "accuracy" else 1)
    unit = " points" if score_name == "accuracy" else ""
    if abs(gap) < 1e-12:
        return f"same {shown} as {label}"
    if negated:
        return (f"{shown} {-chosen:.4f} against {-reference:.4f} for {label}"
                + (f" (tolerance {tolerance:g})" if gap < 0 else ""))
    if gap < 0:
        pts = tolerance * 100
        allowed = f"{pts:g} point{'s' * (pts != 1)}" if score_name == "accuracy" else f"{tolerance:g}"
        return f"{points:.2f}{unit} {score_name} below {label} (tolerance {allowed})"
    return f"{points:.2f}{unit} {score_name} above {label}"


def summarize(trials: pd.DataFrame, cost: str, tolerance: float, score_name: str = "score"):
    """Front, choice and explanation of a search, from its trial table.

    Returns
    -------
    pool : DataFrame
        Completed trials at the largest budget (the ones compared).
    front : DataFrame
    chosen : Series
    cell : str
    explanation : str
    """
    tolerance = float(tolerance)  # a NumPy float made NumPy booleans of the explanation's plurals
    pool = comparable(trials)
    front = pareto_front(pool, "score", cost)
    chosen = choose(front, tolerance, "score", cost)
    # against every compared trial: the timing tie may have kept a cheaper one off the front itself
    tie = settled_by_tie(pool, chosen, tolerance, "score", cost)
    # an unreadable trial's cell is unknown: it may have been of another type
    unreadable = "status" in trials and (trials["status"] == "UNREADABLE").any()
    cell, text = explain(pool, chosen, tolerance=tolerance, cost=cost, score_name=score_name, tie=tie,
                         cells_run=None if unreadable else set(trials["cell"].dropna().astype(str)))
    return pool, front, chosen, cell, text

"""Pareto front, tolerance rule and explanation."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from seqtune.pareto import TIMING_TIE, choose, explain, pareto_front, summarize


def _trials(scores, costs, cells=None):
    n = len(scores)
    return pd.DataFrame({
        "trial_id": [str(i) for i in range(n)], "score": scores, "latency_ms": costs,
        "cell": cells or ["lstm", "gru"] * (n // 2) + ["lstm"] * (n % 2), "layers": 1,
        "units": [[16]] * n, "bidirectional": False, "params": [1000.0 * (i + 1) for i in range(n)],
        "fit_seconds_per_epoch": costs,
    })


def _reachable(beats: list, start: int) -> set:
    """Rows reachable from ``start`` along ``beats[j]`` (the rows row j beats), by breadth-first search."""
    seen, todo = set(), [start]
    while todo:
        for k in beats[todo.pop()]:
            if k not in seen:
                seen.add(k)
                todo.append(k)
    return seen


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 100), st.integers(1, 5)), min_size=1, max_size=30))
def test_front_is_exactly_the_non_dominated_set(points):
    trials = _trials([p[0] for p in points], [p[1] for p in points])
    trials["params"] = [float(p[2]) for p in points]
    trials["memory_mb"] = trials["latency_ms"]
    exact = pareto_front(trials, cost="memory_mb")
    for i, (s, c, _) in enumerate(points):
        dominated = any(s2 >= s and c2 <= c and (s2 > s or c2 < c) for s2, c2, _ in points)
        assert (i in set(exact.index)) == (not dominated)
    assert list(exact["memory_mb"]) == sorted(exact["memory_mb"])
    # timings within the tie are equal: beaten by a row as good and clearly cheaper, or by one not
    # clearly dearer that is as good on score and parameters and better on one
    timed = pareto_front(trials, cost="latency_ms")
    tie = 1 + TIMING_TIE
    beats = [[i for i, (s, c, p) in enumerate(points)
              if (s2 >= s and c2 * tie < c) or (c2 <= c * tie and s2 >= s and p2 <= p and (s2 > s or p2 < p))]
             for s2, c2, p2 in points]
    reach = [_reachable(beats, j) for j in range(len(points))]
    for i in range(len(points)):
        # kept unless beaten, directly or through others, by a row it does not beat back the same way
        kept = not any(i in reach[j] and j not in reach[i] for j in range(len(points)))
        assert (i in set(timed.index)) == kept
        if not any(i in beats[j] for j in range(len(points))):
            assert kept  # nothing beats it: always on the front
    assert timed["score"].max() == max(s for s, _, _ in points)  # never empty; the best score is on it


def test_a_circle_of_timing_ties_keeps_its_rows_on_the_front():
    """Found by an exploratory run: b ties a with fewer parameters, c ties b likewise, a is clearly cheaper
    than c; each row was beaten by another and the front was empty."""
    trials = _trials([0.9, 0.9, 0.9], [1.00, 1.09, 1.18])
    trials["params"] = [100.0, 90.0, 80.0]
    front = pareto_front(trials)
    assert list(front["trial_id"]) == ["0", "1", "2"]
    assert choose(front, 0.01)["trial_id"] == "1"  # the fewest parameters within 10% of the cheapest


def test_a_timing_tie_does_not_keep_a_worse_model_on_the_front():
    """Seen in the digits demo: 0.889 at 0.602 ms stayed beside 0.958 at 0.548 ms (within 10%)."""
    trials = _trials([0.9583, 0.8889, 0.9653, 0.9653], [0.548, 0.602, 0.717, 0.723])
    trials["params"] = [2328.0, 5608.0, 5760.0, 23306.0]
    # 1: worse and larger than 0 at a tied latency; 3: as good as 2, larger, at a tied latency
    assert list(pareto_front(trials)["trial_id"]) == ["0", "2"]


def test_tolerance_picks_the_cheapest_close_enough_model():
    trials = _trials([0.90, 0.95, 0.96, 0.80], [1.0, 2.0, 8.0, 0.5])
    front = pareto_front(trials)
    assert choose(front, 0.0)["trial_id"] == "2"
    assert choose(front, 0.01)["trial_id"] == "1"
    assert choose(front, 0.10)["trial_id"] == "0"
    assert choose(front, 0.20)["trial_id"] == "3"


def test_nan_rows_never_reach_the_front():
    trials = _trials([0.9, np.nan, 0.8], [1.0, 0.1, np.nan])
    assert list(pareto_front(trials)["trial_id"]) == ["0"]


def test_explanation_compares_with_the_best_of_the_other_cell():
    trials = _trials([0.95, 0.946], [2.3, 1.0], cells=["lstm", "gru"])
    trials["params"] = [2000.0, 1000.0]
    chosen = choose(pareto_front(trials), 0.01)
    cell, text = explain(trials, chosen, tolerance=0.01, cost="latency_ms", score_name="accuracy")
    assert cell == "gru"
    assert "0.40 points accuracy below the best LSTM (tolerance 1 point)" in text
    assert "2.3x faster per epoch" in text and "50% fewer parameters" in text


def test_explanation_compares_with_the_front_model_of_the_best_score():
    """Found by the demo: of two GRUs with the best score, the sentence compared with the dearer one,
    not the GRU the front showed (LSTM "1.9x slower per epoch" than a GRU off the front)."""
    trials = _trials([0.9583, 0.9653, 0.9653], [1.56, 2.23, 1.84], cells=["lstm", "gru", "gru"])
    trials["fit_seconds_per_epoch"] = [0.224, 0.118, 0.235]
    trials["params"] = [5906.0, 5760.0, 23306.0]
    _, front, chosen, cell, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.01,
                                             "accuracy")
    assert list(front["trial_id"]) == ["0", "2"] and chosen["trial_id"] == "0"
    assert "0.70 points accuracy below the best GRU" in text
    assert "1.2x lower latency" in text and "75% fewer parameters" in text  # against trial 2, not 1


def test_the_model_an_explanation_compares_with_does_not_follow_timing_noise():
    """Two GRUs of the best score 4% apart in latency: the sentence compared with the faster one, so the same
    search said "902% more parameters" in one run and "383%" in the next; it compares with the GRU the front
    keeps, the fewer parameters of the two."""
    texts = []
    for latencies in ([1.0, 2.04, 2.12], [1.0, 2.12, 2.04]):
        trials = _trials([0.95, 0.96, 0.96], latencies, cells=["lstm", "gru", "gru"])
        trials["params"] = [800.0, 5000.0, 1000.0]
        _, front, chosen, _, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.01,
                                              "accuracy")
        assert chosen["trial_id"] == "0" and "2" in set(front["trial_id"]) and "1" not in set(front["trial_id"])
        texts.append(text)
    assert "20% fewer parameters" in texts[0] and "20% fewer parameters" in texts[1]


def test_near_equal_timings_tie_and_fewer_parameters_settle_it():
    # Two runs of one search: the latencies of trials 0 and 1 swap within 4%, the pick does not.
    for latencies in ([1.00, 1.04, 3.0], [1.04, 1.00, 3.0]):
        trials = _trials([0.950, 0.951, 0.96], latencies)
        trials["params"] = [5000.0, 2000.0, 9000.0]
        front = pareto_front(trials)
        chosen = choose(front, 0.02)
        assert chosen["trial_id"] == "1"
    # Equal scores and tied timings: the larger model is the dominated one whichever of the two
    # near-equal latencies came out lower, so neither the front nor the pick depends on it.
    for latencies in ([0.6106, 0.6053], [0.6053, 0.6106]):
        trials = _trials([0.25, 0.25], latencies)
        trials["params"] = [304.0, 178.0]
        front = pareto_front(trials)
        assert list(front["trial_id"]) == ["1"] and choose(front, 0.01)["trial_id"] == "1"
    # Timings 20% apart do not tie: the cheaper one is chosen even with more parameters.
    trials = _trials([0.950, 0.951], [1.0, 1.2])
    trials["params"] = [5000.0, 2000.0]
    assert choose(pareto_front(trials), 0.02)["trial_id"] == "0"
    # An exact cost (parameters) never ties.
    trials = _trials([0.950, 0.951], [1.0, 1.04])
    trials["params"] = [2000.0, 2050.0]
    assert choose(pareto_front(trials, cost="params"), 0.02, cost="params")["trial_id"] == "0"


def test_explanation_says_when_a_timing_tie_decided():
    trials = _trials([0.951, 0.950], [1.00, 1.04], cells=["lstm", "gru"])
    trials["params"] = [5000.0, 2000.0]  # neither dominates: the LSTM scores better, the GRU is smaller
    _, _, _, cell, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.02,
                                         "accuracy")
    assert cell == "gru"
    assert "fewest parameters among the models within 10% of the cheapest latency_ms" in text
    trials["latency_ms"] = [1.00, 1.50]
    _, _, _, cell, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.02,
                                         "accuracy")
    assert cell == "lstm" and "(cheapest on latency_ms within tolerance)" in text
    # the tie can keep the cheaper model off the front itself (same score, more parameters, timing
    # within 10%): the reason still says the tie decided, not "cheapest"
    trials = _trials([0.90, 0.90], [1.00, 1.05], cells=["lstm", "gru"])
    trials["params"] = [5000.0, 1000.0]
    _, front, _, cell, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.01, "accuracy")
    assert list(front["cell"]) == ["gru"] and cell == "gru"
    assert "fewest parameters among the models within 10% of the cheapest latency_ms" in text


def test_explanation_names_the_best_trial_when_the_pick_is_below_it():
    trials = _trials([0.96, 0.955, 0.90], [3.0, 1.0, 2.0], cells=["lstm", "lstm", "gru"])
    trials["units"] = [[64], [8], [32]]
    *_, cell, text = summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", 0.01, "accuracy")
    assert cell == "lstm"
    assert "5.50 points accuracy above the best GRU, " in text
    assert text.endswith("; 0.50 points accuracy below the best trial, LSTM 1x[64] (tolerance 1 point).")
    # a NumPy tolerance (np.arange in a loop, a value read from a table) says the same
    assert summarize(trials.assign(status="COMPLETED", epochs=5), "latency_ms", np.float64(0.01), "accuracy")[-1] \
        == text


def test_explanation_says_whether_another_cell_type_was_run_at_all():
    trials = _trials([0.9, 0.8], [1.0, 2.0], cells=["lstm", "lstm"]).assign(status="COMPLETED", epochs=5)
    *_, text = summarize(trials, "latency_ms", 0.01, "accuracy")
    assert "the search ran no trial of another cell type" in text
    # also when the pick is not the best trial (a cheaper one within tolerance)
    *_, text = summarize(trials.assign(score=[0.9, 0.895], latency_ms=[2.0, 1.0]), "latency_ms", 0.01, "accuracy")
    assert "below the best trial" in text and text.endswith("; the search ran no trial of another cell type.")
    failed_gru = _trials([np.nan], [np.nan], cells=["gru"]).assign(status="FAILED", epochs=5, trial_id="9")
    *_, text = summarize(pd.concat([trials, failed_gru], ignore_index=True), "latency_ms", 0.01, "accuracy")
    assert "no trial of another cell type finished at this budget" in text
    # an unreadable trial.json (report of a damaged folder) may have been of another type
    unreadable = pd.DataFrame({"trial_id": ["9"], "status": ["UNREADABLE"]})
    *_, text = summarize(pd.concat([trials, unreadable], ignore_index=True), "latency_ms", 0.01, "accuracy")
    assert "no trial of another cell type finished at this budget" in text


def test_a_custom_cost_of_zero_or_below_is_plotted_on_a_linear_axis(tmp_path):
    """The axis was always logarithmic: costs of 0 or below (a custom cost may be any finite number) fell off
    it, the chosen model with them, leaving an empty plot and matplotlib's warning."""
    import warnings

    from seqtune.report import plot_pareto

    trials = _trials([0.5, 0.75, 0.8], [-107.0, 0.0, -3.0]).rename(columns={"latency_ms": "custom_cost"})
    front = pareto_front(trials, "score", "custom_cost")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = plot_pareto(trials, front, choose(front, 0.5, "score", "custom_cost"), "custom_cost",
                           tmp_path / "front.png")
    assert path.stat().st_size > 0

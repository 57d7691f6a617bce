"""scikit-learn's own estimator checks over both estimators, with tiny settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from seqtune import SequenceClassifier, SequenceRegressor

# Each expected failure, with why it is expected.
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch gradient descent with shuffling: a weight of 2 is not the same as a "
        "duplicated row (different batches, different steps)"
    ),
}


# The regressor's outputs are float32 network outputs times the target scale: a sample predicted
# alone or inside a batch can differ in the 7th significant digit (oneDNN picks its kernels by batch
# size; measured 1.8e-7 on one of 20 predictions), and this check compares at rtol=1e-7.
REGRESSOR_EXPECTED_FAILURES = {
    "check_methods_subset_invariance": "float32 predictions differ by ~1e-7 relative between batch sizes",
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, SequenceRegressor):
        return {**EXPECTED_FAILURES, **REGRESSOR_EXPECTED_FAILURES}
    return EXPECTED_FAILURES


@parametrize_with_checks(
    [
        SequenceClassifier(units=8, epochs=12, learning_rate=0.01, random_state=0),
        # the LSTM here (TensorFlow's fused op) and the default GRU above: both cells meet the checks.
        # 16 units: check_regressors_train wants R^2 > 0.5 on its data (y linear in one of 10 noise steps),
        # which 8 units missed in three of four fits (seeds 0 and 1, pooling "last" or "concat": 0.38-0.57;
        # 16 units, "concat": 0.64-0.76 on seeds 0, 1 and 2)
        SequenceRegressor(cell="lstm", units=16, epochs=50, learning_rate=0.01, patience=10, random_state=0),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)

"""mlstrat: run a machine-learning project the way *Structuring Machine Learning Projects*
teaches, from Python. The same C++ library as the ``mlstrat`` command line: NumPy arrays and
pandas columns in, the numbers of ``mlstrat ... --json`` out.

    >>> import mlstrat
    >>> report = mlstrat.evaluate([0, 1, 1, 0], [0, 1, 0, 0])
    >>> report["error"]
    0.25

Every function raises :class:`InputError` (a ``ValueError``) for bad input, with the message the
command line prints. Arrays are read where they lie when their dtype and layout allow, and the
GIL is released while the library computes. See docs/python.md.
"""

from . import _mlstrat
from . import errors
from .registry import Registry, Run
from .splits import split
from ._mlstrat import InputError, __version__

__all__ = [
    "InputError", "__version__", "evaluate", "find_label_issues", "label_issues_report",
    "diagnose", "DiagnoseReport", "ceiling", "select", "errors", "Registry", "Run", "split",
]


def evaluate(y_true, y_pred, *, slices=None, sample_weight=None, class_weight=None,
             positive=None, beta=1.0, ci_level=0.95, n_jobs=None):
    """The single-number metric of predictions: the document of ``mlstrat eval --json``.

    y_true, y_pred: 1-D arrays of labels (integers, floats, booleans, strings, or pandas
        categoricals), compared by their text as a CSV file would hold them.
    slices: ``{name: array}`` or a DataFrame (one slice column each): the error of every value
        and their unweighted average ("average error over four regions").
    sample_weight: per-row weights (finite, >= 0); class_weight: ``{class: weight}`` by true
        class (others weigh 1). Give one or neither.
    positive: a class for binary precision/recall/F1. beta: the beta of F-beta.
    ci_level: confidence level of every interval. n_jobs: threads (None: every core).

    Returns a dict: rows, accuracy, error, error_ci, classes, macro/micro/weighted averages,
    confusion, slices, weighted_error (with weights) ... as ``mlstrat eval --json``.
    """
    return _mlstrat.evaluate(y_true, y_pred, slices=slices, sample_weight=sample_weight,
                             class_weight=class_weight, positive=positive, beta=beta,
                             ci_level=ci_level, n_jobs=n_jobs)


def find_label_issues(labels, pred_probs, *, filter_by="prune_by_noise_rate",
                      return_indices_ranked_by=None, multi_label=False, frac_noise=1.0,
                      num_to_remove_per_class=None, min_examples_per_class=1,
                      confident_joint=None, n_jobs=None, verbose=False):
    """Likely label errors by confident learning: what cleanlab's ``find_label_issues`` returns
    for the same arguments.

    labels: 1-D integer class indices 0..K-1; with ``multi_label=True``, one list of class
        indices per example (``[[0, 2], [], [1]]``), as cleanlab takes them.
    pred_probs: N x K out-of-sample probabilities (float32 or float64; float64 C-contiguous is
        read without a copy); with multi_label, one-vs-rest probabilities, each in [0, 1].
    return_indices_ranked_by: None returns a boolean mask of the flagged examples; a label
        quality score returns their indices, lowest score first (equal scores: lower index
        first): ``"self_confidence"`` P(given), ``"normalized_margin"`` (P(given) - max other
        P + 1) / 2, or ``"confidence_weighted_entropy"``, cleanlab's scores of those names. With
        multi_label, each class's one-vs-rest score, averaged as cleanlab's multi-label scorer.
    filter_by: which examples to flag, cleanlab's modes with its semantics:
        ``"prune_by_noise_rate"`` (the default), ``"prune_by_class"``, ``"both"``,
        ``"confident_learning"``, ``"predicted_neq_given"``, ``"low_self_confidence"`` and
        ``"low_normalized_margin"``, with one label or with multi_label.
    multi_label: confident learning one class against the rest, as cleanlab's
        ``multi_label=True``.
    frac_noise: flag this share (0 to 1) of each estimated count; used by prune_by_noise_rate,
        prune_by_class and both, ignored by the other filters (as cleanlab ignores it).
    num_to_remove_per_class: per class, how many of the examples given it to flag (exactly with
        prune_by_class, within rounding with the others); only with prune_by_noise_rate,
        prune_by_class and both (else InputError, as cleanlab's ValueError). With multi_label,
        per class for its one-vs-rest problem.
    min_examples_per_class: a class keeps at least this many examples, and a class with no
        more is not pruned.
    confident_joint: None estimates it from pred_probs; a K x K matrix of whole counts (given
        label by row, true label by column, as cleanlab's ``compute_confident_joint``) is pruned
        by instead, with prune_by_noise_rate, prune_by_class and both; the other filters ignore
        it, as cleanlab does. Not with multi_label (InputError).
    n_jobs: threads (None: every core; the result does not depend on it). verbose: accepted for
        cleanlab's signature and ignored (nothing is printed).
    """
    return _mlstrat.find_label_issues(
        labels, pred_probs, filter_by=filter_by,
        return_indices_ranked_by=return_indices_ranked_by, multi_label=multi_label,
        frac_noise=frac_noise, num_to_remove_per_class=num_to_remove_per_class,
        min_examples_per_class=min_examples_per_class, confident_joint=confident_joint,
        n_jobs=n_jobs, verbose=verbose)


def label_issues_report(labels, pred_probs, *, class_names=None, sum_tolerance=1e-3,
                        multi_label=False, n_jobs=None, filter_by="prune_by_noise_rate",
                        return_indices_ranked_by=None, frac_noise=1.0,
                        num_to_remove_per_class=None, min_examples_per_class=1):
    """The document of ``mlstrat labels --json`` for the same labels and probabilities: rows,
    classes, per class the rows, flagged and estimated issues, the confident joint, and the
    issues (index, given, suggested, self_confidence) least confident first.

    class_names: names of the K classes, in the order of the columns of pred_probs.
    multi_label: labels are lists of class indices (``mlstrat labels --multi-label``).
    filter_by, frac_noise, num_to_remove_per_class, min_examples_per_class: which examples to
        flag, as find_label_issues' (``mlstrat labels --filter-by``, ``--frac-noise``, ...).
    return_indices_ranked_by: another score than self_confidence ranks the issues by it
        (``mlstrat labels --rank-by``); the document then names it under ``ranked_by`` and each
        issue carries it.
    """
    return _mlstrat.label_issues_report(
        labels, pred_probs, class_names=class_names, sum_tolerance=sum_tolerance,
        multi_label=multi_label, n_jobs=n_jobs, filter_by=filter_by,
        return_indices_ranked_by=return_indices_ranked_by, frac_noise=frac_noise,
        num_to_remove_per_class=num_to_remove_per_class,
        min_examples_per_class=min_examples_per_class)


class DiagnoseReport(dict):
    """The diagnosis as the dict of ``mlstrat diagnose --json``; ``str()`` gives the text
    ``mlstrat diagnose`` prints."""

    def __init__(self, document, text):
        super().__init__(document)
        self._text = text

    def __str__(self):
        return self._text


def diagnose(*, human=None, human_goal=None, train=None, train_dev=None, dev=None, test=None,
             human_target=None, train_target=None, sizes=None, ci_level=0.95):
    """Avoidable bias, variance, data mismatch and dev overfitting against human level, the
    focus and its tactics: ``mlstrat diagnose``.

    Rates are fractions (0.08) or text ("8%"). human: one rate, ``{name: rate}``, or a list of
    ``"name=rate"``; the Bayes proxy is the lowest unless human_goal names another.
    sizes: ``{"train": rows, "train_dev": ..., "dev": ..., "test": ...}`` gives every gap an
    interval (a gap whose interval holds 0 is noise).

    Returns a :class:`DiagnoseReport` (a dict; ``print(report)`` shows the CLI's text).
    """
    document, text = _mlstrat.diagnose(
        human=human, human_goal=human_goal, train=train, train_dev=train_dev, dev=dev,
        test=test, human_target=human_target, train_target=train_target, sizes=sizes,
        ci_level=ci_level)
    return DiagnoseReport(document, text)


def ceiling(stages, *, rows=None, ci_level=0.95):
    """Which stage of a pipeline limits the whole (``mlstrat ceiling``).

    stages: ``{stage: accuracy}`` or ``[(stage, accuracy), ...]`` in pipeline order, the first
        being the system as it is and each next one with that stage (and all before) made
        perfect; or the path of a STAGES.csv. rows: the size of the set measured on.
    """
    return _mlstrat.ceiling(stages, rows=rows, ci_level=ci_level)


def _cells(table):
    """{column: [text cells]} of a DataFrame or a dict of columns (missing values empty)."""
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        table = {name: table[name].tolist() for name in table.columns}
    out = {}
    for name, values in dict(table).items():
        cells = []
        for v in values:
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            elif isinstance(v, float):
                cells.append(repr(v))
            else:
                cells.append(str(v.item() if hasattr(v, "item") else v))
        out[str(name)] = cells
    return out


def select(table, *, maximize=None, minimize=None, require=(), combine=(), dev_size=None,
           name_col="name", ci_level=0.95):
    """Pick a model with one optimizing metric and satisficing limits (``mlstrat select``).

    table: a DataFrame or ``{column: values}`` with one row per model (named by name_col, else
        the first column), or the path of RUNS.csv.
    require: limits such as ``"running_time_ms<=100"``; combine: ``"mean:COL1,COL2"``,
        ``"f1:P,R"`` or ``"weighted:COL=W,..."``. dev_size: dev rows, to tell a lead from noise.
    """
    if not isinstance(table, str):
        table = _cells(table)
    return _mlstrat.select(table, maximize=maximize, minimize=minimize, require=list(require),
                           combine=list(combine), dev_size=dev_size, name_col=name_col,
                           ci_level=ci_level)

"""The run registry from Python: the same SQLite file as ``mlstrat runs`` (default
``mlstrat.db``), so a run logged from a training loop here is listed, compared, diagnosed and
drawn by ``mlstrat report`` like any other.

    >>> reg = mlstrat.Registry("mlstrat.db")
    >>> with reg.run("lr05", params={"optim": {"lr": 0.05}}) as run:
    ...     for epoch in range(3):
    ...         run.log(epoch, train_error=0.2, dev_error=0.25, train_loss=0.6, lr=0.05)
    ...     run.predictions("dev", ids, y_dev, probs_dev)
    >>> reg.runs(where="dev.error<0.3", sort="dev.error")
"""

import os

from . import _mlstrat

__all__ = ["Registry", "Run"]


def _list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class Run:
    """One run being logged; made by :meth:`Registry.run`. Every method is one transaction on
    the registry file, safe with other processes logging at the same time."""

    def __init__(self, registry, name):
        self._registry = registry
        self.name = name

    def log(self, step=None, /, **metrics):
        """Logs metrics, at ``step`` (an epoch or iteration) when given: each joins the run's
        curve and becomes its current value, as ``mlstrat runs log --step``.

        A keyword ``SPLIT_METRIC`` is a per-split metric (``train_error``, ``dev_error``,
        ``train_dev_error``, ``dev_accuracy``, ``train_loss``), any other keyword a number of no
        split (``lr``, ``seconds``). Keys that are no identifiers go through ``**{"dev.error":
        0.1}``.
        """
        self._registry._core.log(self.name, step, metrics)

    def params(self, params):
        """Sets typed parameters (a nested dict is flattened: ``{"optim": {"lr": 0.1}}`` is
        ``optim.lr``)."""
        self._registry._core.log(self.name, None, {}, params=params)

    def tags(self, **tags):
        """Sets free labels (``owner="ana"``)."""
        self._registry._core.log(self.name, None, {}, tags=tags)

    def predictions(self, split, ids, y_true, pred_probs, *, classes=None, path=None):
        """Writes the run's predictions for ``split`` (columns id, label, pred, p_CLASS: those
        ``mlstrat train`` writes) and attaches them, so ``mlstrat runs compare`` pairs them by id
        with another run's.

        ids: one unique id per example (the id column of the data). y_true: the given labels,
            class indices or class names. pred_probs: N x K probabilities; pred is the most
            probable class. classes: the K class names (default ``0 .. K-1``).
        path: the file to write; default ``runs/NAME/pred_SPLIT.csv`` beside the registry file.
        Returns the path written.
        """
        if path is None:
            folder = os.path.join(os.path.dirname(os.path.abspath(self._registry.path)), "runs",
                                  self.name)
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"pred_{split}.csv")
        path = os.path.normpath(os.path.abspath(path))
        return self._registry._core.predictions(self.name, split, path, ids, y_true, pred_probs,
                                                classes=classes)

    def finish(self, failed=False):
        """Marks the run finished (or failed) with the time, as ``mlstrat runs finish``."""
        self._registry._core.set_status(self.name, "failed" if failed else "finished")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(failed=exc_type is not None)
        return False

    def __repr__(self):
        return f"Run({self.name!r}, registry={self._registry.path!r})"


class Registry:
    """The run registry file at ``path`` (created when absent), shared with the command line's
    ``mlstrat runs``, ``diagnose --run``, ``select --from-registry`` and ``report``."""

    def __init__(self, path="mlstrat.db"):
        self._core = _mlstrat.Registry(os.fspath(path))

    @property
    def path(self):
        """The file's path as given."""
        return self._core.path

    def run(self, name, *, params=None, group=None, tags=None):
        """Starts (or resumes) the run ``name`` with status running, as ``mlstrat runs log``;
        use it in a ``with`` block: it is finished when the block ends, failed when it raises.

        params: the configuration, a (nested) dict of numbers, text, booleans and lists,
            stored as typed parameters (``param.optim.lr`` in queries).
        group: the seed group (runs of one configuration with different seeds).
        """
        self._core.log(name, None, {}, params=params or {}, tags=tags or {})
        self._core.set_status(name, "running")  # a resumed run is running again
        if group is not None:
            self._core.set_group(name, group)
        return Run(self, name)

    def runs(self, where=None, sort=None, *, columns=None, limit=None, all=False):
        """The runs as a pandas DataFrame, one row per run and one column per key (``name``,
        ``status``, ``dev.error``, ``param.optim.lr``, ``tag.owner`` ...): the query of
        ``mlstrat runs list``.

        where: a condition or a list of them, all of which must hold (``"dev.error<0.1"``,
            ``"param.optim.lr>=1e-3"``, ``"name~resnet*"``). sort: a key, ``-KEY`` for highest
            first; oldest first without one. columns: the keys to return (default every key
            any selected run has). limit: at most this many runs. all: include deleted runs.
        """
        import pandas as pd

        table, order = self._core.query(_list(where), sort or "", limit or 0, all,
                                        columns=_list(columns) if columns is not None else None)
        return pd.DataFrame(table, columns=order)

    def get(self, name):
        """The run ``name`` as a dict (the document of ``mlstrat runs show --json``), or None."""
        return self._core.find(name)

    def steps(self, name):
        """The run's logged curve as a DataFrame: step, split, metric, value."""
        import pandas as pd

        return pd.DataFrame(self._core.steps(name))

    def __repr__(self):
        return f"Registry({self.path!r})"

"""Error analysis (course 1.2.1): tally a reviewed sheet, find high-error cohorts."""

from . import _mlstrat


def tally(sheet, *, error, resolution=None, tags=(), ci_level=0.95):
    """Each idea's share of the reviewed errors and its ceiling, and whether fixing mislabeled
    examples pays: ``mlstrat errors tally --json``.

    sheet: path of a review sheet (``mlstrat errors sample``) with the reviewer's marks.
    error: the dev error the sheet's errors were sampled from (0.10 or "10%").
    """
    return _mlstrat.tally(str(sheet), error=error, resolution=resolution, tags=list(tags),
                          ci_level=ci_level)


def slices(pred, *, features, min_rows=100, max_depth=3, top=10, label_col="label",
           pred_col="pred", ci_level=0.95):
    """The metadata cohorts where the model errs most: ``mlstrat errors slices --json``.

    pred: path of a predictions file; features: its metadata columns.
    """
    return _mlstrat.error_slices(str(pred), features=list(features), min_rows=min_rows,
                                 max_depth=max_depth, top=top, label_col=label_col,
                                 pred_col=pred_col, ci_level=ci_level)

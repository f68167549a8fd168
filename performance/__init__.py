"""Budget performance: plan against actual, early warning on spending pace, targets.

``performance.pace`` holds the pure pace rules (frames in, frames out); ``performance.config``
reads the manifest's ``[early_warning]`` section; ``performance.early_warning`` is the one
recipe the Early warning page and ``python -m performance.cli`` both call.
``performance.targets`` is the one target engine (the manifest's ``[targets]``, met / at risk /
missed) used by the Scorecard page (``performance.scorecard``) and the Roads page;
``performance.checks`` lists the problems of both sections for Data quality.
"""

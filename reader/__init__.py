"""reader: a terminal article reader that shows the article and nothing else."""

__version__ = "0.1.0"

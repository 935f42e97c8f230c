"""reader: a terminal article reader that shows the article and nothing else."""

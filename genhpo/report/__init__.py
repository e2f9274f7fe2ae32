"""Reports of a run store: regret and rank curves, plots, tables, HPO-B results files, DeepCAVE export."""

"""genhpo inside other HPO loops: an Optuna sampler (:mod:`genhpo.integrations.optuna`) and a Syne Tune
searcher (:mod:`genhpo.integrations.syne_tune`); each imports its library only when imported itself."""

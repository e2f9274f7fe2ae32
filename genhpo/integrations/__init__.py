"""genhpo inside other HPO loops: an Optuna sampler (:mod:`genhpo.integrations.optuna`)."""

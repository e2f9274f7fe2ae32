"""The comparison runner: experiment files, the optimizer registry, the run store, Dask execution."""

"""``make("sklearn-pipeline", dataset)``: a large conditional space trained for real, in the spirit of
auto-sklearn: a preprocessing choice and a classifier choice, each with its own hyperparameters.

Datasets: those scikit-learn ships (no download): ``digits`` (1,797 x 64, 10 classes),
``breast_cancer`` (569 x 30, 2), ``wine`` (178 x 13, 3).

Space (23 hyperparameters, 21 conditions, 1 forbidden clause):
- ``preprocessor`` in none, standardize, pca (``pca:n_components``, ``pca:whiten``), select
  (``select:k``, ``select:score`` f_classif / mutual_info);
- ``classifier`` in
  - logreg (``logreg:C`` log, ``logreg:fit_intercept``),
  - svc (``svc:C`` log, ``svc:kernel`` rbf / poly / sigmoid, ``svc:gamma`` log, ``svc:degree`` for poly,
    ``svc:coef0`` for poly and sigmoid, an OrConjunction),
  - forest (a random forest: ``forest:n_estimators`` log, ``forest:max_depth``, ``forest:max_features``,
    ``forest:criterion``),
  - knn (``knn:n_neighbors``, ``knn:weights``, ``knn:p`` for the Minkowski power),
  - boost (histogram gradient boosting: ``boost:learning_rate`` log, ``boost:max_leaf_nodes`` log,
    ``boost:l2`` log);
- forbidden: a degree-5 polynomial SVC on unscaled features (preprocessor none), which trains for minutes.

Score: mean accuracy of 3-fold stratified cross-validation (fixed folds, fixed model seeds: a
deterministic function of the configuration); cost: the measured seconds of that cross-validation
(this machine's, so wall-clock curves are real). ``optimum`` is 1.0 (perfect accuracy), an upper bound:
regret is 1 - accuracy, not the distance to the unknown best pipeline.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    EqualsCondition,
    Float,
    ForbiddenAndConjunction,
    ForbiddenEqualsClause,
    InCondition,
    Integer,
    OrConjunction,
)

from genhpo.benchmarks.base import Benchmark
from genhpo.protocol import Result

DATASETS = ("digits", "breast_cancer", "wine")
FOLDS = 3


def load_dataset(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets

    loaders = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer,
               "wine": datasets.load_wine}
    X, y = loaders[dataset](return_X_y=True)
    return np.asarray(X, dtype=float), np.asarray(y)


def pipeline_space(n_features: int, seed: int | None = None) -> ConfigurationSpace:
    """The conditional space of the module doc for data with ``n_features`` columns."""
    cs = ConfigurationSpace(name="sklearn-pipeline", seed=seed)
    pre = Categorical("preprocessor", ["none", "standardize", "pca", "select"], default="standardize")
    n_comp = Integer("pca:n_components", (2, max(3, min(n_features, 40))), log=True)
    whiten = Categorical("pca:whiten", [False, True])
    k = Integer("select:k", (2, n_features), log=True)
    score = Categorical("select:score", ["f_classif", "mutual_info"])
    clf = Categorical("classifier", ["logreg", "svc", "forest", "knn", "boost"])
    lr_c = Float("logreg:C", (1e-4, 1e4), log=True, default=1.0)
    lr_b = Categorical("logreg:fit_intercept", [True, False])
    svc_c = Float("svc:C", (1e-3, 1e3), log=True, default=1.0)
    kernel = Categorical("svc:kernel", ["rbf", "poly", "sigmoid"])
    gamma = Float("svc:gamma", (1e-5, 1.0), log=True, default=0.01)
    degree = Integer("svc:degree", (2, 5), default=3)
    coef0 = Float("svc:coef0", (-1.0, 1.0), default=0.0)
    n_est = Integer("forest:n_estimators", (10, 200), log=True, default=50)
    depth = Integer("forest:max_depth", (2, 30), log=True, default=10)
    max_feat = Float("forest:max_features", (0.05, 1.0), default=0.5)
    crit = Categorical("forest:criterion", ["gini", "entropy"])
    nn = Integer("knn:n_neighbors", (1, 40), log=True, default=5)
    weights = Categorical("knn:weights", ["uniform", "distance"])
    power = Integer("knn:p", (1, 2), default=2)
    b_lr = Float("boost:learning_rate", (0.01, 1.0), log=True, default=0.1)
    leaves = Integer("boost:max_leaf_nodes", (3, 63), log=True, default=15)
    l2 = Float("boost:l2", (1e-6, 10.0), log=True, default=1e-3)
    cs.add([pre, n_comp, whiten, k, score, clf, lr_c, lr_b, svc_c, kernel, gamma, degree, coef0, n_est, depth,
            max_feat, crit, nn, weights, power, b_lr, leaves, l2])
    cs.add([
        EqualsCondition(n_comp, pre, "pca"), EqualsCondition(whiten, pre, "pca"),
        EqualsCondition(k, pre, "select"), EqualsCondition(score, pre, "select"),
        EqualsCondition(lr_c, clf, "logreg"), EqualsCondition(lr_b, clf, "logreg"),
        EqualsCondition(svc_c, clf, "svc"), EqualsCondition(kernel, clf, "svc"), EqualsCondition(gamma, clf, "svc"),
        EqualsCondition(degree, kernel, "poly"),
        OrConjunction(EqualsCondition(coef0, kernel, "poly"), EqualsCondition(coef0, kernel, "sigmoid")),
        EqualsCondition(n_est, clf, "forest"), EqualsCondition(depth, clf, "forest"),
        EqualsCondition(max_feat, clf, "forest"), EqualsCondition(crit, clf, "forest"),
        EqualsCondition(nn, clf, "knn"), EqualsCondition(weights, clf, "knn"), InCondition(power, clf, ["knn"]),
        EqualsCondition(b_lr, clf, "boost"), EqualsCondition(leaves, clf, "boost"), EqualsCondition(l2, clf, "boost"),
    ])
    cs.add(ForbiddenAndConjunction(ForbiddenEqualsClause(pre, "none"), ForbiddenEqualsClause(kernel, "poly"),
                                   ForbiddenEqualsClause(degree, 5)))
    return cs


def build_pipeline(config: Mapping[str, Any]) -> Any:
    """The scikit-learn pipeline of a configuration (model seeds fixed at 0)."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.feature_selection import SelectKBest, f_classif, mutual_info_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    steps: list[Any] = []
    pre = config["preprocessor"]
    if pre in ("standardize", "pca", "select"):
        steps.append(StandardScaler())
    if pre == "pca":
        steps.append(PCA(n_components=config["pca:n_components"], whiten=config["pca:whiten"], random_state=0))
    elif pre == "select":
        score = f_classif if config["select:score"] == "f_classif" else (
            lambda X, y: mutual_info_classif(X, y, random_state=0))
        steps.append(SelectKBest(score, k=config["select:k"]))
    clf = config["classifier"]
    if clf == "logreg":
        model = LogisticRegression(C=config["logreg:C"], fit_intercept=config["logreg:fit_intercept"], max_iter=500)
    elif clf == "svc":
        model = SVC(C=config["svc:C"], kernel=config["svc:kernel"], gamma=config["svc:gamma"],
                    degree=config.get("svc:degree", 3), coef0=config.get("svc:coef0", 0.0), max_iter=200_000)
    elif clf == "forest":
        model = RandomForestClassifier(n_estimators=config["forest:n_estimators"], max_depth=config["forest:max_depth"],
                                       max_features=config["forest:max_features"],
                                       criterion=config["forest:criterion"], random_state=0, n_jobs=1)
    elif clf == "knn":
        model = KNeighborsClassifier(n_neighbors=config["knn:n_neighbors"], weights=config["knn:weights"],
                                     p=config["knn:p"])
    else:
        model = HistGradientBoostingClassifier(learning_rate=config["boost:learning_rate"],
                                               max_leaf_nodes=config["boost:max_leaf_nodes"],
                                               l2_regularization=config["boost:l2"], random_state=0)
    return make_pipeline(*steps, model)


class SklearnPipelineBenchmark(Benchmark):
    """Pipelines of scikit-learn on a dataset it ships (see the module doc); scores maximised."""

    name = "sklearn-pipeline"
    score_unit = "3-fold cross-validated accuracy, fraction"

    def __init__(self, dataset: str) -> None:
        super().__init__()
        if dataset not in DATASETS:
            raise ValueError(f"unknown sklearn-pipeline dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
        self.dataset = dataset
        self.X, self.y = load_dataset(dataset)
        n_features = self.X.shape[1]
        if n_features < 3:
            raise ValueError(f"{dataset} has too few features ({n_features}) for this space")
        self._space = pipeline_space(n_features)

    @classmethod
    def available_datasets(cls) -> list[str]:
        return list(DATASETS)

    @property
    def config_space(self) -> ConfigurationSpace:
        return self._space

    @property
    def optimum(self) -> float:
        return 1.0  # perfect accuracy: an upper bound (the module doc)

    def _evaluate(self, config: Mapping[str, Any], fidelity: float | None, rng: np.random.Generator | None) -> Result:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import StratifiedKFold, cross_val_score

        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a poor configuration is scored, not reported
            # digits has constant pixels: f_classif warns about them (and divides 0 by 0) on every fold
            warnings.filterwarnings("ignore", message="Features .* are constant", category=UserWarning)
            warnings.filterwarnings("ignore", message="invalid value encountered in divide", category=RuntimeWarning)
            scores = cross_val_score(build_pipeline(config), self.X, self.y, cv=folds, n_jobs=1)
        seconds = time.perf_counter() - started
        return Result(score=float(np.mean(scores)), cost=seconds,
                      metrics={f"fold{i}_accuracy": float(s) for i, s in enumerate(scores)})

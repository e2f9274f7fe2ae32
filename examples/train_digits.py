"""A small training script for Syne Tune: an MLP on scikit-learn's digits, one report per epoch.

Syne Tune's local backend starts it as ``python train_digits.py --lr 0.01 --hidden 32 ...``; after each
epoch (one pass of ``MLPClassifier.partial_fit`` over the training split) it reports ``epoch`` and
``val_error`` (1 - accuracy on a fixed 25% validation split, in [0, 1]) through ``syne_tune.Reporter``.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from syne_tune import Reporter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lr", type=float, required=True, help="Adam's learning rate")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--hidden", type=int, default=32, help="units of the hidden layer")
    parser.add_argument("--activation", default="relu", choices=["relu", "tanh", "logistic"])
    parser.add_argument("--epochs", type=int, default=9, help="passes over the training split")
    args, _ = parser.parse_known_args()  # Syne Tune may pass extra keys (e.g. its checkpoint folder)

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
    model = MLPClassifier(hidden_layer_sizes=(args.hidden,), activation=args.activation,
                          learning_rate_init=args.lr, alpha=args.alpha, batch_size=64, random_state=0)
    report = Reporter()
    classes = np.unique(y)
    for epoch in range(1, args.epochs + 1):
        model.partial_fit(X_train, y_train, classes=classes)
        report(epoch=epoch, val_error=1.0 - model.score(X_val, y_val))


if __name__ == "__main__":
    main()

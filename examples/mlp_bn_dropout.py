"""An MLP with batch normalisation and dropout, trained with MinPy's Solver (MinPy's nn/mlp_bn_dropout).

    python examples/mlp_bn_dropout.py [--quick]

Data: scikit-learn's bundled digits, flattened to 64 features (no download). Batch norm keeps its
running statistics as auxiliary parameters (updated in place during training, used at test time);
dropout is inverted (identity at test time). Saves a checkpoint and reloads it.
"""
import argparse
import os
import tempfile

import numpy

import minpy.numpy as np
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver

HIDDEN = 256


class BatchNormMLP(ModelBase):
    def __init__(self, dropout=0.2):
        super().__init__()
        self.dropout = dropout
        (self.add_param("w1", (64, HIDDEN)).add_param("b1", (HIDDEN,))
             .add_param("gamma1", (HIDDEN,), init_rule="constant", init_config={"value": 1.0})
             .add_param("beta1", (HIDDEN,), init_rule="constant")
             .add_param("w2", (HIDDEN, 10)).add_param("b2", (10,)))
        self.add_aux_param("running_mean1", np.zeros(HIDDEN)).add_aux_param("running_var1", np.ones(HIDDEN))

    def forward(self, x, mode):
        p, aux = self.params, self.aux_params
        h = layers.affine(x.reshape(x.shape[0], -1), p["w1"], p["b1"])
        h, _, _ = layers.batchnorm(h, p["gamma1"], p["beta1"], mode=mode,
                                   running_mean=aux["running_mean1"], running_var=aux["running_var1"])
        h = layers.dropout(layers.relu(h), self.dropout, mode=mode)
        return layers.affine(h, p["w2"], p["b2"])

    def loss(self, predict, y):
        return layers.softmax_loss(predict, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from sklearn.datasets import load_digits
    digits = load_digits()
    x, y = digits.data / 16.0, digits.target
    order = numpy.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    train_iter = NDArrayIter(x[:split], y[:split], batch_size=64, shuffle=True)
    test_iter = NDArrayIter(x[split:], y[split:], batch_size=64)

    np.random.seed(0)
    model = BatchNormMLP()
    solver = Solver(model, train_iter, test_iter, num_epochs=1 if args.quick else 10,
                    update_rule="adam", optim_config={"learning_rate": 2e-3}, lr_decay=0.9,
                    print_every=10 ** 9)
    solver.init()
    solver.train()
    accuracy = solver.check_accuracy(test_iter)
    print(f"test accuracy {accuracy:.4f}; running mean of the first units:",
          numpy.round(numpy.asarray(model.aux_params["running_mean1"][:3]), 3))

    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "bn_mlp")
        model.save(prefix)
        restored = BatchNormMLP()
        Solver(restored, train_iter, test_iter).init()
        restored.load(prefix)
        same = Solver(restored, train_iter, test_iter).check_accuracy(test_iter)
        print(f"checkpoint reloaded: test accuracy {same:.4f}")
        assert same == accuracy
    if not args.quick:
        assert accuracy > 0.95


if __name__ == "__main__":
    main()

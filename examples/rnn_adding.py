"""RNN and LSTM on the adding problem (MinPy's nn/rnn.py and nn/lstm.py), generated data.

    python examples/rnn_adding.py [--quick]

Each sequence has T steps of two features: a random value in [0, 1) and a marker that is 1 at
exactly two steps. The target is the sum of the two marked values. Predicting the mean (1.0)
scores an MSE of about 0.167; a recurrent net that learns to remember the marked values does far
better. The recurrent layers are plain Python loops over `minpy.nn.layers.rnn_step/lstm_step`;
minpy's tape differentiates through them (backpropagation through time).
"""
import argparse

import numpy

import minpy.numpy as np
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver


def adding_problem(n, steps, rng):
    values = rng.random((n, steps))
    markers = numpy.zeros((n, steps))
    for row in range(n):
        markers[row, rng.choice(steps, 2, replace=False)] = 1
    x = numpy.stack([values, markers], axis=2)
    return x, (values * markers).sum(axis=1, keepdims=True)


class AddingNet(ModelBase):
    def __init__(self, cell, hidden):
        super().__init__()
        self.cell = cell
        gates = 4 * hidden if cell == "lstm" else hidden
        (self.add_param("Wx", (2, gates)).add_param("Wh", (hidden, gates))
             .add_param("b", (gates,), init_rule="constant")
             .add_param("Wa", (hidden, 1)).add_param("ba", (1,), init_rule="constant"))
        self.hidden = hidden

    def forward(self, x, mode):
        p = self.params
        h = np.zeros((x.shape[0], self.hidden))
        c = np.zeros((x.shape[0], self.hidden))
        for t in range(x.shape[1]):
            if self.cell == "lstm":
                h, c = layers.lstm_step(x[:, t, :], h, c, p["Wx"], p["Wh"], p["b"])
            else:
                h = layers.rnn_step(x[:, t, :], h, p["Wx"], p["Wh"], p["b"])
        return layers.affine(h, p["Wa"], p["ba"])

    def loss(self, predict, y):
        return np.mean((predict - y) ** 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps, n_train, epochs = (8, 256, 1) if args.quick else (20, 10000, 10)
    rng = numpy.random.default_rng(0)
    x_train, y_train = adding_problem(n_train, steps, rng)
    x_test, y_test = adding_problem(1000, steps, rng)
    np.random.seed(0)
    numpy.random.seed(0)  # NDArrayIter shuffles with NumPy's global generator
    for cell, hidden in (("rnn", 64), ("lstm", 100)):
        model = AddingNet(cell, hidden)
        solver = Solver(model, NDArrayIter(x_train, y_train, batch_size=100, shuffle=True),
                        NDArrayIter(x_test, y_test, batch_size=100), task_type="regression",
                        num_epochs=epochs, init_rule="gaussian", init_config={"stdvar": 0.1},
                        update_rule="adam", optim_config={"learning_rate": 5e-3},
                        print_every=10 ** 9)
        solver.init()
        solver.train()
        mse = float(numpy.mean((numpy.asarray(model.forward(np.array(x_test), "test")) - y_test) ** 2))
        print(f"{cell.upper()} (hidden {hidden}): test MSE {mse:.4f} (predicting the mean: "
              f"{float(numpy.var(y_test)):.4f})")
        if not args.quick:  # at least halves the error of the constant guess
            assert mse < 0.5 * float(numpy.var(y_test))


if __name__ == "__main__":
    main()

"""minpy's main demo: train a conv net and an MLP on scikit-learn's digits with `minpy.nn`.

    python examples/train_digits.py [--quick] [--epochs N] [--out DIR] [--no-peers]

The digits (1,797 8x8 images) ship inside the scikit-learn wheel: nothing is downloaded. Models are
MinPy-style `ModelBase` subclasses built from `minpy.nn.layers` (conv and pooling run natively in
C++, gradients come from minpy's tape); `minpy.nn.solver.Solver` trains them with a progress bar
per epoch. The script then trains the same conv net, from the same initial weights, written in
plain NumPy with a hand-written backward pass (and in PyTorch when it is installed), and prints
seconds per epoch side by side. Loss and accuracy curves go to DIR/digits_training.png.
"""
import argparse
import os
import sys
import time

import numpy

import minpy.numpy as np
from minpy.nn import layers
from minpy.nn.io import NDArrayIter
from minpy.nn.model import ModelBase
from minpy.nn.solver import Solver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digits_peers  # noqa: E402

BATCH, LEARNING_RATE = 64, 2e-3


class ConvNet(ModelBase):
    """conv3x3(16) - relu - pool - conv3x3(32) - relu - pool - affine(64) - relu - affine(10)."""

    def __init__(self):
        super().__init__()
        (self.add_param("conv1_w", (16, 1, 3, 3)).add_param("conv1_b", (16,))
             .add_param("conv2_w", (32, 16, 3, 3)).add_param("conv2_b", (32,))
             .add_param("fc1_w", (128, 64)).add_param("fc1_b", (64,))
             .add_param("fc2_w", (64, 10)).add_param("fc2_b", (10,)))

    def forward(self, x, mode):
        p = self.params
        h = layers.max_pool(layers.relu(layers.conv(x, p["conv1_w"], p["conv1_b"], pad=1)), 2, 2, 2)
        h = layers.max_pool(layers.relu(layers.conv(h, p["conv2_w"], p["conv2_b"], pad=1)), 2, 2, 2)
        h = layers.relu(layers.affine(h.reshape(h.shape[0], -1), p["fc1_w"], p["fc1_b"]))
        return layers.affine(h, p["fc2_w"], p["fc2_b"])

    def loss(self, predict, y):
        return layers.softmax_loss(predict, y)


class MLP(ModelBase):
    """affine(128) - relu - affine(10) on the flattened 64 pixels."""

    def __init__(self):
        super().__init__()
        (self.add_param("fc1_w", (64, 128)).add_param("fc1_b", (128,))
             .add_param("fc2_w", (128, 10)).add_param("fc2_b", (10,)))

    def forward(self, x, mode):
        p = self.params
        h = layers.relu(layers.affine(x.reshape(x.shape[0], -1), p["fc1_w"], p["fc1_b"]))
        return layers.affine(h, p["fc2_w"], p["fc2_b"])

    def loss(self, predict, y):
        return layers.softmax_loss(predict, y)


def load_data(seed=0):
    """(x_train, y_train, x_val, y_val, x_test, y_test): 70% / 10% / 20% of the digits, shuffled."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.images / 16.0)[:, None].astype(numpy.float64)  # (1797, 1, 8, 8) in [0, 1]
    y = digits.target.astype(numpy.int64)
    order = numpy.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    a, b = int(0.7 * len(x)), int(0.8 * len(x))
    return x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:]


def train(name, model, data, epochs):
    x_train, y_train, x_val, y_val, x_test, y_test = data
    train_iter = NDArrayIter(x_train, y_train, batch_size=BATCH, shuffle=True, last_batch_handle="discard")
    val_iter = NDArrayIter(x_val, y_val, batch_size=BATCH)  # the Solver keeps the best epoch on it
    test_iter = NDArrayIter(x_test, y_test, batch_size=BATCH)
    solver = Solver(model, train_iter, val_iter, num_epochs=epochs, init_rule="xavier",
                    update_rule="adam", optim_config={"learning_rate": LEARNING_RATE},
                    train_acc_num_samples=len(x_train), verbose=True, print_every=10 ** 9)
    solver.init()
    initial = {k: numpy.array(v) for k, v in model.params.items()}
    print(f"\n== {name}: {sum(v.size for v in initial.values()):,} parameters, {epochs} epochs")
    start = time.perf_counter()
    solver.train()
    seconds = (time.perf_counter() - start) / epochs
    accuracy = solver.check_accuracy(test_iter)
    print(f"{name}: test accuracy {accuracy:.4f}, {seconds:.3f} s/epoch")
    return solver, initial, seconds, accuracy


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (name, solver) in enumerate(results):
        color = f"C{i}"
        ax_loss.plot(solver.loss_history, label=name, linewidth=0.8, color=color)
        epochs = range(1, len(solver.val_acc_history) + 1)
        ax_acc.plot(epochs, solver.train_acc_history, "--", color=color, label=f"{name} train")
        ax_acc.plot(epochs, solver.val_acc_history, "-o", color=color, markersize=3, label=f"{name} validation")
    ax_loss.set(title="training loss", xlabel="iteration", ylabel="softmax cross-entropy", yscale="log")
    ax_acc.set(title="accuracy", xlabel="epoch", ylim=(0.5, 1.0))
    ax_loss.legend()
    ax_acc.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"curves saved to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two epochs, no accuracy target (CI)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out", default="out")
    parser.add_argument("--no-peers", action="store_true", help="skip the NumPy and PyTorch timings")
    args = parser.parse_args()
    epochs = args.epochs or (2 if args.quick else 15)
    np.random.seed(0)     # minpy's generator: parameter initialisation
    numpy.random.seed(0)  # NumPy's: NDArrayIter's shuffling
    data = load_data()

    conv_solver, conv_init, conv_seconds, conv_acc = train("conv net", ConvNet(), data, epochs)
    mlp_solver, _, mlp_seconds, mlp_acc = train("MLP", MLP(), data, epochs)
    os.makedirs(args.out, exist_ok=True)
    plot([("conv net", conv_solver), ("MLP", mlp_solver)], os.path.join(args.out, "digits_training.png"))

    rows = [("minpy (minpy.nn, autograd)", conv_seconds, conv_acc)]
    if not args.no_peers:
        x_train, y_train, _, _, x_test, y_test = data
        data64 = (x_train, y_train, x_test, y_test)
        rows.append(("NumPy, hand-written backward",)
                    + digits_peers.train_numpy(conv_init, data64, epochs, BATCH, LEARNING_RATE))
        try:
            import torch  # noqa: F401
        except ImportError:
            print("(PyTorch not installed: its column is skipped)")
        else:
            data32 = (x_train.astype(numpy.float32), y_train, x_test.astype(numpy.float32), y_test)
            rows.append(("PyTorch CPU (float32)",)
                        + digits_peers.train_torch(conv_init, data32, epochs, BATCH, LEARNING_RATE))
    print(f"\n== conv net, {epochs} epochs, batch {BATCH}, Adam: seconds per epoch (same initial weights)")
    print(f"{'implementation':<32}{'s/epoch':>10}{'x minpy':>10}{'test acc':>10}")
    for name, seconds, accuracy in rows:
        print(f"{name:<32}{seconds:>10.3f}{seconds / conv_seconds:>9.2f}x{accuracy:>10.4f}")
    print(f"MLP: test accuracy {mlp_acc:.4f}, {mlp_seconds:.3f} s/epoch")
    if not args.quick and conv_acc < 0.97:
        sys.exit(f"conv net test accuracy {conv_acc:.4f} is below the 0.97 target")


if __name__ == "__main__":
    main()

"""Every example runs (briefly, in its quick mode) and exits cleanly; the demo included."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = {
    "quickstart.py": ["--samples", "2000", "--steps", "20"],
    "logistic_regression.py": ["--quick"],
    "custom_op.py": ["--quick"],
    "mlp_bn_dropout.py": ["--quick"],
    "rnn_adding.py": ["--quick"],
    "train_digits.py": ["--quick", "--out", "{tmp}"],
}


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_runs(script, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in EXAMPLES[script]]
    # the interpreter and environment of this test run: the installed minpy, or PYTHONPATH=python
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script), *args],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    if script == "train_digits.py":
        assert os.path.getsize(tmp_path / "digits_training.png") > 10_000
        assert "s/epoch" in done.stdout


def test_every_example_is_exercised():
    scripts = {f for f in os.listdir(os.path.join(ROOT, "examples"))
               if f.endswith(".py") and not f.startswith("digits_peers")}
    assert scripts == set(EXAMPLES)

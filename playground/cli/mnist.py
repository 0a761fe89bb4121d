"""The MNIST CLI subcommands: `mnist download DIR`, `mnist info` and `classifier [--rebuild]`.

Thin wrappers over `mnist`, `mnist_download`, `classifier` and `image_metrics`; registered when
`cli.main` imports this module. Their errors (MnistError, ClassifierError) are ValueErrors, so
`cli.main` prints them as one line.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from playground.cli import command


# ---- mnist ---------------------------------------------------------------------------------
def _mnist_args(p: argparse.ArgumentParser) -> None:
    from playground.data import mnist, mnist_download
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    d = sub.add_parser("download", help="fetch the four IDX files (checksummed) into DIR")
    d.add_argument("dir", metavar="DIR")
    d.add_argument("--base-url", default=mnist_download.DEFAULT_MIRROR,
                   help="mirror holding the .gz files (default "
                        f"{mnist_download.DEFAULT_MIRROR})")
    i = sub.add_parser("info", help="counts per class and split sizes of a digit source")
    i.add_argument("--dir", help=f"a folder with the full set (default: ${mnist.ENV_DIR} if "
                                 "set, else the 70,000 shipped digits)")


def _mnist(args: argparse.Namespace) -> None:
    from playground.data import mnist, mnist_download
    if args.action == "download":
        mnist_download.download(args.dir, base_url=args.base_url)
        return
    digits = mnist.load(args.dir)
    held = digits.held_out
    print(f"source: {digits.source}")
    print(f"digits: {len(digits):,} ({int((~held).sum()):,} train, {int(held.sum()):,} "
          "held out)")
    print("class  train  held-out")
    for c in range(mnist.N_CLASSES):
        is_c = digits.labels == c
        print(f"{c:>5}  {int((is_c & ~held).sum()):>5}  {int((is_c & held).sum()):>8}")


command("mnist", "real MNIST digits: `download DIR` the full set, or `info` on a source",
        _mnist_args, _mnist)


# ---- classifier ----------------------------------------------------------------------------
def _classifier_args(p: argparse.ArgumentParser) -> None:
    from playground.metrics import classifier
    p.add_argument("--rebuild", action="store_true",
                   help="retrain on the shipped digits, save pretrained/digit_classifier.pt "
                        "and rewrite its manifest entry")
    p.add_argument("--epochs", type=int, default=classifier.EPOCHS)
    p.add_argument("--seed", type=int, default=classifier.SEED)
    p.add_argument("--threads", type=int, default=classifier.THREADS,
                   help="torch threads for --rebuild (recorded in the manifest)")


def _classifier(args: argparse.Namespace) -> None:
    from playground.data import mnist
    from playground.metrics import classifier
    from playground.metrics import images as image_metrics
    if args.rebuild:
        import torch
        torch.set_num_threads(args.threads)
        classifier.rebuild(epochs=args.epochs, seed=args.seed)
    print(json.dumps(classifier.manifest_entry(), indent=1))
    model = classifier.load()  # checks the file against the manifest's SHA-256
    digits = mnist.load_shipped()
    acc = classifier.accuracy(model, *digits.split(held_out=True))
    print(f"held-out accuracy now: {acc:.4f}")
    real = image_metrics.real_reference(digits, model)
    values = ", ".join(f"{k} {v:.4g}" for k, v in real.as_dict().items())
    print(f"real held-out digits: {values}; histogram {np.round(real.histogram, 3).tolist()}")


command("classifier", "the frozen digit classifier: its manifest entry and held-out accuracy, "
        "or --rebuild it", _classifier_args, _classifier)

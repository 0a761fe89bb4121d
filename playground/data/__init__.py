"""The data: 2D toy sets with their ground truth, MNIST digits (shipped file, readers, train/test
split) and validation of uploaded point sets. The shipped files (`*.npz`) sit beside this code."""

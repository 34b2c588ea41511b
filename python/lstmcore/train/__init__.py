"""The training toolkit: a dense output layer, losses, optimizers, gradient clipping and data.

Everything works on NumPy arrays and on the layers' ``params``/``grads`` dict protocol::

    from lstmcore.train import Dense, Adam, mse, clip_grad_norm
    head = Dense(hidden, 1)
    opt = Adam([lstm.params, head.params], lr=1e-2)
    ...
    loss, dpred = mse(pred, target)
    opt.step([lstm.grads, head.grads])
"""

from .clip import clip_grad_norm, global_norm
from .data import (ADDING_BASELINE_MSE, AddingBatch, CharVocab, adding_batches, adding_problem,
                   char_lm_batches, one_hot)
from .dense import Dense
from .losses import log_softmax, mse, softmax, softmax_cross_entropy
from .optimizers import SGD, Adam, Optimizer

__all__ = [
    "Dense", "mse", "softmax", "log_softmax", "softmax_cross_entropy", "Optimizer", "SGD", "Adam",
    "clip_grad_norm", "global_norm", "adding_problem", "adding_batches", "AddingBatch",
    "ADDING_BASELINE_MSE", "CharVocab", "one_hot", "char_lm_batches",
]

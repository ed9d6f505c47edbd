"""`figcheck model train`: learn the metric model from gold annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import app, fail, report_problems
from figcheck.errors import FigcheckError

model_app = typer.Typer(
    name="model",
    help="The metric model: a learned last word on each figure's metric, over the rules' scores.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")


@model_app.command("train")
def train(
    gold: Annotated[list[Path], typer.Option("--gold", help="A folder of gold files (repeat; pairs with --corpus).",
                                             show_default=False)],
    corpus: Annotated[list[Path], typer.Option("--corpus", help="The articles that --gold annotates (repeat).",
                                               show_default=False)],
    out: Annotated[Path, typer.Option("--output", "-o", help="Where to write the model JSON "
                                      "(put it in a rules folder as metric_model.json to use it).")],
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules folder whose cues the model reads "
                                               "(default: the shipped rules).", show_default=False)] = None,
    c: Annotated[float, typer.Option("--c", help="Inverse strength of the L2 penalty.")] = 1.0,
    min_probability: Annotated[float, typer.Option(
        "--min-probability", help="A metric the model gives less than this probability becomes no metric "
                                  "(trades recall for precision).")] = 0.45,
) -> None:
    """Train the metric model on gold annotations and write it as JSON.

    Each --gold folder is paired with the --corpus given at the same position. Needs
    scikit-learn: pip install 'figcheck[train]'. Training is deterministic: the same gold, corpus and
    rules give a byte-identical file.

    Example: figcheck model train --gold tests/gold/examples --corpus examples -o /tmp/metric_model.json
    """
    from figcheck.extract.model import train_model, write_model
    from figcheck.extract.train import training_examples
    from figcheck.vocab import load_vocabulary

    if len(gold) != len(corpus):
        fail(f"{len(gold)} --gold folders but {len(corpus)} --corpus paths: give them in pairs")
    if c <= 0:
        fail(f"--c must be positive, not {c}")
    if not 0.0 <= min_probability < 1.0:
        fail(f"--min-probability must be in [0, 1), not {min_probability}")
    try:
        vocab = load_vocabulary(rules)
        examples, problems = training_examples(list(zip(gold, corpus, strict=True)), vocab)
        report_problems(problems)
        if not examples:
            fail("no figure to learn from: no document of the corpus has a gold file")
        about = f"trained on {len(examples)} figures from {len(gold)} gold folder(s), C={c}"
        model = train_model(examples, c=c, about=about, min_probability=min_probability)
        write_model(model, out)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)
    typer.echo(f"{out}: {about}; {len(model.weights)} features, {len(model.classes)} labels", err=True)

"""`figcheck rules list | explain ID | test`: what the rules are, why they exist, whether they work."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Annotated

import typer

from figcheck.cli._app import EXIT_FINDINGS, EXIT_OK, app, fail
from figcheck.errors import FigcheckError

rules_app = typer.Typer(
    name="rules",
    help="List, explain and test the rules (one rules/FC*.yaml file each).",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(rules_app, name="rules")

RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", help="Rules folder. Default: the shipped rules.", show_default=False),
]


def _load(rules: Path | None):  # type: ignore[no-untyped-def]
    from figcheck.ruleset import load_rules
    from figcheck.vocab import load_vocabulary

    try:
        vocab = load_vocabulary(rules)
        return vocab, load_rules(rules, vocab)
    except FigcheckError as exc:
        fail(str(exc), exc.exit_code)


@rules_app.command("list")
def list_rules(rules: RulesOpt = None) -> None:
    """List every rule: id, kind, severity, name and what it checks."""
    _, rule_list = _load(rules)
    width = max((len(r.name) for r in rule_list), default=4)
    typer.echo(f"{'ID':<7} {'KIND':<10} {'SEVERITY':<8} {'NAME':<{width}}  DESCRIPTION")
    for r in rule_list:
        desc = r.description.split(". ")[0].rstrip(".")
        typer.echo(f"{r.id:<7} {r.kind:<10} {r.severity:<8} {r.name:<{width}}  {desc}")


@rules_app.command("explain")
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, such as FC101.", show_default=False)],
            rules: RulesOpt = None) -> None:
    """Explain one rule: what it checks, why, its parameters, message and examples."""
    from figcheck.checks import KINDS
    from figcheck.checks._common import COMMON_PARAMS

    _, rule_list = _load(rules)
    by_id = {r.id: r for r in rule_list}
    rule = by_id.get(rule_id.upper())
    if rule is None:
        fail(f"no rule {rule_id!r}; `figcheck rules list` shows the {len(rule_list)} rules there are")
    kind = KINDS[rule.kind]
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    out = [f"{rule.id} {rule.name} ({rule.severity})", f"  file: {rule.path}",
           f"  kind: {rule.kind} - {kind.summary}", "", "What it checks:", wrap.fill(rule.description), "",
           "Why it matters:", wrap.fill(rule.rationale), "", "Parameters:"]
    specs = {**kind.params, **COMMON_PARAMS}
    for key, spec in specs.items():
        value = rule.params.get(key)
        if isinstance(value, list):
            shown = ", ".join(value)
        else:
            shown = str(value).lower() if isinstance(value, bool) else value
        out.append(f"  {key}: {shown}")
        out.append(textwrap.fill(spec.help, width=100, initial_indent="      ", subsequent_indent="      "))
    out += ["", "Message:", wrap.fill(rule.message), "", "Examples:"]
    for which in ("fail", "pass"):
        for ex in rule.examples.get(which, ()):
            meta = ", ".join(x for x in (ex.source, ex.published) if x)
            out.append(f"  {which}{f' ({meta})' if meta else ''}:")
            out.append(textwrap.fill(" ".join(ex.text.split()), width=100, initial_indent="      ",
                                     subsequent_indent="      "))
    typer.echo("\n".join(out))


@rules_app.command("test")
def run_examples(
    rules: RulesOpt = None,
    ids: Annotated[list[str] | None, typer.Argument(help="Only these rule ids.", show_default=False)] = None,
) -> None:
    """Run each rule over its own examples: the pass text must give no finding, the fail text one or more.

    Exit codes: 0 every example behaves; 1 some example does not; 2 a bad rule file.
    """
    from figcheck.engine import check_examples

    vocab, rule_list = _load(rules)
    wanted = {i.upper() for i in ids or []}
    bad = 0
    for rule in rule_list:
        if wanted and rule.id not in wanted:
            continue
        if not rule.examples:
            typer.echo(f"{rule.id} {rule.name}: no examples")
            bad += 1
            continue
        results = check_examples(rule, vocab)
        for which in ("pass", "fail"):
            found = results[which]
            ok = found.empty if which == "pass" else not found.empty
            got = f"{len(found)} finding{'s' if len(found) != 1 else ''}"
            typer.echo(f"{rule.id} {rule.name}: {which} example {'ok' if ok else 'FAILED'} ({got})")
            if not ok:
                bad += 1
                figures = found.attrs.get("figures")
                if which == "pass":
                    for msg in found["message"]:
                        typer.echo(f"    unexpected: {msg}")
                elif figures is not None:
                    for r in figures[figures["metric"].notna()].itertuples():
                        typer.echo(f"    read: {r.metric} {r.value:g} [{r.low:g}, {r.high:g}] as of {r.as_of}, "
                                   f"{r.claimant or 'no claimant'}, {r.modality} ({r.surface!r})")
    typer.echo(f"{'all examples behave' if not bad else f'{bad} example(s) misbehave'}")
    raise typer.Exit(EXIT_FINDINGS if bad else EXIT_OK)

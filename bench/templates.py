"""Synthetic news articles for the benchmark, generated from templates modelled on examples/.

Every sentence here was written for this project. The articles read like wire copy about the
Israel-Hamas war's hostage and casualty figures: a dateline, figure-bearing paragraphs (killed,
wounded, held, released, displaced, aid trucks, prisoners, percentages, money, ages, dates) and
paragraphs with no figures at all (quotes, context), in the proportions of examples/. The corpus
is a pure function of (n, seed): the same arguments always give the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

OUTLETS = ("Example Wire", "Harbor Post", "The Daily Ledger", "Crossroads Desk", "Northgate Chronicle")
PLACES = ("GAZA CITY", "KHAN YOUNIS", "RAFAH", "JERUSALEM", "TEL AVIV", "CAIRO", "DOHA", "DEIR AL-BALAH")
NAMES = ("Amal Hamdan", "Yossi Levin", "Mariam Saleh", "Dana Peretz", "Omar Nasser", "Ruth Adler", "Khaled Awad")
CLAIMANTS = (
    "the Hamas-run health ministry said",
    "according to the Gaza health ministry",
    "the Israeli military said",
    "the IDF said",
    "Israel says",
    "the U.N. humanitarian office said",
    "the prime minister's office said",
    "officials said",
)

HEADLINES = (
    "Hostage families press for a deal as talks resume in {city}",
    "Gaza toll passes {killed_k} thousand, health ministry says",
    "Aid trucks trickle into Gaza as {place_t} shelters fill",
    "Truce talks stall over prisoner numbers",
    "Israel revises toll from {oct7} attack",
    "Displaced families move again as fighting reaches {place_t}",
    "Negotiators weigh a {days}-day pause and a phased release",
)

#: Paragraphs that state figures. Slots are filled per article by `_values`.
FIGURE_PARAGRAPHS = (
    "The Hamas-run health ministry said {killed:,} Palestinians had been killed in Gaza since Oct. 7 and "
    "more than {wounded:,} wounded, without distinguishing between civilians and combatants.",
    "Israel says about {held} hostages are still held in Gaza, {held_dead} of whom are believed to be dead.",
    "Of the {taken} people taken into Gaza on Oct. 7, {released} were freed during the truce and {held} remain "
    "in captivity, {claimant}.",
    "{released} hostages were released during the week-long truce in late November in exchange for {prisoners} "
    "Palestinian prisoners held in Israeli jails.",
    "The proposal under discussion would free {proposed} Palestinian prisoners in exchange for {swap} hostages "
    "over a {days}-day pause, two officials briefed on the talks said.",
    "Hamas has demanded the release of all {all_prisoners:,} Palestinian security prisoners before any further "
    "hostages are freed.",
    "About {displaced_m} million people, roughly {displaced_pct}% of the population, have been displaced, "
    "{claimant}.",
    "Only {trucks} aid trucks entered through the Rafah crossing on {weekday}, against some {trucks_before} a day "
    "before the war, the U.N. agency for Palestinian refugees said.",
    "The attack on Oct. 7 killed about 1,200 people in Israel, most of them civilians, according to Israeli "
    "tallies, and some {taken} were taken hostage.",
    "At least {children:,} children are among the dead, {claimant}, while a fifth of the {held} remaining "
    "captives are thought to be women and children.",
    "The army said {soldiers} soldiers had been killed since the ground offensive began on Oct. 27, bringing "
    "its losses since Oct. 7 to {soldiers_total}.",
    "Between {shelter_low} and {shelter_high} people were sheltering in the school when it was hit on "
    "{weekday}, witnesses said; the ministry put the dead at {strike_dead}.",
    "Dozens of families arrived overnight in {place_t}, where the population has swollen from about "
    "{rafah_before:,} to more than {rafah_now_m} million in {weeks} weeks.",
    "The United States has pledged ${aid_m} million in humanitarian aid, and the European Union a further "
    "€{eu_m} million, officials said on {weekday}.",
    "The {age}-year-old, who was freed on {month_day}, told reporters she had spent {captive_days} days in "
    "tunnels beneath Khan Younis with {with_her} other captives.",
    "{journalists} journalists and media workers have been killed since the war began, the Committee to Protect "
    "Journalists said, the deadliest period for the press it has recorded since {cpj_year}.",
    "Nearly {famine_k},000 people face catastrophic hunger, a U.N.-backed assessment found, and {malnourished} "
    "children under five were treated for acute malnutrition in {month}.",
    "Three hostages were rescued in a raid on {weekday}, the army said, and the bodies of {bodies} others were "
    "recovered in the past two weeks.",
    "The ministry's latest figure, {killed:,}, is up from {killed_before:,} a week ago.",
    "Twenty-five trucks carrying fuel crossed on {weekday}, the first in {fuel_days} days, but hospitals said they "
    "needed at least {fuel_need} litres a day to keep generators running.",
)

#: Paragraphs with no figures: quotes and context, as in real copy.
PLAIN_PARAGRAPHS = (
    "\u201cWe are counting the days and the hours,\u201d said {name}, whose brother is among the captives. "
    "\u201cEvery morning we wake up and ask whether today is the day.\u201d",
    "Residents said shelling was heavy around the eastern districts overnight, and that families who had already "
    "fled once were packing again.",
    "The military said its troops were operating in the area and had told civilians in several neighbourhoods to "
    "move to designated zones further south.",
    "Mediators from Egypt and Qatar have been shuttling between the two sides, and a delegation was expected in "
    "{city} later in the week.",
    "The figures could not be independently verified. The ministry does not say how many of the dead were "
    "fighters, and Israel says it targets militants and blames Hamas for operating among civilians.",
    "\u201cThere is nowhere safe,\u201d said {name}, who has moved her family three times since the war began. "
    "\u201cWe sleep in the car when there is fuel and on the street when there is not.\u201d",
    "Relatives met members of the war cabinet on {weekday} evening, and several described the meeting as stormy.",
    "Aid agencies have warned for weeks that the crossing cannot handle the volume of supplies needed, and that "
    "inspections slow every convoy.",
    "Israel's prime minister said the offensive would continue until Hamas was destroyed and every hostage had come "
    "home, a pledge his critics say pulls in two directions.",
    "Photo: people walk past a damaged building in {place_t} on {month_day}. ({outlet}/Staff)",
)


def _values(rng: random.Random, published: dt.date) -> dict[str, object]:
    weeks = (published - dt.date(2023, 10, 7)).days // 7 + 1
    killed = 8_000 + weeks * rng.randint(1_100, 1_500)
    return {
        "killed": killed,
        "killed_before": killed - rng.randint(600, 1_200),
        "killed_k": killed // 1_000,
        "wounded": killed * 2 + rng.randint(0, 5_000),
        "held": rng.choice((129, 130, 132, 134, 136)),
        "held_dead": rng.randint(25, 35),
        "taken": rng.choice((240, 250, 253)),
        "released": rng.choice((105, 110)),
        "prisoners": 240,
        "proposed": rng.choice((700, 800, 900)),
        "swap": rng.choice((33, 40)),
        "days": rng.choice((6, 42, 45)),
        "all_prisoners": rng.randint(7_000, 9_000),
        "displaced_m": rng.choice(("1.7", "1.8", "1.9")),
        "displaced_pct": rng.choice((75, 80, 85)),
        "trucks": rng.randint(60, 200),
        "trucks_before": 500,
        "weekday": rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")),
        "children": killed * 2 // 5,
        "soldiers": rng.randint(150, 250),
        "soldiers_total": rng.randint(450, 600),
        "shelter_low": rng.randint(20, 60),
        "shelter_high": rng.randint(70, 150),
        "strike_dead": rng.randint(8, 40),
        "rafah_before": 280_000,
        "rafah_now_m": rng.choice(("1.2", "1.3", "1.4")),
        "aid_m": rng.choice((100, 150, 250)),
        "eu_m": rng.choice((25, 50, 75)),
        "age": rng.randint(19, 85),
        "month_day": (published - dt.timedelta(days=rng.randint(1, 60))).strftime("%B %-d"),
        "month": published.strftime("%B"),
        "captive_days": rng.randint(49, 120),
        "with_her": rng.randint(3, 12),
        "journalists": rng.randint(60, 130),
        "cpj_year": 1992,
        "famine_k": rng.randint(300, 600),
        "malnourished": rng.randint(500, 4_000),
        "bodies": rng.randint(2, 6),
        "fuel_days": rng.randint(10, 40),
        "fuel_need": rng.choice(("120,000", "150,000")),
        "weeks": rng.randint(3, 12),
        "claimant": rng.choice(CLAIMANTS),
        "name": rng.choice(NAMES),
        "city": rng.choice(("Cairo", "Doha", "Paris")),
        "place_t": rng.choice(("Rafah", "Khan Younis", "Deir al-Balah", "Jabalia")),
        "outlet": "Example Wire",
        "oct7": "Oct. 7",
    }


def article(rng: random.Random, index: int) -> dict[str, str]:
    """One synthetic article: ``id``, ``title``, ``source``, ``published``, ``text``."""
    published = dt.date(2023, 10, 20) + dt.timedelta(days=rng.randint(0, 160))
    values = _values(rng, published)
    source = rng.choice(OUTLETS)
    values["outlet"] = source
    n_figures = rng.randint(5, 12)
    n_plain = rng.randint(3, 8)
    paragraphs = [p.format(**values) for p in rng.sample(FIGURE_PARAGRAPHS, n_figures)]
    for p in rng.sample(PLAIN_PARAGRAPHS, n_plain):
        paragraphs.insert(rng.randint(1, len(paragraphs)), p.format(**values))
    place = rng.choice(PLACES)
    dateline = f"{place}, {published.strftime('%b')}. {published.day} ({source}) \u2014 "
    paragraphs[0] = dateline + paragraphs[0]
    return {
        "id": f"bench-{index:06d}",
        "title": rng.choice(HEADLINES).format(**values),
        "source": source,
        "published": published.isoformat(),
        "text": "\n\n".join(paragraphs) + "\n",
    }


#: One article in this many goes into a JSON Lines live blog instead of its own Markdown file.
JSONL_EVERY = 10
#: Articles per folder, so no folder grows huge.
PER_FOLDER = 1000


def write_corpus(root: Path, n: int, seed: int = 2024, seeds_dir: Path | None = None) -> dict[str, int]:
    """Write ``n`` synthetic articles under ``root`` (and a copy of the seeds when given).

    Markdown files with YAML front matter in folders of `PER_FOLDER`, every `JSONL_EVERY`-th
    article as a line of a live-blog .jsonl file per folder.

    Returns:
        ``{"articles": ..., "bytes": ...}`` counting article text only.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total_bytes = 0
    blogs: dict[Path, list[str]] = {}
    for i in range(n):
        a = article(rng, i)
        folder = root / f"part-{i // PER_FOLDER:03d}"
        folder.mkdir(exist_ok=True)
        total_bytes += len(a["text"].encode("utf-8"))
        if i % JSONL_EVERY == JSONL_EVERY - 1:
            blogs.setdefault(folder / "liveblog.jsonl", []).append(json.dumps(a, ensure_ascii=False))
            continue
        front = (f"---\ntitle: {json.dumps(a['title'])}\nsource: {a['source']}\npublished: {a['published']}\n"
                 f"---\n\n")
        (folder / f"{a['id']}.md").write_text(front + a["text"], encoding="utf-8")
    for path, lines in blogs.items():
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles = n
    if seeds_dir is not None and (seeds_dir / "manifest.csv").is_file():
        target = root / "seeds"
        shutil.copytree(seeds_dir, target, dirs_exist_ok=True)
        for f in target.glob("*.txt"):
            total_bytes += len(f.read_bytes())
            articles += 1
    return {"articles": articles, "bytes": total_bytes}

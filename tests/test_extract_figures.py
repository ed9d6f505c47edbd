"""Figures with meaning: each test article states the figures it must yield (written for figcheck)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from figcheck.corpus import document_from_text
from figcheck.extract.figures import extract_document
from figcheck.extract.quantities import fraction_value, scan, spelled_value
from figcheck.vocab import load_vocabulary

#: The cue rules alone: these tests pin down what each rule reads. The metric model that has the
#: last word in a shipped run is judged by its own tests (test_metric_model.py) and, being
#: statistical, by `figcheck eval` on gold (README "Extraction quality").
VOCAB = dataclasses.replace(load_vocabulary(), model=None)


def figures(text: str, published: str = "2024-03-27", source: str = "Test Wire") -> list[dict]:
    doc = document_from_text(text, "t.txt", published=published, source=source)
    rows = extract_document(doc, VOCAB)
    for row in rows:  # the contract every row keeps
        assert text[row["start"]:row["end"]] == row["surface"]
        assert row["low"] <= row["value"] <= row["high"]
    return rows


def by_surface(rows: list[dict]) -> dict[str, dict]:
    return {r["surface"]: r for r in rows}


# --------------------------------------------------------------------------------------------
# quantities


@pytest.mark.parametrize(("text", "expected"), [
    ("Two hundred and twenty-seven soldiers", [227.0]),
    ("2.3 million people", [2_300_000.0]),
    ("between 40 and 50 people", [45.0]),
    ("153-166 dead", [159.5]),
    ("a dozen hostages", [12.0]),
    ("one and a half million", [1_500_000.0]),
    ("$1.5bn in aid", [1_500_000_000.0]),
    ("eighty-one Israelis", [81.0]),
])
def test_scan_reads_numbers_as_news_writes_them(text, expected):
    assert [q.value for q in scan(text)] == expected


def test_spelled_and_fraction_values():
    assert spelled_value("Eleven") == 11
    assert spelled_value("one two") is None
    assert math.isclose(fraction_value("a fifth"), 0.2)
    assert math.isclose(fraction_value("two-thirds"), 2 / 3)


# --------------------------------------------------------------------------------------------
# metric, interval, qualifier


def test_hostage_arithmetic_article():
    rows = figures(
        "Israel says 253 people were abducted on Oct. 7. Some 130 hostages remain in Gaza. During the truce in "
        "late November, 105 were released, and four were freed before it. Troops have rescued three hostages, "
        "and the bodies of 11 have been recovered. The IDF has confirmed the deaths of 34 of those still held."
    )
    got = {(r["metric"], r["value"]) for r in rows if r["metric"]}
    assert got == {
        ("hostages.taken", 253.0), ("hostages.held", 130.0), ("hostages.released", 105.0),
        ("hostages.released", 4.0), ("hostages.rescued", 3.0), ("hostages.bodies_recovered", 11.0),
        ("hostages.dead", 34.0),
    }
    s = by_surface(rows)
    assert s["253"]["as_of"] == "2023-10-07" and s["253"]["as_of_basis"] == "event"
    assert s["105"]["as_of"] == "2023-11-30" and s["105"]["as_of_basis"] == "event"
    assert s["Some 130"]["as_of"] == "2024-03-27" and s["Some 130"]["qualifier"] == "approx"
    assert s["Some 130"]["low"] < 130 < s["Some 130"]["high"]
    assert s["34"]["claimant"] == "IDF"


def test_qualifiers_become_intervals():
    rows = by_surface(figures(
        "Hamas still holds about 129 of the 240 or more people it abducted. More than 27,000 Palestinians "
        "have been killed in Gaza, according to the Hamas-run health ministry. Almost 19,500 had been killed "
        "by mid-December, it said earlier. As many as 800 prisoners could be freed under the proposal."
    ))
    assert (rows["about 129"]["qualifier"], rows["about 129"]["metric"]) == ("approx", "hostages.held")
    assert rows["240 or more"]["qualifier"] == "at_least" and rows["240 or more"]["high"] == math.inf
    assert rows["240 or more"]["metric"] == "hostages.taken"
    deaths = rows["More than 27,000"]
    assert (deaths["metric"], deaths["qualifier"], deaths["low"]) == ("deaths.gaza", "more_than", 27000.0)
    assert deaths["claimant"] == "Hamas-run health ministry"
    almost = rows["Almost 19,500"]
    assert almost["high"] == 19500.0 and almost["low"] < 19500.0
    assert rows["As many as 800"]["qualifier"] == "at_most"


def test_round_numbers_carry_their_rounding():
    row = by_surface(figures("Israel says 1,200 people were killed in the October 7 attack."))["1,200"]
    assert (row["metric"], row["low"], row["high"]) == ("deaths.israel", 1150.0, 1250.0)


def test_a_fraction_of_a_figure_is_that_share_and_keeps_the_whole():
    rows = by_surface(figures(
        "Israel believes about a fifth of the 132 remaining captives are dead.", published="2024-02-08"))
    share = rows["about a fifth of the 132"]
    assert math.isclose(share["value"], 26.4)
    assert (share["metric"], share["modality"], share["claimant"]) == ("hostages.dead", "belief", "Israel")
    assert (rows["132"]["metric"], rows["132"]["modality"]) == ("hostages.held", "asserted")


def test_vague_words_and_scale_words():
    rows = by_surface(figures(
        "Thousands of Palestinians have been killed in Gaza since the war began. More than half of Gaza's "
        "2.3 million people have fled their homes.", published="2023-11-09"))
    assert (rows["Thousands"]["metric"], rows["Thousands"]["qualifier"], rows["Thousands"]["value"]) == (
        "deaths.gaza", "vague", 2000.0)
    assert (rows["2.3 million"]["metric"], rows["2.3 million"]["value"]) == ("population.gaza", 2_300_000.0)


# --------------------------------------------------------------------------------------------
# modality: proposals and demands never count as releases


def test_proposals_and_demands_are_not_assertions():
    rows = by_surface(figures(
        "The deal would see the release of 1,500 prisoners from Israeli jails. Hamas demanded the release of "
        "all 6,000 Palestinian detainees. In the truce in late November, 240 Palestinian prisoners were freed."
    ))
    assert (rows["1,500"]["metric"], rows["1,500"]["modality"]) == ("prisoners.released", "proposal")
    assert rows["6,000"]["modality"] == "demand"
    assert (rows["240"]["metric"], rows["240"]["modality"]) == ("prisoners.released", "asserted")


def test_a_past_deal_is_asserted():
    rows = by_surface(figures(
        "A previous deal, in which 105 hostages were released during a week-long ceasefire, worked well."))
    assert (rows["105"]["metric"], rows["105"]["modality"]) == ("hostages.released", "asserted")


# --------------------------------------------------------------------------------------------
# incident tolls are not the cumulative toll


def test_incident_and_cumulative_tolls_are_told_apart():
    rows = by_surface(figures(
        "An Israeli airstrike on the Jabalia refugee camp killed at least 50 people, the ministry said. "
        "The Hamas-run health ministry says 8,525 people have been killed in Gaza since Oct. 7. "
        "In the past 24 hours, 112 Palestinians were killed, it said.", published="2023-11-01"))
    assert rows["at least 50"]["metric"] == "incident.deaths"
    assert rows["8,525"]["metric"] == "deaths.gaza"
    assert rows["112"]["metric"] == "incident.deaths"


# --------------------------------------------------------------------------------------------
# numbers that are not figures


def test_dates_years_names_ages_and_ordinals_are_not_figures():
    rows = figures(
        "War erupted on October 7 when Hamas attacked. Channel 12 reported on Feb. 7, 2024 that a Hamas demand "
        "was rejected. On the fourth day of the truce, Yocheved Lifshitz, 85, and a 9-year-old girl were freed. "
        "UN Resolution 2728 was adopted at 3 p.m. in New York.")
    surfaces = [r["surface"] for r in rows]
    for not_a_figure in ("7", "12", "2024", "85", "9", "2728", "3"):
        assert not_a_figure not in surfaces, not_a_figure
    assert all(r["metric"] is None for r in rows)


def test_every_number_is_a_row_even_without_a_metric():
    rows = figures("About 100 trucks of aid crossed in two convoys.")
    assert [(r["value"], r["metric"]) for r in rows] == [(100.0, None), (2.0, None)]


def test_breakdowns_of_a_total_are_not_the_total():
    rows = by_surface(figures(
        "During the truce 105 hostages were released. Those freed were 81 Israelis and dual nationals, "
        "23 Thai farm workers and one Filipino.", published="2023-12-02"))
    assert rows["105"]["metric"] == "hostages.released"
    assert rows["81"]["metric"] is None and rows["23"]["metric"] is None


def test_list_items_read_their_heading():
    text = ("Casualties reported by the health ministry in Gaza as of Thursday:\n"
            "  • Killed: At least 15,000\n"
            "    • Including at least:\n"
            "      • 6,150 children\n"
            "      • 4,000 women\n"
            "  • Injured: At least 36,000\n")
    rows = by_surface(figures(text, published="2023-11-30"))
    assert rows["At least 15,000"]["metric"] == "deaths.gaza"
    assert rows["6,150"]["metric"] == "deaths.children"
    assert rows["4,000"]["metric"] == "deaths.women"
    assert rows["At least 36,000"]["metric"] == "injured.gaza"


def test_relative_dates_resolve_against_publication():
    rows = by_surface(figures("The IDF said on Tuesday that 137 hostages are still held in Gaza.",
                              published="2023-12-07"))  # a Thursday
    assert (rows["137"]["as_of"], rows["137"]["as_of_basis"]) == ("2023-12-05", "relative")


def test_a_small_toll_beside_the_running_toll_is_an_incident():
    rows = by_surface(figures(
        "The Hamas-run health ministry said 30,035 people had been killed in Gaza since Oct. 7. "
        "At least 70 people were killed in Gaza City as crowds waited for flour, the ministry said.",
        published="2024-02-29"))
    assert rows["30,035"]["metric"] == "deaths.gaza"
    assert rows["At least 70"]["metric"] == "incident.deaths"


def test_soldiers_killed_in_one_attack_are_an_incident_beside_the_war_toll():
    rows = by_surface(figures(
        "The army said 217 soldiers have been killed since the ground operation began. "
        "On Monday 21 reservists died in an explosion near the border, and three officers were killed "
        "in a separate attack in southern Gaza.",
        published="2024-01-23"))
    assert rows["217"]["metric"] == "deaths.soldiers"
    assert rows["21"]["metric"] == "incident.deaths"
    assert rows["three"]["metric"] == "incident.deaths"


def test_an_addition_to_a_toll_counts_its_period_and_a_coordinated_another_does_not():
    rows = by_surface(figures(
        "As of Wednesday, the military announced that two additional soldiers have been killed in Gaza. "
        "The health ministry said 43,469 Palestinians have been killed and another 102,561 people "
        "injured in Gaza.",
        published="2024-11-06"))
    assert rows["two"]["metric"] == "incident.deaths"
    assert rows["43,469"]["metric"] == "deaths.gaza"
    assert rows["102,561"]["metric"] == "injured.gaza"


def test_a_period_since_a_later_date_and_a_repeated_incident_figure_are_incidents():
    rows = by_surface(figures(
        "Israeli airstrikes pounded Gaza on Tuesday, killing more than 400 people, health officials said. "
        "The Gaza health ministry said 404 people had been killed and 562 people were injured. "
        "Since 18 March, the health ministry in Gaza says 1,300 Palestinians have been killed.",
        published="2025-03-25"))
    assert rows["more than 400"]["metric"] == "incident.deaths"
    assert rows["404"]["metric"] == "incident.deaths"
    assert rows["562"]["metric"] == "incident.injured"
    assert rows["1,300"]["metric"] == "incident.deaths"


def test_a_strike_on_a_named_place_is_an_incident_and_a_modifier_does_not_override_the_head():
    rows = by_surface(figures(
        "Israeli strikes on a hospital in Khan Younis killed at least 15 people on Monday, health officials said. "
        "More than 240 Palestinian journalists have been killed in Gaza since the war began, a press union said.",
        published="2025-08-25"))
    assert rows["at least 15"]["metric"] == "incident.deaths"
    assert rows["More than 240"]["metric"] == "deaths.journalists"


def test_what_a_deal_already_did_is_a_fact_and_parts_of_arrests_are_not_deaths():
    rows = by_surface(figures(
        "Under the first phase of the ceasefire, 19 hostages have been released so far in exchange for more than "
        "1,100 Palestinian prisoners. The army has detained more than 17,000 Palestinians in the West Bank, "
        "including 545 women and 1,360 children, a prisoners' group said.",
        published="2025-02-19"))
    assert (rows["19"]["metric"], rows["19"]["modality"]) == ("hostages.released", "asserted")
    assert rows["1,360"]["metric"] is None


def test_a_small_definite_count_of_hostages_is_not_read_as_those_held():
    assert by_surface(figures("Crowds watched the 240 or so hostages on the screens.",
                              published="2023-10-20"))["240 or so"]["metric"] == "hostages.held"
    assert [r["metric"] for r in figures("Crowds in Tel Aviv watched the three hostages get into a Red Cross "
                                         "vehicle.", published="2025-01-19")] == [None]


def test_a_toll_that_reaches_a_number_and_a_count_of_which_are_children():
    rows = by_surface(figures(
        "The ministry said the total number of people killed since the war began has reached 68,865. "
        "It said 10,328 people have been killed in Gaza since October 7, of which 4,237 are children. "
        "The number of children who have been killed in Gaza has passed 14,000 since October 7, UNICEF said.",
        published="2025-11-01"))
    assert rows["68,865"]["metric"] == "deaths.gaza"
    assert rows["10,328"]["metric"] == "deaths.gaza"
    assert rows["4,237"]["metric"] == "deaths.children"
    assert rows["passed 14,000"]["metric"] == "deaths.children"
    assert rows["passed 14,000"]["qualifier"] == "more_than"


def test_compound_modifiers_and_rates_are_not_counts():
    rows = by_surface(figures(
        "The 212-page document lists 6,747 people killed in Gaza since October 7. Israel will release 30 "
        "Palestinian detainees for every civilian hostage.", published="2023-10-27"))
    assert "212" not in rows and "30" not in rows
    assert rows["6,747"]["metric"] == "deaths.gaza"


def test_parts_of_one_incident_are_not_tolls_and_health_personnel_are_not_soldiers():
    rows = by_surface(figures(
        "Out of the 40 people killed in the strike on a UN school, fourteen were children and nine were women. "
        "The ministry said 192 health personnel have been killed in Gaza since October 7.",
        published="2024-06-06"))
    assert rows["40"]["metric"] == "incident.deaths"
    assert rows["fourteen"]["metric"] is None and rows["nine"]["metric"] is None
    assert rows["192"]["metric"] != "deaths.soldiers"


def test_hostages_held_by_hamas_who_were_released_and_a_base_owns_its_participle():
    rows = by_surface(figures(
        "Eight hostages held by Hamas in Gaza have been released as part of the truce. "
        "At least 97 of the 251 hostages kidnapped by Hamas on October 7 remain in Gaza.",
        published="2024-09-01"))
    assert rows["Eight"]["metric"] == "hostages.released"
    assert rows["At least 97"]["metric"] == "hostages.held"
    assert rows["251"]["metric"] == "hostages.taken"


def test_parts_of_a_count_that_is_not_a_toll_and_a_time_zone():
    rows = by_surface(figures(
        "The number of arrests exceeded 9,920, including about 345 women and 690 children, the group said. "
        "The strike came minutes before midnight local time (GMT +3). The toll included 4,104 children "
        "killed in Gaza, the ministry said.", published="2024-08-04"))
    assert rows["about 345"]["metric"] is None and rows["690"]["metric"] is None
    assert "3" not in rows
    assert rows["4,104"]["metric"] == "deaths.children"


def test_coordinated_figures_keep_their_own_verbs():
    rows = by_surface(figures(
        "Hamas attacked Israel on October 7, in which 1,200 Israelis were killed and over 200 were taken hostage. "
        "In the last 24 hours, Israeli strikes in Gaza killed 19 people and injured 72, the ministry said. "
        "The number killed in Gaza has reached 68,865, while the number of wounded stands at 170,670.",
        published="2025-10-29"))
    assert rows["over 200"]["metric"] == "hostages.taken"
    assert rows["19"]["metric"] == "incident.deaths"
    assert rows["72"]["metric"] == "incident.injured"
    assert rows["170,670"]["metric"] == "injured.gaza"


def test_rates_are_not_counts_and_a_toll_brought_to_a_number_keeps_its_metric():
    rows = by_surface(figures(
        "UNRWA said 63 women in the Gaza Strip are killed daily. In the past few days another five UNRWA staff "
        "have been confirmed killed, bringing the death toll to 284. At least 256 soldiers have been killed in "
        "the Gaza Strip since October 27, when the ground operation began.", published="2024-03-08"))
    assert "63" not in rows
    assert rows["284"]["metric"] == "deaths.aid_workers"
    assert rows["At least 256"]["metric"] == "deaths.soldiers"


def test_a_period_since_fighting_resumed_is_an_incident_even_beside_the_war_toll():
    rows = by_surface(figures(
        "The health ministry said 1,163 people have been killed in Gaza since Israel resumed large-scale strikes "
        "on March 18, bringing the overall death toll since the war began to 50,523.", published="2025-03-27"))
    assert rows["1,163"]["metric"] == "incident.deaths"
    assert rows["50,523"]["metric"] == "deaths.gaza"


def test_combined_counts_recent_periods_and_hostages_remains():
    rows = by_surface(figures(
        "More than 50,000 children have been killed or injured in Gaza since October 2023, UNICEF said. "
        "Since last Wednesday alone, 33 Palestinians have been killed and some 130 others wounded in the West Bank. "
        "Since the ceasefire began on October 10, 24 hostages' remains have been returned to Israel. "
        "Israeli strikes caused the deaths of 42 more Palestinians, raising the death toll in Gaza to 40,861.",
        published="2025-11-30"))
    assert rows["More than 50,000"]["metric"] is None
    assert rows["33"]["metric"] == "incident.deaths"
    assert rows["some 130"]["metric"] == "incident.injured"
    assert rows["24"]["metric"] == "hostages.bodies_recovered"
    assert rows["42"]["metric"] == "incident.deaths"
    assert rows["40,861"]["metric"] == "deaths.gaza"


def test_the_cases_settled_after_sixteen_sets():
    """tests/gold/GUIDELINES.md, "Cases settled after the first sixteen sets"."""
    rows = by_surface(figures(
        "Under the deal, 86 Israeli and 24 foreign hostages were released during the truce. "
        "Fifty-eight hostages -- 40 Israelis and 18 foreign citizens -- have been released by Hamas. "
        "Hamas took 240 hostages - 105 were freed in November. "
        "The Committee to Protect Journalists said 48 journalists have been killed so far in 2024. "
        "In Gaza, 181 humanitarian workers were killed in 2024, a report found. "
        "During the ten years before the current war, 152 Israeli soldiers were killed. "
        "The total number of media workers killed since the war began has reached 247. "
        "Two more soldiers were killed and seven others seriously wounded in battles in northern Gaza. "
        "The Israeli army resumed its attacks on the Gaza Strip on March 18 and has since killed 9,519 people "
        "and injured 38,630 others. "
        "Since the ceasefire began on October 10, Hamas has released the remains of 17 hostages.",
        published="2025-11-05"))
    assert rows["86"]["metric"] is None and rows["24"]["metric"] is None  # parts, the total unsaid
    assert rows["Fifty-eight"]["metric"] == "hostages.released"
    assert rows["40"]["metric"] is None and rows["18"]["metric"] is None  # parts in an aside
    assert rows["240"]["metric"] == "hostages.taken"
    assert rows["105"]["metric"] == "hostages.released"  # " - " opens no aside
    for period in ("48", "181", "152", "9,519"):
        assert rows[period]["metric"] == "incident.deaths", period  # a bounded period, not the war so far
    assert rows["38,630"]["metric"] == "incident.injured"
    assert rows["247"]["metric"] == "deaths.journalists"  # "media workers" are not aid workers
    assert rows["seven"]["metric"] == "incident.injured"  # the wounded of the same battle
    assert rows["17"]["metric"] == "hostages.bodies_recovered"


def test_a_lost_space_after_a_full_stop_still_ends_the_sentence():
    rows = by_surface(figures(
        "Nowhere in the Strip is safe for children, the agency said.In Gaza, more than 4,600 children have "
        "been killed since October 7, the health ministry said.A strike on a school killed 12 people on Monday.",
        published="2023-11-20"))
    assert rows["more than 4,600"]["metric"] == "deaths.children"
    assert rows["12"]["metric"] == "incident.deaths"
    assert rows["more than 4,600"]["sentence"].startswith("In Gaza")


def test_what_a_toll_is_not_and_where_its_verb_is():
    # Each sentence is its own report: the report-wide incident rules must not mix their stories.
    reports = [
        "In its latest update, the Health Ministry said the death toll since Oct. 7 had risen to 21,110.",
        "The six men killed were between the ages of 16 and 29.",
        "Gaza's government says 15,694 children have been killed and 17,000 are without parents.",
        "Israel's onslaught has killed more than 42,600 people and injured 99,800 others since October last year.",
        "The Israeli government maintains that 47 hostages abducted by Hamas during the October 7 "
        "attack are still in Gaza.",
        "Five swaps have taken place since the ceasefire began last month, freeing 21 hostages and over "
        "730 Palestinian prisoners.",
        "The number of journalists killed in Gaza rose to 231 yesterday.",
        "The ministry said 126 Palestinians have died from malnutrition-related conditions since August 22.",
        "Lebanon's Health Ministry said 3,481 people have been killed and 14,786 injured in Israeli strikes.",
        "Hamas has committed to releasing 33 hostages in exchange for nearly 2,000 Palestinian prisoners.",
        "Two IDF soldiers were killed in southern Gaza, bringing the ground operation's death toll to 229.",
        "The army said 11 soldiers were injured in ground fighting in the last 24 hours.",
    ]
    rows = {}
    for report in reports:
        rows.update(by_surface(figures(report, published="2025-07-23")))
    assert rows["21,110"]["metric"] == "deaths.gaza" and "7 to 21,110" not in rows  # no range from a date
    assert "29" not in rows or rows["29"]["metric"] is None  # an age
    assert rows["17,000"]["metric"] is None  # its own verb: no ellipsis of "killed"
    assert rows["more than 42,600"]["metric"] == "deaths.gaza"  # "since October last year" is the war
    assert rows["99,800"]["metric"] == "injured.gaza"
    assert rows["47"]["metric"] == "hostages.held"  # the verb after the participle phrase
    assert rows["over 730"]["metric"] == "prisoners.released"  # "freeing" governs both objects
    assert rows["231"]["metric"] == "deaths.journalists"
    assert rows["126"]["metric"] is None  # hunger deaths are no strike's and no war toll's (GUIDELINES)
    assert rows["3,481"]["metric"] is None or not rows["3,481"]["metric"].endswith("gaza")
    assert rows["14,786"]["metric"] != "injured.israel"
    assert rows["33"]["modality"] == "proposal" and rows["nearly 2,000"]["modality"] == "proposal"
    assert rows["229"]["metric"] == "deaths.soldiers"  # the toll of what the two killed were
    assert rows["11"]["metric"] is None  # soldiers' injuries (GUIDELINES)


def test_parts_named_by_a_copula_and_a_period_since_then():
    rows = by_surface(figures(
        "The ministry said 4,707 of the dead were children and minors and that 3,155 were women. "
        "The total number of Gaza residents killed in the conflict has reached 65,382. "
        "The Israeli army resumed its attacks on Gaza on March 18, killing 11,828 and injuring 50,326 since then.",
        published="2025-09-20"))
    assert rows["4,707"]["metric"] == "deaths.children"
    assert rows["65,382"]["metric"] == "deaths.gaza"
    assert rows["11,828"]["metric"] == "incident.deaths" and rows["50,326"]["metric"] == "incident.injured"


def test_what_a_deal_did_is_a_fact_and_what_it_would_have_done_is_not():
    rows = by_surface(figures(
        "Hamas recently released 105 hostages as part of a deal with Israel. "
        "Under the offer, Israel would have freed up to 800 Palestinian prisoners.", published="2024-03-27"))
    assert rows["105"]["modality"] == "asserted"
    assert rows["up to 800"]["modality"] == "proposal"

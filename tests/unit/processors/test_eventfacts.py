"""The main event told from its background: one rule per case, each beside a case it must not catch.

Texts written for these tests in the style of wire news (no publisher's text).
"""

from __future__ import annotations

import datetime as dt

import pytest

from escmon.models import Article, EventFacts, TaggedArticle
from processors.eventdate import resolve
from processors.tagger import Tagger
from tests.conftest import SEED_ARTICLE

FETCHED = dt.datetime(2024, 6, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    """One default pipeline for the module."""
    return Tagger()


def _tag(
    tagger: Tagger, text: str, published: dt.date | None = None, title: str = ""
) -> TaggedArticle:
    when = dt.datetime.combine(published, dt.time(12), tzinfo=dt.UTC) if published else None
    article = Article(
        id="t", source="test", title=title, body=text, published=when, fetched=FETCHED
    )
    return tagger.tag(article)


def _event(tagger: Tagger, text: str, published: dt.date | None = None) -> EventFacts:
    event = _tag(tagger, text, published).event
    assert event is not None, "a text with signals has event facts"
    return event


def _killed(tagger: Tagger, text: str) -> tuple[int | None, int | None, int | None]:
    toll = _event(tagger, text).killed
    return toll.low, toll.best, toll.high


# (rule, text, killed best): each rule's case, then a case that must not be caught by it
TOLLS = [
    (
        "background toll of an earlier attack",
        "A suicide bomber killed six people at a checkpoint in Mosul on Monday. "
        "Last month, a car bomb killed 40 people at a market in the same city.",
        6,
    ),
    (
        "no earlier-time words: both counts are this event's, the largest wins",
        "A suicide bomber killed six people at a checkpoint in Mosul on Monday. "
        "Police said a car bomb killed 40 people at a market in the city.",
        40,
    ),
    (
        "cumulative total over a war",
        "An air strike killed 12 people in a village near Idlib on Tuesday. "
        "More than 300,000 people have been killed since the war began in 2011.",
        12,
    ),
    (
        "'since' after a superlative dates a record, it is no total",
        "An air strike on a village near Idlib killed 12 people, the deadliest attack since 2019.",
        12,
    ),
    (
        "updated figure: the latest wins",
        "Rockets hit a residential area of Kharkiv, killing at least four people. "
        "By evening the death toll had risen to nine, regional officials said.",
        9,
    ),
    (
        "an earlier larger figure without update words is not replaced by a later smaller one",
        "Rockets hit a residential area of Kharkiv, killing at least nine people. "
        "Four people were killed in a single apartment block, regional officials said.",
        9,
    ),
    (
        "the toll being answered (reacted_to) is not the answer's",
        "In response to a drone attack that killed three soldiers, jets carried out air strikes "
        "on militia positions in Syria overnight.",
        None,
    ),
    (
        "the same drone attack reported as the event itself",
        "A drone attack killed three soldiers at a base in Syria overnight, officials said.",
        3,
    ),
    (
        "counts placed in another country belong to another event",
        "A car bomb killed 20 people at a market in Baghdad on Friday. The attack came amid a "
        "spate of bombings that have left 30 dead in Kabul.",
        20,
    ),
    (
        "the same country: the later count stays this event's",
        "A car bomb killed 20 people at a market in Baghdad on Friday. Police said 30 people were "
        "killed in the blasts in Baghdad.",
        30,
    ),
]


@pytest.mark.parametrize(("rule", "text", "best"), TOLLS, ids=[t[0] for t in TOLLS])
def test_main_event_toll(tagger: Tagger, rule: str, text: str, best: int | None):
    assert _event(tagger, text).killed.best == best, rule


# (rule, title, text, killed best): a report as a feed gives it, title and body; each rule's case,
# then one it must not catch
REPORTS = [
    (
        "a fiction word naming the venue is the event's place: headline figure, body without one",
        "Suicide bomber kills 22 at Manchester concert",
        "The attacker detonated a device in the foyer of the arena as fans were leaving.",
        22,
    ),
    (
        "'concert hall' is a venue in the body too",
        "",
        "Gunmen stormed a concert hall in Paris on Friday night, killing at least 80 people.",
        80,
    ),
    (
        "'movie theater': the venue noun is a fiction word too",
        "",
        "A gunman opened fire in a crowded movie theater in Aurora, killing 12 people.",
        12,
    ),
    (
        "a venue word placed in a town after it is a building: 'the theatre in Mariupol'",
        "",
        "A Russian air strike destroyed the theatre in Mariupol, killing 12 people.",
        12,
    ),
    (
        "must not match: 'a concert in memory of': no town after 'in', still no venue",
        "",
        "A concert in memory of the 12 people killed in the air strike was held on Sunday.",
        None,
    ),
    (
        "must not match: a film about a strike on 'the theatre in Mariupol' is still a story",
        "",
        "The film shows an air strike on the theatre in Mariupol that killed 12 people.",
        None,
    ),
    (
        "'in the movie ... in a theater': a story, its killings vetoed",
        "",
        "In the movie, a gunman opens fire in a theater, killing 12 people.",
        None,
    ),
    (
        "a fiction word telling a story still vetoes its killings",
        "",
        "The band's new concert film shows gunmen killing 80 people in a city under siege.",
        None,
    ),
    (
        "a bomb told around an explosion makes it the attack's blast, not an accident",
        "",
        "Sunday's bomb blast killed at least 10 people at a church in Kasindi, authorities said.",
        10,
    ),
    (
        "an explosion with no bomb around stays an accident",
        "",
        "An explosion at a fireworks warehouse killed 10 workers in Kasindi, authorities said.",
        None,
    ),
    (
        "'close to N' is a figure",
        "",
        "An investigation found that the air strike on the theatre killed close to 600 people.",
        600,
    ),
    (
        "'close' before no number reads none",
        "",
        "Gunmen killed close relatives of the mayor in a village near Kandahar on Monday.",
        None,
    ),
    (
        "an update word before the toll phrase: 'revised the toll ... down to'",
        "",
        "The health ministry revised the toll from Sunday's bombings down to 253. "
        "Earlier figures had put the dead at 359.",
        253,
    ),
    (
        "no update word: the largest figure stays",
        "",
        "The toll from Sunday's bombings was 253, the health ministry said. "
        "Police said 359 people had been killed.",
        359,
    ),
    (
        "a toll in a place named with its attack is the attack's, not the place's total",
        "Death toll in Kabul school bombing rises to 68",
        "More than 165 people were wounded, most of them students.",
        68,
    ),
    (
        "a toll in a place with no attack named is the place's running total",
        "",
        "An air strike killed 12 people in Rafah on Tuesday. "
        "The death toll in Gaza has climbed to 197, health officials said.",
        12,
    ),
    (
        "'up from 58 a day earlier' dates the old figure, not the event",
        "",
        "The death toll from the bombing outside a school in Kabul rose to 68, officials said on "
        "Sunday, up from 58 a day earlier.",
        68,
    ),
    (
        "an earlier time that is no old figure's still dates its sentence",
        "",
        "A strike killed 12 people in Kabul on Monday. A day earlier, a bombing killed 58 people.",
        12,
    ),
    (
        "a vow's report carries the toll of the attack it answers",
        "Kenyatta vows 'severest' response as Garissa toll reaches 148",
        "President Uhuru Kenyatta said Kenya would respond in the severest ways possible to the "
        "massacre at the university.",
        148,
    ),
    (
        "a vow's report: also the toll told as the vow's cause",
        "",
        "Iran's leader vowed revenge for the attack that killed 25 people at a parade in Ahvaz.",
        25,
    ),
    (
        "a retaliatory strike's report does not carry the toll it answers",
        "",
        "Jets struck militia positions in Syria on Sunday in response to a drone attack that "
        "killed three soldiers.",
        None,
    ),
    (
        "a truce has no dead of its own",
        "",
        "Israel and Hamas agreed to a ceasefire on Thursday after fighting that killed 240 people.",
        None,
    ),
    (
        "'after' an attack past a comma: still an earlier event",
        "",
        "A man drove a truck into crowds in Nice on Thursday night, killing 84 people. It was the "
        "third attack in France in 18 months, after the Paris attacks that killed 130.",
        84,
    ),
    (
        "deaths told before 'after': the attack is their cause, not an earlier event",
        "",
        "Police said 20 people were killed, after gunmen attacked a wedding in Kandahar.",
        20,
    ),
    (
        "an 'including' phrase runs to its closing comma: its 'and 20 women' is no new group",
        "",
        "More than 80 people, including at least 30 children and 20 women, were killed in the "
        "chemical attack on the town.",
        80,
    ),
    (
        "a group after the closing comma of an 'including' phrase is added",
        "",
        "Two soldiers, including a commander, and a civilian were killed in the attack on the "
        "checkpoint.",
        3,
    ),
    (
        "a listed subject after a reporting clause: 'said ... that three women and six children'",
        "",
        "The security minister said in a press conference on Tuesday that three women and six "
        "children were killed in the attack on the convoy.",
        9,
    ),
    (
        "a listed subject after a source clause, with 'at least' before an item",
        "",
        "According to the Pentagon, 13 US service members and at least 90 Afghans have been "
        "killed in two bombing attacks outside Kabul's airport.",
        103,
    ),
    (
        "one subject after a source clause is no list",
        "",
        "According to the Pentagon, at least 90 Afghans have been killed in two bombing attacks "
        "outside Kabul's airport.",
        90,
    ),
    (
        "a number joined to a noun by a hyphen is an adjective, not a listed victim",
        "",
        "In one of the deadliest episodes of the eight-month civil war, 80 people were killed in "
        "the air strike on the market.",
        80,
    ),
    (
        "explosions in a report whose lead tells a strike are the strike's, not an accident",
        "",
        "Russia fired cruise missiles at cities across Ukraine during the morning rush hour. "
        "Explosions were also reported in Lviv and Dnipro. At least 10 people were killed and "
        "scores injured, officials said.",
        10,
    ),
    (
        "explosions in a report without a strike stay an accident",
        "",
        "Firefighters worked through the night at the chemical plant. Explosions were reported "
        "across the site. At least 10 people were killed and scores injured, officials said.",
        None,
    ),
    (
        "'an attack that recalled' history: the attack is today's",
        "",
        "A car bomb exploded at a police academy in Bogota on Thursday, killing 10 people in an "
        "attack that recalled the bloodiest chapters of the country's conflict.",
        10,
    ),
    (
        "'recalled' with no attack before it still makes its sentence history",
        "",
        "A car bomb exploded at a police academy in Bogota on Thursday. Residents recalled that a "
        "bombing killed 40 people at the academy.",
        None,
    ),
    (
        "'Then,' goes on in the time of the sentence before: another year's dead",
        "",
        "Russian missiles hit a pizzeria in Kramatorsk on Tuesday, killing 10 people. On this day "
        "in 2022, missiles hit a shopping center in Kremenchuk. Then, the occupiers killed 21 "
        "people.",
        10,
    ),
    (
        "a second source's figure after 'but ... say' is no further group",
        "",
        "Officially, 132 people were killed in the attack on the village of Solhan, but security "
        "sources say that at least 160 people were killed.",
        132,
    ),
    (
        "two groups in one sentence add up",
        "",
        "Gunmen killed 132 people in the attack on the village of Solhan, and police said that "
        "16 soldiers were killed in the fighting.",
        148,
    ),
    (
        "'the number of victims killed has increased to 35' is a toll",
        "",
        "Rescuers found more bodies under the rubble of the building struck by a Russian missile "
        "in Dnipro. The number of victims killed has increased to 35 people.",
        35,
    ),
    (
        "'the number of' things is no toll",
        "",
        "Russian missiles struck Dnipro on Saturday, killing 12 people. The number of rockets "
        "fired at the city rose to 40.",
        12,
    ),
    (
        "a sentence without 'Then' after a dated one is the main event's again",
        "",
        "Russian missiles hit a pizzeria in Kramatorsk on Tuesday, killing 10 people. On this day "
        "in 2022, missiles hit a shopping center in Kremenchuk. Rescuers said 21 people were "
        "killed in the pizzeria.",
        21,
    ),
    (
        "a history word after a superlative is a record, not a past event recalled",
        "",
        "The death toll from Saturday's truck bombing in the capital has risen to 276, making it "
        "the deadliest attack in the country's history.",
        276,
    ),
    (
        "a history word with no superlative still recalls the past",
        "",
        "The town's history includes a truck bombing that killed 276 people.",
        None,
    ),
    (
        "'answered' with the strike as its object: the answered attack's dead are not the strike's",
        "",
        "NATO jets struck Serb positions around the city on Wednesday. The alliance said the "
        "operation answered Monday's shelling of a market that killed 37 people.",
        None,
    ),
    (
        "'answered' with a preposition before the attack is no answer to it",
        "",
        "Officials answered questions about the shelling of a market that killed 37 people.",
        37,
    ),
    (
        "a figure named as an earlier count is superseded, not another group of dead",
        "",
        "Air strikes hit a funeral hall in Sanaa on Saturday. A UN official said more than 140 "
        "people were killed, far above the health ministry's earlier count of 82 dead.",
        140,
    ),
    (
        "a second figure with no word of the past is another group of the same sentence",
        "",
        "Air strikes hit a funeral hall in Sanaa on Saturday. A UN official said more than 140 "
        "people were killed, and the ministry's count of 82 dead soldiers came later.",
        222,
    ),
    (
        "a death word in the lead of a report whose lead tells an attack is the attack's dead",
        "Bomb rips federal building in Oklahoma City; children among dead",
        "A bomb hidden in a parked vehicle exploded outside the building on Wednesday morning. "
        "By evening, officials said at least 31 people were confirmed dead.",
        31,
    ),
    (
        "the same death word past the lead, with no violence near it, states no dead",
        "Bomb rips federal building in Oklahoma City; children among dead",
        "A bomb hidden in a parked vehicle exploded outside the building on Wednesday morning. "
        "The governor spoke to reporters in the evening. Schools stayed closed on Thursday. "
        "Officials said at least 31 people were confirmed dead.",
        None,
    ),
    (
        "collapsed buildings in a report whose lead tells an attack are its aftermath, no accident",
        "Truck bomb rocks Mogadishu junction",
        "A truck packed with explosives blew up at a busy junction in Mogadishu on Saturday. "
        "Police said at least 20 people were killed, but warned the toll would rise as rescuers "
        "searched collapsed buildings.",
        20,
    ),
    (
        "a collapse with no attack in the lead stays an accident",
        "",
        "Heavy rain lashed Lagos on Saturday. Police said at least 20 people were killed when a "
        "building collapsed in the city.",
        None,
    ),
    (
        "an earlier strike that is the killing verb's subject takes its dead along",
        "",
        "Gunmen stormed a hotel in Mogadishu on Saturday, and police said 23 people were killed. "
        "The attack came two weeks after a truck bomb in the city killed more than 350 people.",
        23,
    ),
    (
        "a clause break after the earlier strike: the dead are the main event's",
        "",
        "Gunmen stormed a hotel in Mogadishu on Saturday. The siege came two weeks after a truck "
        "bomb in the city; police said 23 people were killed in the hotel.",
        23,
    ),
    (
        "a revised toll 'from last week's attacks' is the report's figure, not an earlier event's",
        "",
        "Officials have revised the death toll from last week's attacks on Mumbai downward, "
        "saying 172 people died. The earlier official figure had been 195.",
        172,
    ),
    (
        "'last week's bombing' with no toll update dates an earlier event",
        "",
        "A suicide bomber killed six people at a checkpoint in Mumbai on Monday. Last week's "
        "bombing killed 40 people at a market.",
        6,
    ),
    (
        "a plural subject before 'had been killed' names no single victim",
        "",
        "NATO aircraft pounded Serb targets near Sarajevo on Wednesday. Serb television said "
        "civilians had been killed in the raids but gave no figure.",
        None,
    ),
    (
        "a singular subject before 'had been killed' is one victim",
        "",
        "NATO aircraft pounded Serb targets near Sarajevo on Wednesday. Serb television said a "
        "woman had been killed in the raids.",
        1,
    ),
    (
        "a number before a comma-closed 'including' phrase is read past it; 'seven of their "
        "members' counts people",
        "",
        "Iran's Revolutionary Guards said seven of their members, including Brigadier General "
        "Mohammad Reza Zahedi and his deputy, were killed when Israeli warplanes struck a "
        "building in Damascus.",
        7,
    ),
    (
        "'seven of the guards' (no possessive) is still no count read before the verb",
        "",
        "Israeli warplanes struck a building in Damascus. Iran said seven of the guards were "
        "killed.",
        None,
    ),
    (
        "a comma-closed apposition that adds up to the list's last item restates its people",
        "",
        "Six gunmen opened fire on tourists at a temple near Luxor on Monday. The ministry said "
        "58 foreign tourists and four Egyptians, three police officers and a tour guide, were "
        "killed.",
        62,
    ),
    (
        "comma-enclosed items that do not add up to the item before are more groups",
        "",
        "Six gunmen opened fire on tourists at a temple near Luxor on Monday. The ministry said "
        "two soldiers and four civilians, two policemen and a guide, were killed.",
        9,
    ),
    (
        "'rescue teams' are a crew at work, no sports context vetoing the dead",
        "",
        "Rescue teams said 12 people died in the fighting in the town on Sunday.",
        12,
    ),
    (
        "a sports team near the dead still makes the sentence sport",
        "",
        "The national football team said 12 people died in the fighting in the town on Sunday.",
        None,
    ),
    (
        "tolls of one attack in two cities add up; 'the toll there' is the story's attack",
        "",
        "A truck bomb exploded at the embassy in Nairobi on Friday, and officials said 182 people "
        "had died. In Dar es Salaam, police said the toll there stood at 10.",
        192,
    ),
    (
        "figures of one city told twice are one figure, the largest",
        "",
        "A truck bomb exploded at the embassy in Nairobi on Friday, and officials said 182 people "
        "had died. In Nairobi, police said the toll stood at 180.",
        182,
    ),
    (
        "a count placed only in another country, with no 'toll there', is another event's",
        "",
        "A car bomb killed 20 people at a market in Baghdad on Friday. In Istanbul, a bombing "
        "killed 44 people.",
        20,
    ),
    (
        "'three weeks later' in a look back tells a later event, not an update",
        "",
        "Bombs on four trains in Madrid killed 191 people. Seven of the suspects blew themselves "
        "up in a flat in Leganes three weeks later as police closed in, killing an officer.",
        191,
    ),
    (
        "'two days later' with a toll word stays an update of this event",
        "",
        "A car bomb killed 20 people at a market in Baghdad. Two days later, the death toll had "
        "risen to 40.",
        40,
    ),
    (
        "'weeks later' with a toll phrase is a victim of this event, not a later event",
        "",
        "A gunman killed 50 worshippers at two mosques in Christchurch. A Turkish man who had been "
        "injured in the attack died in hospital weeks later, taking the toll to 51.",
        51,
    ),
    (
        "a figure named as an earlier one before 'but' and another source is replaced",
        "",
        "Gunmen stormed a hotel in Bamako. A UN official had earlier spoken of 27 bodies, but the "
        "government said on Saturday that 19 hostages had been killed and that two assailants "
        "also died.",
        21,
    ),
    (
        "without a word of the past the first source's figure stays",
        "",
        "Gunmen stormed a hotel in Bamako. A UN official had spoken of 27 bodies, but the "
        "government said on Saturday that 19 hostages had been killed.",
        27,
    ),
    (
        "a listed item with an abbreviation ('a U.S. Army sergeant') is an item of the list",
        "",
        "A bomb went off in a disco in Berlin. Police said a U.S. Army sergeant and a Turkish "
        "woman were killed.",
        2,
    ),
    (
        "an abbreviation does not join a clause to the list: one item, one victim",
        "",
        "A bomb went off in a disco in Berlin. U.S. officials said a sergeant was killed.",
        1,
    ),
    (
        "a bare plural after 'and' adds no number to the counted group",
        "",
        "A truck bomb hit the barracks in Beirut. By nightfall the Pentagon said at least 120 "
        "Marines and sailors were dead, and French officials said 27 of their soldiers had been "
        "killed.",
        147,
    ),
    (
        "a compound number word heads a list; people without a number add nothing",
        "",
        "Twenty-nine people and unborn twins were killed when a car bomb went off in a market "
        "in Omagh.",
        29,
    ),
    (
        "items with numbers still add up",
        "",
        "A bomb went off in a disco in Berlin. Two soldiers and four civilians were killed.",
        6,
    ),
    (
        "a hyphenated number before a noun is still an adjective",
        "",
        "A bomb went off in Berlin. In the eight-month civil war, 80 people were killed.",
        80,
    ),
    (
        "'some putting it at 500': an unnamed source's claim counts only without a plain figure",
        "",
        "Troops fired on a crowd in Andijan. The prosecutor said 169 people were killed. "
        "Witnesses say the real toll is far higher, with some putting it at 500 or more.",
        169,
    ),
    (
        "'some 500' is about 500, no unnamed source: the largest figure stays",
        "",
        "Troops fired on a crowd in Andijan. Officials said 169 people were killed. "
        "Hospitals said some 500 people were killed.",
        500,
    ),
    (
        "a bomb that 'crashed' through a roof is the attack, no accident",
        "",
        "A gas-cylinder bomb fired by rebels crashed through the roof of the church. "
        "Authorities said 110 people were killed.",
        110,
    ),
    (
        "a bomber that crashed is a plane: its crash stays an accident beside a bombing",
        "",
        "A bomber crashed into a hillside, killing ten crew. Rebels bombed a market.",
        None,
    ),
    (
        "an 'of' phrase closing the listed subject says whose soldiers: the list still adds up",
        "",
        "Gunmen stormed a beach resort. The president said 14 civilians and two soldiers of the "
        "special forces were killed, and that six attackers were also killed.",
        22,
    ),
    (
        "an 'of' phrase inside a list (not its last item) is not cut: a clause is no list",
        "",
        "Gunmen stormed a beach resort. The dead were 16 civilians and three members of the "
        "special forces, and 33 people were wounded.",
        None,
    ),
]


@pytest.mark.parametrize(("rule", "title", "text", "best"), REPORTS, ids=[t[0] for t in REPORTS])
def test_report_toll(tagger: Tagger, rule: str, title: str, text: str, best: int | None):
    event = _tag(tagger, text, title=title).event
    assert (event.killed.best if event is not None else None) == best, rule


def test_range_keeps_both_ends(tagger: Tagger):
    text = "Shelling of a market in Donetsk killed between eight and ten people, officials said."
    assert _killed(tagger, text) == (8, 8, 10)


def test_range_before_the_verb_keeps_both_ends(tagger: Tagger):
    text = "Officials said 300 to 600 people were killed in the air strike on the theatre."
    assert _killed(tagger, text) == (300, 300, 600)
    text = "Between 300 and 600 people were killed in the air strike on the theatre."
    assert _killed(tagger, text) == (300, 300, 600)


def test_a_compound_number_word_is_no_range(tagger: Tagger):
    # 'Twenty-nine' is one number (was read as the range 'twenty to nine': 9..29)
    text = "Twenty-nine people were killed when a car bomb went off in a market in Omagh."
    assert _killed(tagger, text) == (29, 29, 29)
    # must not catch: two number words linked by 'to' are a range
    text = "Twenty to thirty people were killed when a car bomb went off in a market in Omagh."
    assert _killed(tagger, text) == (20, 20, 30)


def test_figures_before_two_verbs_are_no_range(tagger: Tagger):
    text = "In the air strike on the theatre 300 people were killed and 600 were wounded."
    assert _killed(tagger, text) == (300, 300, 300)


def test_two_figures_of_killed_and_wounded_are_no_range(tagger: Tagger):
    text = "Shelling of a market in Donetsk killed 8 people and wounded 10, officials said."
    assert _killed(tagger, text) == (8, 8, 8)
    assert _event(tagger, text).wounded.best == 10


def test_casualty_attrs_say_which_event(tagger: Tagger):
    text = (
        "In response to a drone attack that killed three soldiers, jets struck militia positions "
        "in Syria on Sunday, killing 16 people. More than 500,000 people have been killed since "
        "the war began."
    )
    tagged = _tag(tagger, text, dt.date(2024, 6, 4))
    by_count = {s.attrs["count"]: s.attrs for s in tagged.signals if s.type == "casualties"}
    assert by_count[3]["event"] == "reacted_to"
    assert by_count[16]["event"] == "main"
    assert by_count[16]["place"] == "Syria" and by_count[16]["time"] == "Sunday"
    assert by_count[500000]["event"] == "cumulative"
    assert tagged.summary.killed == 500019  # the old reading adds every count up, unchanged


# (rule, text, action countries)
PLACES = [
    (
        "the attacker's home is not an action place, the target is",
        "Israeli jets struck targets in Gaza overnight, killing five people.",
        ["Palestine"],
    ),
    (
        "a launch site ('from') is not where the force landed",
        "Rockets fired from Gaza struck the Israeli city of Ashkelon, killing two people.",
        ["Israel"],
    ),
    (
        "a dateline is not an action place",
        "BEIRUT (Reuters) - An air strike killed five people in Idlib on Tuesday.",
        ["Syria"],
    ),
    (
        "the same city named as the place of the strike is one",
        "An air strike killed five people in Beirut on Tuesday.",
        ["Lebanon"],
    ),
    (
        "victims' nationality is not an action place",
        "Three American soldiers were killed in a drone attack on a base in Jordan.",
        ["Jordan"],
    ),
    (
        "the country named as the place of the attack is one",
        "A gunman killed three people in an attack in the United States on Sunday.",
        ["United States"],
    ),
    (
        "a backer named with a hyphen is not an action place",
        "Iran-backed militants attacked a convoy in Iraq, killing four soldiers.",
        ["Iraq"],
    ),
    (
        "a possessive of a place noun names the place",
        "A missile strike on Azerbaijan's second-largest city killed ten people.",
        ["Azerbaijan"],
    ),
    (
        "a place in a 'from' phrase is a launch site: 'from bases in Italy'",
        "Warplanes flying from bases in Italy struck ammunition dumps around Sarajevo, killing "
        "five people.",
        ["Bosnia and Herzegovina"],
    ),
    (
        "a 'from' phrase with no verb of departure is no launch site: the rubble is in Kharkiv",
        "Russia said rescuers pulled 20 bodies from the rubble in Kharkiv after a missile strike.",
        ["Ukraine"],
    ),
    (
        "a target named after a launch site and a verb is still an action place",
        "Rockets fired from Gaza hit homes in Ashkelon, killing two people.",
        ["Israel"],
    ),
    (
        "'in Spain's history' after an attack: the record is where it happened",
        "Bombs on four trains killed 191 people, the worst terrorist attack in Spain's history.",
        ["Spain"],
    ),
    (
        "a country's possessive before its officials is still no place",
        "Bombs on four trains killed 191 people, Spain's interior ministry said.",
        [],
    ),
    (
        "a list of demonyms before a people noun names victims: 'U.S. and French forces'",
        "Suicide truck bombs hit U.S. and French forces in Beirut, killing 120 soldiers.",
        ["Lebanon"],
    ),
    (
        "a country before a strike word is the attacker: 'killed in U.S. raids on Tripoli'",
        "Officials said 37 people were killed in U.S. raids on Tripoli.",
        ["Libya"],
    ),
    (
        "a country after 'in' and before no strike word is the place",
        "Gunmen killed 37 people in the U.S. on Tuesday.",
        ["United States"],
    ),
    (
        "a list of places after a verb of attack is where it hit",
        "Missiles hit Iraq and Syria overnight, killing 120 people.",
        ["Iraq", "Syria"],
    ),
    (
        "names before 'the port of' describe the port: the place is the city",
        "Israeli warplanes struck the Houthi-held Red Sea port of Hodeidah, killing three people.",
        ["Yemen"],
    ),
    (
        "a name before 'of' with no place noun still ends the scan (no action place)",
        "Israeli warplanes struck Houthi leaders of Hodeidah, killing three people.",
        [],
    ),
    (
        "the dead of a subject after 'after' are the earlier event's, and so is its place",
        "Israeli jets struck the port of Hodeidah on Saturday, a day after a Houthi drone "
        "killed a man in Tel Aviv.",
        ["Yemen"],
    ),
    (
        "a province of the hand gazetteer is a place: 'in Anbar province'; 'in what Tehran "
        "called' opens a clause whose subject is the government speaking, not a place",
        "Missiles struck a base in Anbar province overnight, in what Tehran called its revenge.",
        ["Iraq"],
    ),
    (
        "'in what Tehran called' alone: no action place (was Iran)",
        "Missiles struck a base overnight, in what Tehran called its revenge.",
        [],
    ),
    (
        "a capital before a speech verb and after no preposition is the government speaking",
        "A drone strike killed 12 soldiers on Sunday, Kabul said.",
        [],
    ),
    (
        "must not match: 'officials in Kabul said' keeps Kabul (governed by 'in')",
        "A drone strike killed 12 soldiers on Sunday, officials in Kabul said.",
        ["Afghanistan"],
    ),
    (
        "must not match: 'Officials in Gaza said' keeps Gaza",
        "Officials in Gaza said an air strike killed 20 people.",
        ["Palestine"],
    ),
    (
        "conflict regions of the hand gazetteer: 'in North Kivu province'",
        "Gunmen killed 14 villagers in North Kivu province on Monday.",
        ["Democratic Republic of the Congo"],
    ),
]


@pytest.mark.parametrize(("rule", "text", "countries"), PLACES, ids=[p[0] for p in PLACES])
def test_action_countries(tagger: Tagger, rule: str, text: str, countries: list[str]):
    assert _event(tagger, text).countries == countries, rule


def test_a_killing_after_after_is_the_earlier_events(tagger: Tagger):
    """'a day after a Houthi drone killed a man': the strike of this sentence was told first."""
    event = _event(
        tagger,
        "Israeli jets struck the port of Hodeidah on Saturday, a day after a Houthi drone "
        "killed a man in Tel Aviv.",
    )
    assert event.killed.best is None
    # the strike told after 'after': this event's dead
    assert _killed(tagger, "Jets struck the port of Hodeidah after midnight, killing three.") == (
        3,
        3,
        3,
    )
    # no strike told before 'after': the killing is the event
    assert (
        _killed(tagger, "Police found the bodies in Kabul after gunmen killed three people.")[1]
        == 3
    )


def test_an_of_phrase_inside_a_list_keeps_the_wounded_apart(tagger: Tagger):
    """'16 civilians and three members of the special forces, and 33 people were wounded': the
    wounded are 33, not the killed added to them (the 'of' cut is for the list's last item)."""
    text = (
        "Gunmen stormed a beach resort. The dead were 16 civilians and three members of the "
        "special forces, and 33 people were wounded."
    )
    assert _event(tagger, text).wounded.best == 33


def test_a_toll_phrase_reaches_further_within_its_clause(tagger: Tagger):
    """'The death toll from the attack on <a long name> has risen to 21': past the usual reach
    of the link word only within the toll's own clause."""
    long_name = (
        "Gunmen stormed a hotel in Nairobi. The death toll from the attack on the DusitD2 hotel "
        "and office complex in the city's Westlands district "
    )
    assert _killed(tagger, long_name + "has risen to 21, police said.")[1] == 21
    # a clause break past the usual reach: the ambulances are no toll
    got = _killed(tagger, long_name + "is unknown; officials sent 21 ambulances to the scene.")
    assert got[1] != 21


def test_event_date_relative_to_publication(tagger: Tagger):
    text = "An air strike killed five people in Idlib on Sunday, a monitoring group said."
    assert _event(tagger, text, dt.date(2024, 6, 4)).date == dt.date(2024, 6, 2)  # a Tuesday
    assert _event(tagger, text).date is None  # no publication date: no guess


def test_event_date_with_its_year_needs_no_publication_date(tagger: Tagger):
    text = (
        "U.S. aircraft hit five targets in Tripoli and Benghazi in the early hours of "
        "15 April 1986, killing at least 40 people."
    )
    assert _event(tagger, text).date == dt.date(1986, 4, 15)
    # must not: a weekday without a publication date dates no day
    text = "U.S. aircraft hit five targets in Tripoli on Tuesday, killing at least 40 people."
    assert _event(tagger, text).date is None


def test_an_earlier_attack_named_at_length_takes_its_relative_clause(tagger: Tagger):
    # 'after' six tokens before the strike, a comma opening 'which', and a second casualty
    # word joined by 'and' in that clause: all the earlier attack's
    text = (
        "Ten days after the La Belle disco bombing in West Berlin, which killed two people and "
        "wounded about 230, U.S. aircraft hit five targets in Tripoli, killing 40 people."
    )
    event = _event(tagger, text)
    assert (event.killed.best, event.wounded.best, event.countries) == (40, None, ["Libya"])
    # must not: the wounded of a clause of the main event stay its own
    text = (
        "Ten days after the disco bombing in Berlin, which killed two people, U.S. aircraft hit "
        "five targets in Tripoli, killing 40 people and wounding about 230."
    )
    event = _event(tagger, text)
    assert (event.killed.best, event.wounded.best) == (40, 230)


def test_an_earlier_time_of_a_strike_told_later_in_the_sentence_is_not_the_main_ones(
    tagger: Tagger,
):
    text = (
        "American warplanes bombed targets in Tripoli on Tuesday, in what Reagan called a reply "
        "to terrorism, including the bombing of a discotheque in Berlin ten days earlier that "
        "killed two people."
    )
    event = _event(tagger, text, dt.date(1986, 4, 15))
    assert (event.kind, event.countries, event.date) == ("strike", ["Libya"], dt.date(1986, 4, 15))
    assert event.killed.best is None
    # must not: with no clause break the time dates the one strike told
    text = "A car bomb that hit a market in Baghdad ten days earlier killed 40 people."
    assert _event(tagger, text, dt.date(1986, 4, 15)).kind is None


def test_a_motive_claimed_below_the_lead_makes_no_reaction(tagger: Tagger):
    text = (
        "Gunmen stormed a school in Peshawar on Tuesday, killing at least 126 people. "
        "Troops surrounded the building and fought the gunmen for hours. "
        "Soldiers searched the classrooms. "
        "A spokesman for the group said the attack was revenge for the army's offensive."
    )
    assert _event(tagger, text).reaction is False
    # must not: an answer told in the lead is the event's framing
    text = (
        "Warplanes struck militant camps near Peshawar on Tuesday in revenge for the army "
        "offensive that killed 12 soldiers."
    )
    assert _event(tagger, text).reaction is True


def test_an_attack_named_with_its_day_dates_the_event(tagger: Tagger):
    thursday = dt.date(2009, 11, 26)
    text = (
        "The number of bodies recovered from graves in Ampatuan has risen to 57, police said on "
        "Thursday, making Monday's attack on the convoy the deadliest in years."
    )
    assert _event(tagger, text, thursday).date == dt.date(2009, 11, 23)
    # must not: a day's other business is no attack day; the first time stays
    text = (
        "Gunmen killed 57 people in an attack on a convoy in Ampatuan, police said on Thursday, "
        "after Monday's talks failed."
    )
    assert _event(tagger, text, thursday).date == thursday


def test_calm_text_has_no_event(tagger: Tagger):
    assert _tag(tagger, "The central bank left interest rates unchanged on Thursday.").event is None


def test_seed_article_main_event(tagger: Tagger):
    event = _event(tagger, SEED_ARTICLE.read_text(encoding="utf-8"))
    assert event.countries == ["Iraq", "Syria"]  # not the US, Iran, Jordan, Yemen or Israel
    # the three US troops died in the drone attack the strikes answer; Syria's "many martyrs"
    # states no number
    assert (event.killed.low, event.killed.best, event.killed.high) == (16, 16, 16)
    assert event.reaction is True and event.kind == "strike"


@pytest.mark.parametrize(
    ("expression", "published", "date"),
    [
        ("Sunday", dt.date(2024, 6, 4), dt.date(2024, 6, 2)),
        ("Tuesday", dt.date(2024, 6, 4), dt.date(2024, 6, 4)),  # the day of publication
        ("yesterday", dt.date(2024, 6, 4), dt.date(2024, 6, 3)),
        ("Oct. 17", dt.date(2022, 10, 18), dt.date(2022, 10, 17)),
        ("5 June", dt.date(2021, 6, 9), dt.date(2021, 6, 5)),
        ("December 30", dt.date(2024, 1, 2), dt.date(2023, 12, 30)),  # the year before
        ("Sunday", None, None),
        ("the spring", dt.date(2024, 6, 4), None),
        # a stated year dates the event without a publication date, and overrides its year
        ("15 April 1986", None, dt.date(1986, 4, 15)),
        ("April 15, 1986", None, dt.date(1986, 4, 15)),
        ("11 March 2004", dt.date(2024, 3, 1), dt.date(2004, 3, 11)),
        # must not: a day without its year needs the publication date
        ("15 April", None, None),
    ],
)
def test_resolve_dates(expression: str, published: dt.date | None, date: dt.date | None):
    assert resolve(expression, published) == date


def test_death_word_before_the_attack_is_told_keeps_the_vow_first(tagger: Tagger):
    # a death word in the lead counts once the lead has told an attack, not before: this title's
    # 'toll' stays no casualty signal, so the report is still the vow's (its kind)
    event = _tag(
        tagger,
        "President Uhuru Kenyatta declared national mourning on Saturday and said Kenya would "
        'respond "in the severest ways possible" to the massacre at the college. The death toll '
        "from Thursday's attack rose to 148.",
        title="Kenyatta vows 'severest' response as Garissa toll reaches 148",
    ).event
    assert event is not None
    assert event.kind == "retaliation_pledge"
    assert event.killed.best == 148

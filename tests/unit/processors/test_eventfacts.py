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
    (
        "facts6: 'most of them women and children' between commas says who the count were",
        "At least a dozen people, most of them women and children, were killed when bombs fell on "
        "two camps near Goma on Friday.",
        12,
    ),
    (
        "facts6: '11 of them children' is a part of the 29, not another item",
        "At least 29 people, 11 of them children, were killed when a rocket hit a camp near "
        "Laiza on Monday.",
        29,
    ),
    (
        "must not match: a list of two groups still adds up",
        "Two soldiers, a policeman and three civilians were killed in the attack on Goma.",
        6,
    ),
    (
        "facts6: 'hours earlier' dates another attack before this one",
        "A truck bomb killed five people near an air base in Cali on Thursday. Hours earlier, a "
        "police helicopter was brought down in Antioquia, killing eight officers.",
        5,
    ),
    (
        "must not match: 'up from 8 hours earlier' dates the old figure, not the sentence",
        "A truck bomb killed five people near an air base in Cali on Thursday. By evening the "
        "toll had risen to 12, up from 8 hours earlier.",
        12,
    ),
    (
        "facts6: 'the same evening' and 'unrelated' tell another event",
        "A missile fragment killed a man in Jericho on Tuesday evening. Earlier the same evening "
        "two gunmen opened fire in Jaffa, killing seven people, in an attack police said was "
        "unrelated.",
        1,
    ),
    (
        "must not match: 'linked to' the strike keeps the shooting's dead in this event",
        "A missile fragment killed a man in Jericho on Tuesday evening. Two gunmen opened fire "
        "in Jericho, killing seven people, in an attack police said was linked to the strike.",
        7,
    ),
    (
        "facts6: 'in the first half of the year' is a total over a period",
        "Gang members killed at least 70 people in a raid on Pont-Sonde on Thursday. Gangs killed "
        "more than 3,600 people in Haiti in the first half of the year.",
        70,
    ),
    (
        "must not match: 'the deadliest ... in the first half of' is a record, not a total",
        "Gang members killed at least 70 people in a raid on Pont-Sonde on Thursday, the deadliest "
        "attack in the first half of the year. Police later said 75 people had been killed.",
        75,
    ),
    (
        "facts6: ', when' after 'since' and its time tells the earlier event of the record",
        "A Russian drone and missile attack on Kyiv killed 18 people on Thursday. It was the "
        "deadliest attack on the capital since 31 July, when a strike on an apartment block "
        "killed 31 people.",
        18,
    ),
    (
        "must not match: ', when' without 'since' is this event's own time",
        "A Russian drone and missile attack on Kyiv killed 18 people on Thursday. The toll rose "
        "overnight, when rescuers found 31 bodies in the rubble of an apartment block.",
        31,
    ),
    (
        "facts6: a figure the report could not confirm counts only without another",
        "The UN said about 400 people were killed in the attack on Barsalogho on Saturday. "
        "Relatives say as many as 600 people died, a figure that could not be confirmed.",
        400,
    ),
    (
        "must not match: what could not be confirmed is not the figure ('their names')",
        "The UN said about 400 people were killed in the attack on Barsalogho on Saturday. "
        "Relatives say 600 people died, but their names could not be confirmed.",
        600,
    ),
    (
        "facts6: 'the only death' is one",
        "Most of the missiles were shot down over Israel on Tuesday night. The only death "
        "reported was that of a Palestinian man in Jericho, who was hit by debris.",
        1,
    ),
    (
        "must not match: 'the deaths' without 'only' names no number",
        "Most of the missiles were shot down over Israel on Tuesday night. Officials said the "
        "deaths of 12 soldiers at an air base were being investigated.",
        12,
    ),
    (
        "facts6: a party's count of those it says it killed itself is its claim: never counted",
        "Jihadist fighters killed scores of people in an attack on Barsalogho on Saturday. "
        "JNIM said it had killed about 300 members of the army and its militia.",
        None,
    ),
    (
        "must not match: officials' count of the dead is no claim of their own kills",
        "Jihadist fighters killed scores of people in an attack on Barsalogho on Saturday. "
        "Officials said about 300 people had been killed.",
        300,
    ),
    (
        "facts7: a record's superlative far back in the period's clause: no total",
        "Funeral prayers were held on Sunday for 16 soldiers killed when insurgents overran a "
        "military post in South Waziristan, the deadliest single attack on the army in the "
        "region this year.",
        16,
    ),
    (
        "must not match: a total in its own clause after the record's stays a total",
        "Insurgents overran a military post in South Waziristan on Saturday, killing 16 soldiers. "
        "It was the deadliest attack of the month, and militants have killed 300 soldiers in the "
        "region this year.",
        16,
    ),
    (
        "facts7: 'a figure of 70 that officials had given a day earlier' dates the old figure",
        "The WHO said on Sunday that 67 people were killed in the attack on the hospital in El "
        "Fasher, revising down a figure of 70 that local officials had given a day earlier.",
        67,
    ),
    (
        "must not match: 'a day earlier' with no old figure dates another event",
        "The WHO said 67 people were killed in the attack on the hospital in El Fasher. "
        "Shelling of the market killed 70 people a day earlier.",
        67,
    ),
    (
        "facts7: a listed person after a possessive is one more ('and their driver')",
        "At least five foreign aid workers and their Palestinian driver were killed in an "
        "Israeli strike on a convoy in Deir al-Balah.",
        6,
    ),
    (
        "facts7: 'the civilian driver of their vehicle' is one person",
        "Ten policemen and the civilian driver of their vehicle were killed when a bomb exploded "
        "under their van near Aranpur.",
        11,
    ),
    (
        "must not match: a plural after 'the' ('the civilians') gives no number",
        "Ten policemen and the civilians in their van were killed when a bomb exploded under it "
        "near Aranpur.",
        None,
    ),
    (
        "facts7: the speaker's own men as the subject of the killing: its claim",
        "Dozens of people were killed in an assault by insurgents on Palma. Islamic State said "
        "on Monday its fighters had seized the town and killed 55 people.",
        None,
    ),
    (
        "must not match: 'their soldiers had found 55 people killed': the dead are no object",
        "Gunmen attacked Palma on Friday. Officials said on Monday their soldiers had found 55 "
        "people killed in the town.",
        55,
    ),
    (
        "facts7: the attackers counted right after the victims' toll are one more group",
        "Pakistan's military revised the number of hostages killed in Tuesday's hijacking of the "
        "train to 26. All 33 attackers were killed when troops stormed the train, it said.",
        59,
    ),
    (
        "must not match: the toll's sentence counts the attackers already",
        "Troops ended the siege of the train; 21 hostages, four soldiers and 33 militants were "
        "killed. All 33 attackers were killed when troops stormed the train.",
        58,
    ),
    (
        "facts7: a bare month opening a sentence below the lead goes back to an earlier event",
        "Separatists opened fire on a passenger train in Bolan on Tuesday, taking hundreds of "
        "passengers hostage. Several people were wounded. The group claimed responsibility. "
        "In November, a suicide bombing at Quetta's railway station killed 26 people.",
        None,
    ),
    (
        "must not match: the month opening the lead dates the main event",
        "In November, a suicide bombing at Quetta's railway station killed 26 people, officials "
        "said.",
        26,
    ),
    (
        "facts8: the attackers counted a few sentences after the toll are one more group",
        "At least 32 people were killed when gunmen attacked a hotel on Mogadishu's Lido beach "
        "on Friday, police said. A suicide bomber blew himself up at the entrance. Security "
        "forces ended the siege after several hours. Three attackers were shot dead, police said.",
        35,
    ),
    (
        "must not match: an attackers' count told further down is more often another attack's",
        "At least 32 people were killed when gunmen attacked a hotel on Mogadishu's Lido beach "
        "on Friday, police said. Witnesses described people running into the sea. Ambulances "
        "made dozens of trips. Relatives gathered outside the hospitals. Three attackers were "
        "shot dead, police said.",
        32,
    ),
    (
        "facts8: 'Four of the attackers were also killed' counts the attackers",
        "Gunmen attacked Mogadishu's Lido beach on Friday. Police said 37 civilians were killed. "
        "Four of the attackers were also killed, and a fifth was taken alive.",
        41,
    ),
    (
        "must not match: attackers as the object of a killing are another strike's dead",
        "Gunmen killed 148 people at an army school in Peshawar on Tuesday. The prime minister "
        "vowed revenge. Jets pounded hideouts in the Tirah valley, killing 57 militants.",
        148,
    ),
    (
        "facts8: 'but the figure could not be confirmed' after another source's figure",
        "Rescue workers said more than 60 people were killed in the air strike on the village of "
        "A Nang Pa. The rebels put the number of dead at 80, but the figure could not be "
        "independently confirmed.",
        60,
    ),
    (
        "must not match: after 'but', a check of something else than the figure",
        "Rescue workers said more than 60 people were killed in the air strike on the village of "
        "A Nang Pa. The rebels put the number of dead at 80, but the bodies could not be "
        "reached.",
        80,
    ),
    (
        "facts8: 'The figure could not be independently confirmed.' opening the next sentence",
        "A drone attack on a military academy in Homs killed 89 people, the health ministry "
        "said. A war monitor said the toll was higher, at more than 120. The figure could not be "
        "independently confirmed.",
        89,
    ),
    (
        "must not match: a next sentence about the figure that does not doubt it",
        "A drone attack on a military academy in Homs killed 89 people, the health ministry "
        "said. A war monitor said the toll was higher, at more than 120. The figure includes "
        "31 women.",
        120,
    ),
    (
        "facts8: 'a figure the UN said it could not confirm': a speaker before the check",
        "M23 rebels killed at least 131 civilians in Kishishe, the United Nations said. The "
        "government had said earlier that about 272 people were killed in the massacre, a "
        "figure the UN said it could not confirm.",
        131,
    ),
    (
        "must not match: a speaker after the figure noun who does not doubt it",
        "M23 rebels killed at least 131 civilians in Kishishe, the United Nations said. The "
        "government had said earlier that about 272 people were killed in the massacre, a "
        "figure the UN said was close to its own.",
        272,
    ),
    (
        "facts9: one attacker killed, 'the gunman' with an apposition, is one more of the dead",
        "At least 38 people were killed when a gunman opened fire on a beach near Sousse on "
        "Friday. The gunman, a 23-year-old student, was killed by police after the attack.",
        39,
    ),
    (
        "must not match: 'the gunman' as the killer of an active verb is none of the dead",
        "At least 38 people were killed in an attack on a beach near Sousse on Friday. The "
        "gunman, a 23-year-old student, killed most of them with a rifle, police said.",
        38,
    ),
    (
        "facts9: 'the attacker was wearing a belt ... and was also killed': one more",
        "An explosion tore through a bus carrying presidential guards in Tunis on Tuesday, "
        "killing 12 guards. A security source said the attacker was wearing a belt of "
        "explosives and was also killed.",
        13,
    ),
    (
        "must not match: another subject after 'and' was killed, not the attacker",
        "An explosion tore through a bus carrying presidential guards in Tunis on Tuesday, "
        "killing 12 guards. A security source said the attacker was wearing a belt of "
        "explosives and a driver was also killed.",
        12,
    ),
    (
        "must not match: a possessive 'the gunman's brother' names someone else",
        "At least 38 people were killed in an attack on a beach near Sousse on Friday. The "
        "gunman's brother, a 23-year-old student, was killed by police after the attack.",
        38,
    ),
    (
        "facts9: 'killing 27 people before he was shot dead': 'he' after 'a gunman' is one more",
        "A gunman opened fire on tourists on a beach near Sousse on Friday, killing at least 27 "
        "people before he was shot dead by police, the ministry said.",
        28,
    ),
    (
        "must not match: 'he' with no attacker noun ('gunman', 'attacker') before it",
        "A soldier opened fire on tourists on a beach near Sousse on Friday, killing at least 27 "
        "people before he was shot dead by police, the ministry said.",
        27,
    ),
    (
        "facts9: 'killed two of the gunmen': a share of this attack's attackers as the object",
        "Gunmen attacked the Bardo museum in Tunis on Wednesday, killing 17 tourists and two "
        "Tunisians. Security forces stormed the building three hours later and killed two of "
        "the gunmen.",
        21,
    ),
    (
        "must not match: 'arrested two of the gunmen' is no killing",
        "Gunmen attacked the Bardo museum in Tunis on Wednesday, killing 17 tourists and two "
        "Tunisians. Security forces stormed the building three hours later and arrested two of "
        "the gunmen.",
        19,
    ),
    (
        "facts9: 'five of them had been shot dead' after 'the attackers', told before the toll",
        "Kenya's president declared an end to the siege of the mall in Nairobi on Tuesday, "
        "saying the attackers had been defeated and that five of them had been shot dead. He "
        "said 61 civilians and six members of the security forces had been killed.",
        72,
    ),
    (
        "must not match: 'five of them' after the hostages, not the attackers",
        "Kenya's president declared an end to the siege of the mall in Nairobi on Tuesday, "
        "saying the hostages had been found and that five of them had been shot dead. He said "
        "61 civilians and six members of the security forces had been killed.",
        67,
    ),
    (
        "facts9: a hyphenated noun's 'by' ('a civilian passer-by') does not end a listed victim",
        "Gunmen stormed a police school near Lahore on Monday. At least eight recruits and a "
        "civilian passer-by were killed, officials said.",
        9,
    ),
    (
        "must not match: a preposition of its own ('a guard by the gate') still ends the list",
        "Gunmen stormed a police school near Lahore on Monday. At least eight recruits and a "
        "guard by the gate were killed, officials said.",
        None,
    ),
    (
        "facts9: a place's apposition (', near El Fasher in North Darfur,') keeps a toll's clause",
        "The number of people killed in last week's assault on Zamzam camp, near El Fasher in "
        "North Darfur, has risen to more than 400, the UN said on Monday.",
        400,
    ),
    (
        "must not match: a preposition with no name after it opens no place's apposition",
        "The number of people killed in last week's assault on Zamzam camp, near the market of "
        "the camp, has risen to more than 400, the UN said on Monday.",
        None,
    ),
    (
        "facts9: 'two dozen' is 24, as 'two hundred' is 200",
        "The strike on the city centre killed two dozen people, according to the latest "
        "figures from the regional police.",
        24,
    ),
    (
        "must not match: 'dozens' with no number stays vague",
        "The strike on the city centre killed dozens of people, according to the latest "
        "figures from the regional police.",
        None,
    ),
    (
        "facts9: a listed subject with a long apposition inside it is still one list",
        "Six policemen and two civilians, one of them the driver of a van carrying the match "
        "officials, were killed when gunmen opened fire on the convoy in Lahore on Tuesday.",
        8,
    ),
    (
        "must not match: numbers of things earlier in the sentence are no listed victims",
        "Gunmen fired at two buses, and a van carrying the match officials and a bus carrying "
        "the team and five policemen were killed when gunmen opened fire on the convoy in "
        "Lahore on Tuesday.",
        5,
    ),
    (
        "facts9: another source's 'higher estimate of about 500' is not the report's figure",
        "Bombings hit two Yazidi villages on Tuesday. Kurdish officials said the number of "
        "people killed had passed 400. The Red Crescent gave a higher estimate of about 500 dead.",
        400,
    ),
    (
        "must not match: another source's estimate not set against it counts as usual",
        "Bombings hit two Yazidi villages on Tuesday. Kurdish officials said the number of "
        "people killed had passed 400. The Red Crescent gave an estimate of about 500 dead.",
        500,
    ),
    (
        "facts9: 'revising down a toll of 68': the figure a revision replaces is superseded",
        "Gunmen attacked a mall in Nairobi on Saturday. The president said on Tuesday that 61 "
        "people had been killed, revising down a toll of 68 given by officials on Sunday.",
        61,
    ),
    (
        "must not match: 'revised the toll to 68' names the new figure",
        "Gunmen attacked a mall in Nairobi on Saturday. Officials said 61 people had been "
        "killed. On Sunday they revised the toll to 68.",
        68,
    ),
    (
        "facts10: the lead's figure over a larger one told later (a period's total)",
        "Syrian air strikes killed 33 Turkish soldiers near the village of Balyun on Thursday "
        "night, Turkish officials said. The soldiers had been sent to help rebels hold the "
        "line. Ankara said it would respond. Thursday's losses bring the number of Turkish "
        "soldiers killed in Idlib this month to more than 50.",
        33,
    ),
    (
        "facts10: the lead's figure over another day's larger one told at the end",
        "Russian missiles struck apartment blocks in Zaporizhzhia early on Sunday, killing at "
        "least 12 people, officials said. Rescuers searched the rubble for survivors. City "
        "authorities set up a shelter in a school. It was the second deadly attack on the "
        "city in little more than a week; missiles hit a convoy of cars, killing 30 people.",
        12,
    ),
    (
        "must not match: a later sentence that names the event back tells its whole toll",
        "Four children of one family died in a gas attack on Khan Sheikhoun on Tuesday, their "
        "father said. Doctors treated people for breathing problems. The town's clinic ran "
        "out of oxygen. More than 80 people, including 30 children, were killed in the "
        "chemical attack on the town.",
        80,
    ),
    (
        "facts10: a name's region in commas ('in Amalfi, in the ... of Antioquia,') stays in "
        "the toll's clause",
        "The number of police officers killed when a drone brought down their helicopter in "
        "Amalfi, in the north-western department of Antioquia, has risen to 13, authorities "
        "said on Friday.",
        13,
    ),
    (
        "must not match: a later 'to 13' of another clause past the apposition is no toll",
        "The number of police officers killed when a drone brought down their helicopter in "
        "Amalfi, in the north-western department of Antioquia, has not been given; rescuers "
        "were sent to 13 sites, authorities said on Friday.",
        None,
    ),
    (
        "facts10: a time inside a record's 'since' clause does not date the lead",
        "A drone strike on a market in El Fasher killed at least 75 people on Friday, medical "
        "workers said, in one of the deadliest attacks on the city since the Rapid Support "
        "Forces encircled it more than a year ago.",
        75,
    ),
    (
        "must not match: a time told before the record, outside its 'since' clause",
        "A drone strike on a market in El Fasher killed 12 people on Friday, volunteers said. "
        "Shelling of the city's main mosque killed 75 worshippers a year ago, in one of the "
        "deadliest attacks on the city.",
        12,
    ),
]


@pytest.mark.parametrize(("rule", "text", "best"), TOLLS, ids=[t[0] for t in TOLLS])
def test_main_event_toll(tagger: Tagger, rule: str, text: str, best: int | None):
    assert _event(tagger, text).killed.best == best, rule


# (rule, title, text, killed best): a report as a feed gives it, title and body; each rule's case,
# then one it must not catch
REPORTS = [
    (
        "facts8: a venue word named again after it was read as the venue is no story",
        "Air strike on concert kills 60 in Kachin",
        "Military jets bombed a concert in northern Myanmar on Sunday night, killing 60 people.",
        60,
    ),
    (
        "must not match: a venue word never read as a venue stays a story's word",
        "",
        "Military jets bombed a concert in northern Myanmar on Sunday night, killing 60 people.",
        None,
    ),
    (
        "facts8: a compound venue after a possessive and 'in front of' is the event's place",
        "",
        "A missile landed in front of the city's drama theatre on Saturday, killing five people.",
        5,
    ),
    (
        "must not match: a possessive's 'new concert' is a show",
        "",
        "The band's new concert on Saturday showed a missile strike that killed five people.",
        None,
    ),
    (
        "facts8: an attack told before an anniversary fell on it: today's, not history",
        "",
        "A suicide bomber struck a rally in Quetta on Sunday, killing 12 people, on the fourth "
        "anniversary of the leader's death.",
        12,
    ),
    (
        "must not match: the attack an anniversary is of, told after it, is history",
        "",
        "On Sunday, Israelis marked the anniversary of the attack in which 1,200 people were "
        "killed.",
        None,
    ),
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
        "'bus station' is a place, not a bus in a road accident (facts11, blind14 b14-017)",
        "",
        "A bomb exploded at a bus station in Abuja on Monday, killing at least 71 people.",
        71,
    ),
    (
        "the bus itself still tells a road accident",
        "",
        "A bus plunged into a ravine in Nepal on Monday, killing at least 31 people.",
        None,
    ),
    (
        "'two weeks after a bombing ... killed 75': an earlier strike, though told after the dead"
        " (facts11, blind14 b14-025)",
        "",
        "A car bomb exploded near a market in Abuja on Thursday, killing 19 people, just over two"
        " weeks after a bombing at the same spot killed 75 people.",
        19,
    ),
    (
        "'dead after a bomber detonated' with no span of time: the cause of this event's dead",
        "",
        "Police said 149 people were dead after a suicide bomber detonated a truck in Kabul.",
        149,
    ),
    (
        "'the two days of bombings have now killed more than 50': a total over several events"
        " (facts11, blind14 b14-005)",
        "",
        "Suicide bombers killed 30 people at a consulate in Istanbul on Thursday, officials said."
        " The two days of bombings have now killed more than 50 people in the city.",
        30,
    ),
    (
        "'three days of mourning' counts no violence: the attack's dead stay",
        "",
        "A bomb killed 30 people in a market in Istanbul on Thursday, and the government"
        " declared three days of mourning.",
        30,
    ),
    (
        "'put the number higher, saying some 50 had died': another source's figure, not adopted"
        " (facts11, blind15 b15-009)",
        "",
        "Officials say at least 45 people were killed in the strike in Rafah on Sunday. A civil"
        " defence official put the number higher, saying rescue crews believed some 50 people had"
        " died.",
        45,
    ),
    (
        "'the toll was higher than first reported' names no other source: its figure stands",
        "",
        "Rescue crews said the toll was higher than first reported, with 50 people killed in the"
        " strike in Rafah on Sunday.",
        50,
    ),
    (
        "'killed 106 of the civilians sheltering there': the number of a group's people killed"
        " (facts11, blind14 b14-002)",
        "",
        "The shelling on April 18 killed 106 of the civilians sheltering in the base at Qana.",
        106,
    ),
    (
        "'killed two of the gunmen' stays the attackers' rule: added once to the victims",
        "",
        "Gunmen killed 19 people at a museum in Tunis on Wednesday, officials said. Security forces"
        " stormed the building three hours later and killed two of the gunmen.",
        21,
    ),
    (
        "an aircraft shot down: 'on board' and 'the crash site' are the attack's (facts11, blind14"
        " b14-011, b14-016)",
        "",
        "The Boeing 777 was hit over the Donetsk region by a missile fired by separatists. All 298"
        " people on board were killed. Police sealed off the crash site. Officials said the plane"
        " was shot down.",
        298,
    ),
    (
        "a crash with nothing shot down stays an air accident",
        "",
        "A passenger plane crashed near Donetsk on Thursday, killing all 98 people aboard.",
        None,
    ),
    (
        "'Attackers storm ...' in the title is the attack's verb, not weather (facts11, blind15"
        " b15-022)",
        "Attackers storm aerospace company near Ankara",
        "Two assailants attacked the headquarters of an aerospace company north of Ankara on"
        " Wednesday, killing four people, the minister said.",
        4,
    ),
    (
        "'a storm killed ten' stays the weather's",
        "",
        "A storm killed ten people near Ankara on Wednesday, officials said.",
        None,
    ),
    (
        "'killed 25 people and the two bombers': another group of the dead, added (facts11,"
        " blind14 b14-018)",
        "",
        "The bombings of two synagogues in Istanbul on Saturday killed 25 people and the two"
        " bombers, officials said.",
        27,
    ),
    (
        "'and the two' without a group of people after the number adds nothing",
        "",
        "The bombings of two synagogues in Istanbul on Saturday killed 25 people and the two"
        " buildings were badly damaged, officials said.",
        25,
    ),
    (
        "'rescuers using cranes and dogs' are at work after the attack: no animal attack"
        " (facts11, blind15 b15-020)",
        "",
        "A Russian missile hit an apartment building in Poltava on Saturday, killing at least 14"
        " people. Rescuers using cranes and dogs searched the rubble through the morning.",
        14,
    ),
    (
        "a dog attack with no crew before the dogs stays an animal's",
        "",
        "A pack of stray dogs killed two children near Poltava on Saturday, officials said.",
        None,
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
    (
        "facts9: a follow-up names its attack by its time ('last week's bombing'): its toll",
        "Afghan president says 150 died in last week's bombing",
        "Afghanistan's president said on Tuesday that more than 150 people were killed in last "
        "week's truck bombing in Kabul. Ashraf Ghani said about 300 people were wounded. The "
        "next day, suicide bombers struck a funeral, killing at least seven mourners.",
        150,
    ),
    (
        "must not match: a lead with its own strike keeps 'last week's bombing' an earlier one",
        "",
        "Suicide bombers struck a funeral in Kabul on Saturday, killing at least seven mourners. "
        "Last week's truck bombing killed more than 150 people.",
        7,
    ),
    (
        "facts9: 'storm' right after an armed party is its assault, no weather word",
        "Gunmen storm Nairobi shopping mall",
        "Gunmen attacked a shopping mall in Nairobi on Saturday, killing between 30 and 40 "
        "people, police said.",
        30,
    ),
    (
        "must not match: a storm with no armed party before it is the weather",
        "Storm hits Nairobi shopping mall",
        "Gunmen attacked a shopping mall in Nairobi on Saturday, killing between 30 and 40 "
        "people, police said.",
        None,
    ),
    (
        "facts10: the title and lead restate the toll with another place: no second city",
        "India names 26 dead in Pahalgam attack",
        "Authorities in Jammu and Kashmir put the death toll from Tuesday's attack on tourists "
        "at Baisaran meadow at 26 on Wednesday. Seventeen people were being treated for "
        "gunshot wounds.",
        26,
    ),
    (
        "must not match: an equal toll of another city told after the lead still adds",
        "",
        "A truck bomb exploded at the embassy in Nairobi on Friday, and officials said 10 people "
        "had died. Rescuers searched the rubble. Hospitals appealed for blood. In Dar es "
        "Salaam, police said the toll there stood at 10.",
        20,
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
        "facts10: a country of a pair naming borders ('near Niger and Burkina Faso borders')",
        "Gunmen killed 54 people in an attack on two villages near Niger and Burkina Faso "
        "borders on Friday, officials said.",
        [],
    ),
    (
        "must not match: a pair of countries after 'in' is where it happened",
        "Gunmen killed 54 people in an attack on two villages in Niger and Burkina Faso on "
        "Friday, officials said.",
        ["Niger", "Burkina Faso"],
    ),
    (
        "facts10: a preposition before a list governs all of it ('the borders of Niger and ...')",
        "Gunmen killed 54 soldiers at two army posts on Friday where the borders of Niger and "
        "Burkina Faso meet, officials said.",
        [],
    ),
    (
        "facts10: where talks were held is their venue, no party ('after talks in Doha')",
        "Pakistan and Afghanistan agreed to an immediate ceasefire on Sunday after talks in "
        "Doha, the two governments said.",
        ["Pakistan", "Afghanistan"],
    ),
    (
        "must not match: a place the truce itself is agreed in without a talks word",
        "Pakistan and Afghanistan agreed to an immediate ceasefire on Sunday in Doha, the two "
        "governments said.",
        ["Pakistan", "Afghanistan", "Qatar"],
    ),
    (
        "facts8: the place a strike verb hits as its object, through 'the centre of', is where",
        "Three Russian missiles struck the centre of Chernihiv on Wednesday, killing at least 17 "
        "people.",
        ["Ukraine"],
    ),
    (
        "must not match: a strike verb's object that is no place noun ('the convoy of') names none",
        "Three Russian missiles struck the convoy of Ukraine's president on Wednesday, killing 17 "
        "people.",
        [],
    ),
    (
        "facts7: the country naming a border ('near Afghan border') says not on which side",
        "Militants kill 16 soldiers near Afghan border. Militants attacked an army checkpoint in "
        "South Waziristan in northwestern Pakistan on Saturday, killing 16 soldiers.",
        ["Pakistan"],
    ),
    (
        "must not match: 'the Afghan border town of Torkham' names the town's country",
        "A drone struck a market in the Afghan border town of Torkham, killing 16 people.",
        ["Afghanistan"],
    ),
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
    (
        "facts6: a possessive place before 'area' names where ('in Peshawar's Police Lines area')",
        "A suicide bomber killed 100 people at a mosque in Peshawar's Police Lines area on Monday.",
        ["Pakistan"],
    ),
    (
        "must not match: a possessive before no place noun is the state ('Pakistan's army')",
        "Pakistan's army said a suicide bomber killed 100 people at a mosque in Kabul.",
        ["Afghanistan"],
    ),
    (
        "facts6: a place after an office noun and 'in' is where the office sits",
        "The European Union summoned Russia's top diplomat in Brussels on Thursday after an "
        "overnight attack on Kyiv killed 25 people.",
        ["Ukraine"],
    ),
    (
        "must not match: a building hit 'in' a place is where it landed",
        "An air strike destroyed Iran's consulate in Damascus on Monday, killing seven officers.",
        ["Syria"],
    ),
    (
        "facts6: a country before a launch verb is the attacker ('the missiles Iran launched')",
        "Most of the missiles Iran launched were shot down, and one man was killed by debris, "
        "Israel reported.",
        ["Israel"],
    ),
    (
        "must not match: the same country after the launch verb is where they fell",
        "Most of the missiles launched overnight were shot down, and one man was killed by "
        "debris, Iran reported.",
        ["Iran"],
    ),
    (
        "must not match: 'near the French embassy' names the embassy's people, no action place",
        "Officials showed reporters wrecked houses in Tripoli, near the French embassy, and said "
        "American bombs had killed 37 people.",
        ["Libya"],
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


def test_a_toll_phrase_reaches_over_an_apposition(tagger: Tagger):
    """facts7: 'in Aitou, a village in the hills of the Zgharta district, has risen to 23': an
    apposition's commas do not end the toll's clause; another clause's comma still does."""
    start = "A strike hit a house in Aitou on Monday. "
    toll = "The death toll from Monday's strike on a house in Aitou, a village in the hills"
    assert (
        _killed(
            tagger,
            start + toll + " of the Zgharta district, has risen to 23, the health ministry said.",
        )[1]
        == 23
    )
    got = _killed(
        tagger,
        "A strike hit a house in Aitou on Monday, killing 20 people. "
        + toll
        + ", is not known, and officials sent rescuers to 23 homes.",
    )
    assert got[1] == 20


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
        # facts6: a weekend is dated by its Saturday; 'last weekend' is the one before the
        # publication's own (blind6 b6-009, a Friday report of 'last weekend's attack')
        ("last weekend", dt.date(2024, 8, 30), dt.date(2024, 8, 24)),
        ("last weekend", dt.date(2024, 8, 25), dt.date(2024, 8, 17)),  # a Sunday report
        ("the weekend", dt.date(2024, 8, 26), dt.date(2024, 8, 24)),  # a Monday report
        ("last weekend", None, None),
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


def test_an_air_attack_is_a_strike_also_beside_a_collapse(tagger: Tagger):
    """facts6: 'air attack' is a strike cue of its own; a weak 'attack' next to a collapsed block
    read as an accident, so the report had no event but a truce deadline (blind6 b6-007)."""
    text = (
        "The death toll from Thursday's Russian air attack on Kyiv rose to 16 by evening, "
        "officials said, as cranes lifted slabs from the collapsed entrance of an apartment block."
    )
    event = _event(tagger, text)
    assert (event.kind, event.countries, event.killed.best) == ("casualties", ["Ukraine"], 16)
    # must not match: a collapse with no attack stays an accident, no event
    collapse = (
        "The death toll from Thursday's collapse of an apartment block in Kyiv rose to 16 by "
        "evening, officials said, as cranes lifted slabs from the collapsed entrance."
    )
    assert _tag(tagger, collapse).event is None


def test_a_shell_that_exploded_is_a_strike(tagger: Tagger):
    """facts6: a shell, rocket or mortar that exploded, landed or fell is an attack's hit; the
    title's 'Blast' then is its blast, no accident (blind6 b6-030: 29, was none)."""
    text = (
        "Blast at camp kills at least 29. At least 29 people were killed when a shell exploded "
        "in a camp for displaced people near Laiza on Monday."
    )
    event = _event(tagger, text)
    assert (event.kind, event.killed.best) == ("strike", 29)
    # must not match: a gas cylinder that exploded is an accident, no event
    accident = (
        "Blast at factory kills at least 29. At least 29 people were killed when a gas cylinder "
        "exploded in a factory near Laiza on Monday."
    )
    event = _tag(tagger, accident).event
    assert event is None or event.killed.best is None


def test_last_weekends_attack_dates_the_event(tagger: Tagger):
    """facts6: 'last weekend's attack' dates the event, not the day the figure was given."""
    text = (
        "The UN said on Friday that about 400 people were killed in last weekend's jihadist "
        "attack on Barsalogho."
    )
    assert _event(tagger, text, dt.date(2024, 8, 30)).date == dt.date(2024, 8, 24)
    # must not match: 'weekend' as no time of the event leaves the reporting day
    text = "Gunmen killed 40 people in an attack on Barsalogho on Friday, weekend newspapers said."
    assert _event(tagger, text, dt.date(2024, 8, 30)).date == dt.date(2024, 8, 30)


def test_the_time_of_a_when_clause_of_the_attack_dates_the_event(tagger: Tagger):
    """facts7: 'bringing the number of people killed when a Russian drone hit the block early on
    Saturday to 12' dates the strike by Saturday, not by the day a body was recovered."""
    text = (
        "Rescuers in Odesa pulled the body of a woman from the rubble on Monday, bringing the "
        "number of people killed when a Russian drone hit the block early on Saturday to 12."
    )
    assert _event(tagger, text, dt.date(2024, 3, 4)).date == dt.date(2024, 3, 2)
    # must not match: a reporting time past a comma is no part of the 'when' clause
    text = (
        "Rescuers pulled a body from the rubble in Odesa on Sunday, bringing the number killed "
        "when a Russian drone hit the block to 12, officials said on Monday."
    )
    assert _event(tagger, text, dt.date(2024, 3, 4)).date == dt.date(2024, 3, 3)


def test_a_vows_day_does_not_date_the_attack_it_answers(tagger: Tagger):
    """facts6: a vow's report tells the attack it answers; the day of the promise is not the
    attack's (blind6 b6-014, dated by its Friday, was kept apart from the strikes' reports)."""
    published = dt.date(2025, 4, 18)  # a Friday
    vow = (
        "Yemen's Houthis promised on Friday to answer deadly US air strikes on the Ras Isa fuel "
        "port, which health authorities said had killed 38 people."
    )
    title = "Houthis vow response after deadly strikes on fuel terminal"
    event = _tag(tagger, vow, published, title).event
    assert event is not None
    assert (event.kind, event.date) == ("retaliation_pledge", None)
    # must not match: the attack's own day still dates it, and a strike report keeps its day
    vow = (
        "Yemen's Houthis promised on Friday to answer Thursday's US air strikes on the Ras Isa "
        "fuel port, which health authorities said had killed 38 people."
    )
    event = _tag(tagger, vow, published, title).event
    assert event is not None
    assert (event.kind, event.date) == ("retaliation_pledge", dt.date(2025, 4, 17))
    strike = "US air strikes on the Ras Isa fuel port killed 38 people on Friday."
    assert _event(tagger, strike, published).date == published


def test_a_record_set_against_an_older_year_does_not_date_the_sentence(tagger: Tagger):
    # facts9: the year dates the older event a record is set against, which has no dead here
    text = (
        "Thirty of the 38 people killed by a gunman at a beach hotel near Sousse last Friday were "
        "British, officials said on Monday, making it the deadliest attack on Britons since the "
        "London bombings of July 2005."
    )
    assert _event(tagger, text, dt.date(2015, 6, 29)).killed.best == 38


def test_a_record_set_against_an_older_attack_with_its_dead_stays_earlier(tagger: Tagger):
    # must not match: the older event's dead follow its year ('... of October 2017 killed 587')
    text = (
        "A car bomb exploded at a busy checkpoint in Mogadishu on Saturday, killing at least 79 "
        "people. It was the deadliest attack in the city since the truck bombing of October 2017 "
        "killed 587."
    )
    assert _event(tagger, text, dt.date(2019, 12, 28)).killed.best == 79

"""The demo dataset as plain data: the two source documents, in full (see tracker.demo).

Everything here is what the sources say, no more precisely than they say it; where they give
no date the record says unknown or approximate, and where they name no one, no one is named.
"""

import datetime

from core.dates import DatePrecision

TOKYO_DATE = datetime.date(2025, 6, 6)

# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------

_INDONESIA_REFERENCE_NOTE = (
    "Listed in the references of the unsigned opinion article on Indonesia as a mediator; "
    "the tracker has not consulted it."
)

SOURCES = [
    {
        "slug": "tokyo",
        "title": "Diplomatic Efforts Resume As North And South Korea Meet In Tokyo With "
        "Regional Leaders",
        "kind": "news",
        "publisher": "Global Coverage",
        "published_on": TOKYO_DATE,
        "published_on_precision": DatePrecision.APPROXIMATE,
        "date_note": "The page gives no date; the neighbouring “read more” links on it are "
        "dated 6 June 2025.",
        "language": "en",
        "note": "The only source reporting the Tokyo summit: everything recorded about the "
        "summit is single-source. Unsigned; scraped from an Indonesian news site without "
        "its address.",
    },
    {
        "slug": "indonesia",
        "title": "Indonesia as a mediator on the Korean Peninsula after the Russia–North "
        "Korea defense agreement",
        "kind": "analysis",
        "published_on": None,
        "published_on_precision": DatePrecision.UNKNOWN,
        "date_note": "The article carries no date.",
        "language": "en",
        "note": "Unsigned, undated opinion article (“The opinions expressed in this article "
        "are the author’s own”). It has no title either: this one describes its subject.",
    },
    {
        "slug": "kim-lee-2023-russia-north-korea-military-cooperation",
        "title": "Russia-North Korea Military Cooperation and Its Implications",
        "kind": "academic",
        "authors": "Kim, C., Lee, J.",
        "publisher": "Asia Security Journal",
        "citation": "15(2), 89–105",
        "published_on": datetime.date(2023, 1, 1),
        "published_on_precision": DatePrecision.YEAR,
        "note": _INDONESIA_REFERENCE_NOTE,
    },
    {
        "slug": "nakamura-2023-indonesia-diplomatic-role-asean",
        "title": "Indonesia’s Diplomatic Role in ASEAN and Beyond",
        "kind": "academic",
        "authors": "Nakamura, Takao",
        "publisher": "Journal of Southeast Asian Studies",
        "citation": "54(1), 22–38",
        "published_on": datetime.date(2023, 1, 1),
        "published_on_precision": DatePrecision.YEAR,
        "note": _INDONESIA_REFERENCE_NOTE,
    },
    {
        "slug": "park-2022-economic-engagement-korean-peninsula",
        "title": "Economic Engagement and Peace on the Korean Peninsula",
        "kind": "academic",
        "authors": "Park, H.",
        "publisher": "Pacific Affairs Review",
        "citation": "85(3), 301–320",
        "published_on": datetime.date(2022, 1, 1),
        "published_on_precision": DatePrecision.YEAR,
        "note": _INDONESIA_REFERENCE_NOTE,
    },
    {
        "slug": "smith-2023-humanitarian-aid-north-korea",
        "title": "Humanitarian Aid as a Tool for Peace: The Case of North Korea",
        "kind": "academic",
        "authors": "Smith, M.",
        "publisher": "International Relations Quarterly",
        "citation": "37(4), 456–470",
        "published_on": datetime.date(2023, 1, 1),
        "published_on_precision": DatePrecision.YEAR,
        "note": _INDONESIA_REFERENCE_NOTE,
    },
    {
        "slug": "thompson-2023-non-aligned-movement",
        "title": "The Non-Aligned Movement and Contemporary World Politics",
        "kind": "academic",
        "authors": "Thompson, R.",
        "publisher": "Global Governance Journal",
        "citation": "29(2), 112–128",
        "published_on": datetime.date(2023, 1, 1),
        "published_on_precision": DatePrecision.YEAR,
        "note": _INDONESIA_REFERENCE_NOTE,
    },
]

# ---------------------------------------------------------------------------------------
# Actors. States first: the others name them as their country. Other names are
# (name, language, note), standard forms only.
# ---------------------------------------------------------------------------------------

ACTORS = [
    {
        "slug": "north-korea",
        "name": "Democratic People’s Republic of Korea",
        "short_name": "North Korea",
        "kind": "state",
        "iso3": "PRK",
        "description": "Led at the Tokyo summit by Vice Foreign Minister Choe Son Hui, its "
        "first multilateral engagement in over five years after years of isolation, COVID-19 "
        "border closures, intensified sanctions and economic hardship. It appears willing to "
        "explore limited engagement without relinquishing its nuclear deterrent (Tokyo "
        "article). Recently signed a defense agreement with Russia (Indonesia article).",
        "names": [
            ("조선민주주의인민공화국", "ko", "official"),
            ("Korea Utara", "id", ""),
            ("КНДР", "ru", "abbreviation"),
            ("DPRK", "en", "abbreviation"),
        ],
    },
    {
        "slug": "south-korea",
        "name": "Republic of Korea",
        "short_name": "South Korea",
        "kind": "state",
        "iso3": "KOR",
        "description": "Under President Yoon Suk-yeol, a pragmatic but forward-looking "
        "strategy balancing deterrence and engagement: Seoul has bolstered its defense "
        "capabilities while opening doors for dialogue, and views the Tokyo summit as a "
        "chance to demonstrate regional leadership, stabilize domestic politics and reduce "
        "the threat of North Korea’s expanding missile arsenal (Tokyo article).",
        "names": [
            ("대한민국", "ko", "official"),
            ("Korea Selatan", "id", ""),
            ("ROK", "en", "abbreviation"),
        ],
    },
    {
        "slug": "japan",
        "name": "Japan",
        "kind": "state",
        "iso3": "JPN",
        "description": "Host of the Tokyo summit. For years it has kept a firm stance on "
        "North Korea; it also seeks to reassert itself as a diplomatic bridge-builder as "
        "tensions with China and concerns over Taiwan intensify (Tokyo article).",
        "names": [("日本", "ja", ""), ("Jepang", "id", "")],
    },
    {
        "slug": "china",
        "name": "People’s Republic of China",
        "short_name": "China",
        "kind": "state",
        "iso3": "CHN",
        "description": "A rival of the United States on the global stage that shares its "
        "interest in preventing conflict on the Korean Peninsula; sent high-level envoys to "
        "Tokyo (Tokyo article). Indonesia has good relations with it (Indonesia article).",
        "names": [("中华人民共和国", "zh", "official"), ("中国", "zh", "")],
    },
    {
        "slug": "united-states",
        "name": "United States of America",
        "short_name": "United States",
        "kind": "state",
        "iso3": "USA",
        "description": "A rival of China on the global stage that shares its interest in "
        "preventing conflict on the Korean Peninsula; sent high-level envoys to Tokyo and "
        "keeps military alliances with South Korea and Japan (Tokyo article).",
        "names": [("U.S.", "en", "abbreviation"), ("Amerika Serikat", "id", "")],
    },
    {
        "slug": "russia",
        "name": "Russian Federation",
        "short_name": "Russia",
        "kind": "state",
        "iso3": "RUS",
        "description": "Sent envoys to the Tokyo summit; its role is called uncertain amid "
        "its Ukraine conflict (Tokyo article). Recently signed a defense agreement with "
        "North Korea (Indonesia article).",
        "names": [("Российская Федерация", "ru", "official"), ("Россия", "ru", "")],
    },
    {
        "slug": "indonesia",
        "name": "Republic of Indonesia",
        "short_name": "Indonesia",
        "kind": "state",
        "iso3": "IDN",
        "description": "The Indonesia article argues that Indonesia’s strategic position and "
        "diplomatic capabilities make it uniquely qualified to mediate on the Korean "
        "Peninsula as a balancer: it has historically kept good relations with both Russia "
        "and China; as a member of ASEAN it has a foundation for promoting regional peace "
        "and experience in economic diplomacy; as a UN member active in peacekeeping "
        "operations it has experience and credibility in peacebuilding; it has a commitment "
        "to humanitarian principles and expertise in aid to conflict zones; and its "
        "leadership role in the Non-Aligned Movement gives it a platform to advocate a "
        "peaceful resolution.",
        "names": [("Republik Indonesia", "id", "official")],
    },
    {
        "slug": "united-nations",
        "name": "United Nations",
        "kind": "organisation",
        "description": "Welcomed the Tokyo summit as a constructive step toward sustainable "
        "peace (Tokyo article).",
        "names": [("UN", "en", "abbreviation"), ("Perserikatan Bangsa-Bangsa", "id", "")],
    },
    {
        "slug": "european-union",
        "name": "European Union",
        "kind": "organisation",
        "description": "Welcomed the Tokyo summit as a constructive step toward sustainable "
        "peace (Tokyo article).",
        "names": [("EU", "en", "abbreviation"), ("Uni Eropa", "id", "")],
    },
    {
        "slug": "asean",
        "name": "Association of Southeast Asian Nations",
        "short_name": "ASEAN",
        "kind": "organisation",
        "description": "Indonesia is a member. The Northeast Asia Peace Forum agreed in Tokyo "
        "is to be modeled after the ASEAN Regional Forum (Tokyo article).",
        "names": [
            ("ASEAN", "en", "abbreviation"),
            ("Perhimpunan Bangsa-Bangsa Asia Tenggara", "id", ""),
        ],
    },
    {
        "slug": "red-cross",
        "name": "Red Cross",
        "kind": "organisation",
        "description": "To supervise the family reunification pilot agreed in Tokyo. The "
        "source says only “Red Cross”: it does not say which Red Cross body (the "
        "International Committee, a national society or the Federation).",
    },
    {
        "slug": "non-aligned-movement",
        "name": "Non-Aligned Movement",
        "short_name": "NAM",
        "kind": "grouping",
        "description": "Its core principles of non-interference and peaceful coexistence are "
        "strongly aligned with Indonesia’s foreign policy objectives (Indonesia article).",
        "names": [("NAM", "en", "abbreviation"), ("Gerakan Non-Blok", "id", "")],
    },
    {
        "slug": "kim-jong-un",
        "name": "Kim Jong-un",
        "kind": "person",
        "country": "north-korea",
        "description": "Leads North Korea: the Tokyo article speaks of “Kim Jong-un’s "
        "government”, which has made it clear that denuclearization is not on the table "
        "unconditionally.",
        "names": [("김정은", "ko", "")],
    },
    {
        "slug": "choe-son-hui",
        "name": "Choe Son Hui",
        "kind": "person",
        "country": "north-korea",
        "description": "Led North Korea’s delegation to the Tokyo summit as Vice Foreign "
        "Minister (the title the Tokyo article gives).",
        "names": [("최선희", "ko", "")],
    },
    {
        "slug": "yoon-suk-yeol",
        "name": "Yoon Suk-yeol",
        "kind": "person",
        "country": "south-korea",
        "description": "President of South Korea according to the Tokyo article; his "
        "administration views the summit as an opportunity for regional leadership.",
        "names": [("윤석열", "ko", "")],
    },
    {
        "slug": "fumio-kishida",
        "name": "Fumio Kishida",
        "kind": "person",
        "country": "japan",
        "description": "Prime Minister of Japan according to the Tokyo article; used the "
        "summit to advance Japan’s aims.",
        "names": [("岸田文雄", "ja", "")],
    },
    {
        "slug": "south-korean-media",
        "name": "South Korean media",
        "kind": "collective",
        "country": "south-korea",
        "description": "Media outlets in South Korea, as the Tokyo article groups them.",
    },
    {
        "slug": "north-korean-state-media",
        "name": "North Korean state media",
        "kind": "collective",
        "country": "north-korea",
    },
    {
        "slug": "japanese-public-opinion",
        "name": "Japanese public opinion",
        "kind": "collective",
        "country": "japan",
    },
    {
        "slug": "analysts-in-china",
        "name": "Analysts in China",
        "kind": "collective",
        "country": "china",
        "description": "Unnamed analysts the Tokyo article cites.",
    },
    {
        "slug": "analysts-in-the-united-states",
        "name": "Analysts in the United States",
        "kind": "collective",
        "country": "united-states",
        "description": "Unnamed analysts the Tokyo article cites.",
    },
]

# ---------------------------------------------------------------------------------------
# Memberships and relationships. Neither source dates any of them.
# ---------------------------------------------------------------------------------------

MEMBERSHIPS = [
    {
        "member": "choe-son-hui",
        "organisation": "north-korea",
        "kind": "office",
        "title": "Vice Foreign Minister",
        "note": "The title the source gives her at the Tokyo summit.",
        "sources": ["tokyo"],
    },
    {
        "member": "kim-jong-un",
        "organisation": "north-korea",
        "kind": "leadership",
        "note": "The source speaks of “Kim Jong-un’s government”; it gives no title.",
        "sources": ["tokyo"],
    },
    {
        "member": "yoon-suk-yeol",
        "organisation": "south-korea",
        "kind": "office",
        "title": "President",
        "note": "“South Korea, under the leadership of President Yoon Suk-yeol”.",
        "sources": ["tokyo"],
    },
    {
        "member": "fumio-kishida",
        "organisation": "japan",
        "kind": "office",
        "title": "Prime Minister",
        "sources": ["tokyo"],
    },
    {
        "member": "indonesia",
        "organisation": "asean",
        "kind": "member",
        "sources": ["indonesia"],
    },
    {
        "member": "indonesia",
        "organisation": "united-nations",
        "kind": "member",
        "note": "“a member of the United Nations and an active participant in various "
        "international peacekeeping operations”.",
        "sources": ["indonesia"],
    },
    {
        "member": "indonesia",
        "organisation": "non-aligned-movement",
        "kind": "leadership",
        "note": "“Indonesia’s leadership role in the Non-Aligned Movement (NAM)”; the source "
        "does not say what the role is.",
        "sources": ["indonesia"],
    },
]

RELATIONSHIPS = [
    {
        "actor": "indonesia",
        "other": "russia",
        "kind": "good_relations",
        "description": "“Historically, Indonesia has maintained good relations with both "
        "Russia and China.”",
        "sources": ["indonesia"],
    },
    {
        "actor": "indonesia",
        "other": "china",
        "kind": "good_relations",
        "description": "“Historically, Indonesia has maintained good relations with both "
        "Russia and China.”",
        "sources": ["indonesia"],
    },
    {
        "actor": "russia",
        "other": "north-korea",
        "kind": "alliance",
        "description": "The recent defense agreement is a strategic partnership seen as a "
        "counterbalance to the influence of the United States and its allies; the source "
        "speaks of “the Russian-North Korean alliance”.",
        "sources": ["indonesia"],
    },
    {
        "actor": "united-states",
        "other": "south-korea",
        "kind": "alliance",
        "description": "The United States “seeks to maintain military alliances with South "
        "Korea and Japan”.",
        "sources": ["tokyo"],
    },
    {
        "actor": "united-states",
        "other": "japan",
        "kind": "alliance",
        "description": "The United States “seeks to maintain military alliances with South "
        "Korea and Japan”.",
        "sources": ["tokyo"],
    },
    {
        "actor": "north-korea",
        "other": "south-korea",
        "kind": "hostility",
        "description": "The Korean Armistice Agreement of 1953 ended active hostilities, but "
        "no peace treaty was ever signed: the two Koreas remain technically at war.",
        "sources": ["tokyo"],
    },
    {
        "actor": "united-states",
        "other": "china",
        "kind": "rivalry",
        "description": "“The U.S. and China, though rivals on the global stage, share a "
        "common interest in preventing conflict on the Korean Peninsula.”",
        "sources": ["tokyo"],
    },
]

# ---------------------------------------------------------------------------------------
# The Tokyo summit (source: tokyo)
# ---------------------------------------------------------------------------------------

_ENVOYS = (
    "“The presence of foreign ministers and special envoys from the U.S., China, Japan, and Russia”"
)
_HIGH_LEVEL_ENVOYS = (
    "; the U.S. and China “have dispatched high-level envoys to Tokyo and expressed measured "
    "optimism about the summit’s potential outcomes”."
)
_TOKYO_NOT_STARTED = "Agreed at the summit; the source reports no implementation yet."

# The process the Tokyo article places the summit in. The article names it only “the peace
# process” (“offering stronger regional ownership of the peace process”; “Seoul is also keen
# on internationalizing the peace process”): the name is the tracker's own, and so marked.
# Neither text places the defence agreement in it (the Indonesia article calls it an
# alliance), so the agreement stays out.
PROCESSES = [
    {
        "slug": "korean-peace-process",
        "name": "Korean peace process",
        "evidence": "inferred",
        "description": "The diplomacy between North and South Korea and the regional powers "
        "that the Tokyo article calls “the peace process”: the Tokyo summit is “designed to "
        "revitalize stalled diplomacy while engaging major regional actors”, with “stronger "
        "regional ownership of the peace process”.",
        "note": "The source says “the peace process”, without a name; “Korean peace process” "
        "is the tracker’s own description.",
        "sources": ["tokyo"],
        "summits": ["tokyo-summit-2025"],
    },
]

TOKYO_SUMMIT = {
    "slug": "tokyo-summit-2025",
    "name": "Tokyo summit on the Korean Peninsula",
    "kind": "summit",
    "status": "held",
    "start_date": TOKYO_DATE,
    "start_date_precision": DatePrecision.APPROXIMATE,
    "date_note": "The source gives no date for the summit. It reports it as under way, "
    "with outcomes already reported, in an article the page does not date; its neighbouring "
    "links are dated 6 June 2025.",
    "city": "Tokyo",
    "country": "japan",
    "host": "japan",
    "venue_note": "Held at Japan’s initiative in a neutral third-party venue, under tight "
    "security and global scrutiny.",
    "summary": "North and South Korea meet in Tokyo, joined by key regional leaders, after "
    "years of mounting tensions and diplomatic stalemates, against a backdrop of nuclear "
    "threats, economic sanctions, humanitarian concerns and shifting alliances. Held at "
    "Japan’s initiative, the summit aims to thaw relations on the Korean Peninsula and lay "
    "the groundwork for a more stable and peaceful Northeast Asia, with stronger regional "
    "ownership of the peace process than previous U.S.-North Korea summits. No final treaty "
    "or breakthrough was expected from this initial round; five modest outcomes were "
    "reported, among them a follow-up summit in Seoul within six months.",
    "sources": ["tokyo"],
    "objectives": [
        "Reducing military tensions on the Korean Peninsula.",
        "Reestablishing communication channels between the North and South.",
        "Paving the way for family reunifications and humanitarian aid.",
        "Discussing denuclearization frameworks within a multilateral context.",
        "Exploring economic cooperation projects and easing cross-border restrictions.",
        "Integrating regional players into a long-term peace roadmap.",
    ],
    "participations": [
        {
            "actor": "japan",
            "role": "host",
            "delegation_head": "fumio-kishida",
            "delegation_head_title": "Prime Minister",
            "note": "Hosted at Japan’s initiative. " + _ENVOYS + ".",
        },
        {
            "actor": "north-korea",
            "role": "party",
            "delegation_head": "choe-son-hui",
            "delegation_head_title": "Vice Foreign Minister",
            "note": "Its first multilateral engagement in over five years.",
        },
        {
            "actor": "south-korea",
            "role": "party",
            "note": "“South Korean diplomats arrived in Tokyo”; the source does not name who "
            "led the delegation.",
        },
        {"actor": "united-states", "role": "envoy", "note": _ENVOYS + _HIGH_LEVEL_ENVOYS},
        {"actor": "china", "role": "envoy", "note": _ENVOYS + _HIGH_LEVEL_ENVOYS},
        {
            "actor": "russia",
            "role": "envoy",
            "note": _ENVOYS + ". The source reports no Russian proposals or positions.",
        },
    ],
    # Order counts within each (actor, kind); "ref" only names a proposal for the
    # stances and origins below and is not stored.
    "proposals": [
        # South Korea: "South Korean diplomats arrived in Tokyo with several proposals"
        {
            "ref": "sk-hotlines",
            "actor": "south-korea",
            "kind": "proposal",
            "theme": "communication",
            "title": "Military hotlines",
            "text": "Reinstating military hotlines to prevent accidental clashes.",
        },
        {
            "ref": "sk-humanitarian",
            "actor": "south-korea",
            "kind": "proposal",
            "theme": "humanitarian",
            "title": "Humanitarian assistance for goodwill gestures",
            "text": "Offering humanitarian assistance in exchange for goodwill gestures.",
        },
        {
            "ref": "sk-economic",
            "actor": "south-korea",
            "kind": "proposal",
            "theme": "economic",
            "title": "Phased economic collaboration",
            "text": "Proposing phased economic collaboration, particularly in agriculture and "
            "public health.",
        },
        {
            "ref": "sk-cultural",
            "actor": "south-korea",
            "kind": "proposal",
            "theme": "cultural",
            "title": "Cultural and educational exchanges",
            "text": "Opening cultural and educational exchanges to rebuild trust at the "
            "grassroots level.",
        },
        {
            "actor": "south-korea",
            "kind": "position",
            "theme": "regional_architecture",
            "title": "Internationalising the peace process",
            "text": "Seoul is keen on internationalizing the peace process, seeking more "
            "structured involvement from Beijing and Moscow to counterbalance U.S. influence.",
        },
        # North Korea: "Instead, Pyongyang seeks:"
        {
            "ref": "nk-sanctions-relief",
            "actor": "north-korea",
            "kind": "demand",
            "theme": "economic",
            "title": "Sanctions relief",
            "text": "Sanctions relief, particularly in the energy and food sectors.",
        },
        {
            "actor": "north-korea",
            "kind": "demand",
            "theme": "security",
            "title": "Security guarantees",
            "text": "Security guarantees, including non-aggression pacts.",
        },
        {
            "ref": "nk-nuclear-state",
            "actor": "north-korea",
            "kind": "demand",
            "theme": "denuclearisation",
            "title": "Recognition as a sovereign nuclear state",
            "text": "Recognition as a sovereign nuclear state.",
        },
        {
            "actor": "north-korea",
            "kind": "demand",
            "theme": "diplomatic",
            "title": "Gradual normalization of diplomatic relations",
            "text": "Gradual normalization of diplomatic relations, especially with Tokyo and "
            "Washington.",
        },
        {
            "actor": "north-korea",
            "kind": "position",
            "theme": "denuclearisation",
            "title": "Denuclearization not on the table unconditionally",
            "text": "Kim Jong-un’s government has made it clear that denuclearization is not "
            "on the table unconditionally; the regime appears willing to explore limited "
            "engagement without relinquishing its nuclear deterrent.",
        },
        # Japan: standing demands, then "Prime Minister Fumio Kishida has used the summit to:"
        {
            "actor": "japan",
            "addressed_to": "north-korea",
            "kind": "demand",
            "theme": "historical",
            "title": "Progress on the abduction issue",
            "text": "Standing demand: for years Tokyo has maintained a firm stance on North "
            "Korea, demanding progress on the abduction issue.",
        },
        {
            "actor": "japan",
            "addressed_to": "north-korea",
            "kind": "demand",
            "theme": "security",
            "title": "Missile threat reduction",
            "text": "Standing demand: for years Tokyo has maintained a firm stance on North "
            "Korea, demanding missile threat reduction.",
        },
        {
            "actor": "japan",
            "addressed_to": "north-korea",
            "kind": "demand",
            "theme": "human_rights",
            "title": "Human rights improvements",
            "text": "Standing demand: for years Tokyo has maintained a firm stance on North "
            "Korea, demanding human rights improvements.",
        },
        {
            "actor": "japan",
            "kind": "aim",
            "theme": "denuclearisation",
            "title": "Commitment to peace and non-proliferation",
            "text": "Reaffirm Japan’s commitment to peace and non-proliferation.",
        },
        {
            "actor": "japan",
            "kind": "aim",
            "theme": "diplomatic",
            "title": "Support inter-Korean dialogue",
            "text": "Support inter-Korean dialogue through confidence-building measures.",
        },
        {
            "actor": "japan",
            "kind": "aim",
            "theme": "regional_architecture",
            "title": "Japan as mediator and strategic partner",
            "text": "Enhance Japan’s regional stature as a mediator and strategic partner.",
        },
        {
            "actor": "japan",
            "kind": "aim",
            "theme": "historical",
            "title": "Talks on unresolved issues",
            "text": "Advance talks on unresolved issues, such as compensation for wartime "
            "forced labor and the fate of Japanese abductees.",
        },
        {
            "ref": "japan-peace-forum",
            "actor": "japan",
            "kind": "proposal",
            "theme": "regional_architecture",
            "title": "Northeast Asia Peace Forum",
            "text": "Japan proposed the creation of a Northeast Asia Peace Forum, an ongoing "
            "diplomatic track involving all parties, modeled after the ASEAN Regional Forum.",
        },
        # The United States
        {
            "ref": "us-cvid",
            "actor": "united-states",
            "kind": "position",
            "theme": "denuclearisation",
            "title": "Complete, verifiable and irreversible denuclearization",
            "text": "Supports denuclearization through a “complete, verifiable, and "
            "irreversible” disarmament framework.",
        },
        {
            "actor": "united-states",
            "kind": "position",
            "theme": "security",
            "title": "Alliances and selective engagement",
            "text": "Seeks to maintain military alliances with South Korea and Japan, while "
            "offering selective engagement with North Korea.",
        },
        {
            "actor": "united-states",
            "kind": "position",
            "theme": "human_rights",
            "title": "Human rights and cyber security reforms",
            "text": "Advocates for human rights and cyber security reforms in North Korea.",
        },
        {
            "actor": "united-states",
            "kind": "position",
            "theme": "security",
            "title": "Trilateral cooperation",
            "text": "Backs trilateral cooperation (U.S.-Japan-South Korea) to contain North "
            "Korea’s provocations.",
        },
        # China
        {
            "actor": "china",
            "kind": "position",
            "theme": "security",
            "title": "Regional stability, no collapse of the North Korean regime",
            "text": "Prioritizes regional stability and opposes any collapse of the North "
            "Korean regime.",
        },
        {
            "ref": "china-sanctions-relief",
            "actor": "china",
            "kind": "position",
            "theme": "economic",
            "title": "Sanctions relief as a step toward dialogue",
            "text": "Calls for sanctions relief as a step toward dialogue.",
        },
        {
            "actor": "china",
            "kind": "position",
            "theme": "security",
            "title": "Dual suspension",
            "text": "Promotes a “dual suspension” approach: North Korea halts missile tests, "
            "the U.S. and South Korea suspend military drills.",
        },
        {
            "actor": "china",
            "kind": "position",
            "theme": "economic",
            "title": "Economic integration and the Belt and Road Initiative",
            "text": "Envisions economic integration and eventual alignment with its Belt and "
            "Road Initiative (BRI).",
        },
    ],
    "stances": [
        {
            "proposal": "nk-sanctions-relief",
            "actor": "china",
            "stance": "support",
            "evidence": "inferred",
            "note": "China “calls for sanctions relief as a step toward dialogue”; the source "
            "does not link this to North Korea’s demand in as many words.",
        },
        {
            "proposal": "nk-nuclear-state",
            "actor": "united-states",
            "stance": "oppose",
            "evidence": "inferred",
            "note": "The United States supports a “complete, verifiable, and irreversible” "
            "disarmament framework; the source does not report its answer to this demand.",
        },
    ],
    "outcomes": [
        {
            "slug": "tokyo-2025-inter-korean-hotlines",
            "order": 1,
            "title": "Resumption of inter-Korean hotlines",
            "type": "communication_channel",
            "description": "Both sides agreed to reestablish military and diplomatic "
            "communication lines, crucial for preventing escalations.",
            "parties": [
                {"actor": "north-korea", "role": "responsible"},
                {"actor": "south-korea", "role": "responsible"},
            ],
            "origins": [
                {
                    "proposal": "sk-hotlines",
                    "evidence": "inferred",
                    "note": "South Korea proposed reinstating military hotlines; the source "
                    "does not say the agreement came from that proposal.",
                }
            ],
        },
        {
            "slug": "tokyo-2025-humanitarian-cooperation-framework",
            "order": 2,
            "title": "Humanitarian cooperation framework",
            "type": "humanitarian_framework",
            "description": "A multilateral agreement was reached to facilitate food and "
            "medical aid deliveries to North Korea through neutral third parties. The source "
            "names neither the parties to the agreement nor the neutral third parties.",
            "parties": [
                {
                    "actor": "north-korea",
                    "role": "beneficiary",
                    "note": "Aid is to be delivered “through neutral third parties”, whom the "
                    "source does not name.",
                },
            ],
            "origins": [
                {
                    "proposal": "sk-humanitarian",
                    "evidence": "inferred",
                    "note": "South Korea offered humanitarian assistance in exchange for "
                    "goodwill gestures; the source does not link the framework to it.",
                }
            ],
        },
        {
            "slug": "tokyo-2025-continue-talks",
            "order": 3,
            "title": "Agreement to continue talks",
            "type": "follow_up_talks",
            "description": "A follow-up summit is planned in Seoul within six months, with "
            "working groups on denuclearization, economic cooperation, and cultural exchange.",
            "due_within": 6,
            "due_within_unit": "months",
            "deadline_text": "within six months",
            "parties": [
                {
                    "actor": "north-korea",
                    "role": "responsible",
                    "evidence": "inferred",
                    "note": "The source does not say who agreed; it calls the summit one "
                    "“between North and South Korea, facilitated by regional powers”.",
                },
                {
                    "actor": "south-korea",
                    "role": "responsible",
                    "evidence": "inferred",
                    "note": "The source does not say who agreed; it calls the summit one "
                    "“between North and South Korea, facilitated by regional powers”.",
                },
            ],
            "follow_ups": [
                {
                    "kind": "summit",
                    "title": "Follow-up summit in Seoul",
                    "location": "Seoul",
                    "status": "scheduled",
                    "due_within": 6,
                    "due_within_unit": "months",
                    "deadline_text": "within six months",
                    "note": "“A follow-up summit is planned in Seoul within six months.” The "
                    "source gives no date or host.",
                }
            ],
            "children": [
                {
                    "slug": "tokyo-2025-working-group-denuclearization",
                    "order": 1,
                    "title": "Working group on denuclearization",
                    "type": "follow_up_talks",
                    "description": "One of the working groups that accompany the follow-up "
                    "summit planned in Seoul. The source says nothing more about it.",
                },
                {
                    "slug": "tokyo-2025-working-group-economic-cooperation",
                    "order": 2,
                    "title": "Working group on economic cooperation",
                    "type": "follow_up_talks",
                    "description": "One of the working groups that accompany the follow-up "
                    "summit planned in Seoul. The source says nothing more about it.",
                    "origins": [
                        {
                            "proposal": "sk-economic",
                            "evidence": "inferred",
                            "note": "Same subject as South Korea’s proposal of phased "
                            "economic collaboration; the source does not link them.",
                        }
                    ],
                },
                {
                    "slug": "tokyo-2025-working-group-cultural-exchange",
                    "order": 3,
                    "title": "Working group on cultural exchange",
                    "type": "follow_up_talks",
                    "description": "One of the working groups that accompany the follow-up "
                    "summit planned in Seoul. The source says nothing more about it.",
                    "origins": [
                        {
                            "proposal": "sk-cultural",
                            "evidence": "inferred",
                            "note": "Same subject as South Korea’s proposal of cultural and "
                            "educational exchanges; the source does not link them.",
                        }
                    ],
                },
            ],
        },
        {
            "slug": "tokyo-2025-northeast-asia-peace-forum",
            "order": 4,
            "title": "Regional stability mechanism: a Northeast Asia Peace Forum",
            "type": "institution",
            "description": "Japan proposed the creation of a Northeast Asia Peace Forum, an "
            "ongoing diplomatic track involving all parties, modeled after the ASEAN Regional "
            "Forum.",
            "parties": [
                {"actor": actor, "role": "responsible", "note": "“involving all parties”"}
                for actor in (
                    "japan",
                    "north-korea",
                    "south-korea",
                    "united-states",
                    "china",
                    "russia",
                )
            ],
            "origins": [
                {
                    "proposal": "japan-peace-forum",
                    "evidence": "stated",
                    "note": "“Japan proposed the creation of a Northeast Asia Peace Forum.”",
                }
            ],
        },
        {
            "slug": "tokyo-2025-family-reunification-pilot",
            "order": 5,
            "title": "Symbolic family reunification program",
            "type": "people_to_people",
            "description": "A pilot project was agreed upon to reunite a limited number of "
            "divided Korean families under Red Cross supervision.",
            "parties": [
                {"actor": "north-korea", "role": "responsible"},
                {"actor": "south-korea", "role": "responsible"},
                {
                    "actor": "red-cross",
                    "role": "supervisor",
                    "note": "“under Red Cross supervision”; the source does not say which "
                    "Red Cross body.",
                },
            ],
        },
    ],
    "reactions": [
        {
            "actor": "south-korean-media",
            "tone": "positive",
            "summary": "Media outlets in South Korea praised the government for breaking the "
            "impasse and reviving diplomacy.",
        },
        {
            "actor": "north-korean-state-media",
            "tone": "restrained",
            "summary": "Though restrained, acknowledged the summit as a step toward dialogue.",
            "quote": "step toward dialogue with respect",
        },
        {
            "actor": "japanese-public-opinion",
            "tone": "cautious",
            "summary": "Remains cautious, particularly regarding the abduction issue.",
        },
        {
            "actor": "analysts-in-china",
            "tone": "positive",
            "summary": "Noted the symbolic value of multilateral cooperation in an otherwise "
            "tense geopolitical environment.",
        },
        {
            "actor": "analysts-in-the-united-states",
            "tone": "positive",
            "summary": "Noted the symbolic value of multilateral cooperation in an otherwise "
            "tense geopolitical environment.",
        },
        {
            "actor": "united-nations",
            "tone": "welcoming",
            "summary": "Welcomed the summit as a constructive step toward sustainable peace.",
        },
        {
            "actor": "european-union",
            "tone": "welcoming",
            "summary": "Welcomed the summit as a constructive step toward sustainable peace.",
        },
    ],
    "challenges": [
        (
            "Verification and compliance",
            "Verification and compliance mechanisms for any future disarmament.",
        ),
        (
            "Mistrust between the Koreas",
            "Mistrust between the Koreas, amplified by decades of propaganda and ideological "
            "division.",
        ),
        (
            "Domestic political shifts",
            "Domestic political shifts that could derail diplomacy, especially with upcoming "
            "elections.",
        ),
        (
            "External pressures",
            "External pressures, such as the U.S.-China rivalry and Russia’s uncertain role "
            "amid its Ukraine conflict.",
        ),
        (
            "Lack of enforceable guarantees",
            "Lack of enforceable guarantees, which has derailed previous agreements.",
        ),
    ],
    # The summary of every outcome's first status update, and its date.
    "initial_status": {
        "effective_date": TOKYO_DATE,
        "effective_date_precision": DatePrecision.APPROXIMATE,
        "summary": _TOKYO_NOT_STARTED,
    },
}

# ---------------------------------------------------------------------------------------
# The Russia–North Korea defense agreement (source: indonesia)
# ---------------------------------------------------------------------------------------

DEFENSE_AGREEMENT = {
    "slug": "russia-north-korea-defense-agreement",
    "name": "Russia–North Korea defense agreement",
    "kind": "treaty_signing",
    "status": "held",
    "start_date": None,
    "start_date_precision": DatePrecision.UNKNOWN,
    "date_note": "The source says only that it was signed recently; it gives no date or place.",
    "summary": "Russia and North Korea recently signed a defense agreement, a major "
    "development in regional geopolitics. It aims to strengthen military cooperation, "
    "including potential transfers of military weapons and technology from Russia to North "
    "Korea and increased joint military exercises. The strategic partnership is seen as a "
    "counterbalance to the influence of the United States and its allies in the region; "
    "together with Russia’s economic and humanitarian aid to North Korea it is likely to "
    "increase tensions on the Korean Peninsula.",
    "sources": ["indonesia"],
    "participations": [
        {"actor": "russia", "role": "party"},
        {"actor": "north-korea", "role": "party"},
    ],
    "outcomes": [
        {
            "slug": "russia-north-korea-weapons-technology-transfers",
            "order": 1,
            "title": "Potential transfers of military weapons and technology",
            "type": "security_cooperation",
            "description": "The agreement aims to strengthen military cooperation, including "
            "potential transfers of military weapons and technology from Russia to North "
            "Korea. The source calls the transfers “potential”.",
            "parties": [
                {"actor": "russia", "role": "responsible"},
                {"actor": "north-korea", "role": "beneficiary"},
            ],
        },
        {
            "slug": "russia-north-korea-joint-military-exercises",
            "order": 2,
            "title": "Increased joint military exercises",
            "type": "security_cooperation",
            "description": "The agreement aims to strengthen military cooperation, including "
            "increased joint military exercises.",
            "parties": [
                {"actor": "russia", "role": "responsible"},
                {"actor": "north-korea", "role": "responsible"},
            ],
        },
        {
            "slug": "russia-north-korea-economic-humanitarian-aid",
            "order": 3,
            "title": "Economic and humanitarian aid from Russia to North Korea",
            "type": "humanitarian_framework",
            "description": "“Russia’s provision of economic and humanitarian aid to North "
            "Korea will strengthen this alliance.” The source names the aid alongside the "
            "agreement without saying in as many words that it is one of its provisions.",
            "parties": [
                {"actor": "russia", "role": "responsible"},
                {"actor": "north-korea", "role": "beneficiary"},
            ],
        },
    ],
    # The source is undated: the first update takes the day the tracker records it,
    # "on or before", and keeps that day on later loads.
    "initial_status": {
        "effective_date": None,
        "effective_date_precision": DatePrecision.ON_OR_BEFORE,
        "summary": "Agreed in the defense agreement; the source reports no implementation "
        "yet. The source is undated, so the date is the day the tracker first recorded this "
        "status, which held on or before it.",
    },
}

SUMMITS = [TOKYO_SUMMIT, DEFENSE_AGREEMENT]

# ---------------------------------------------------------------------------------------
# The Indonesia article's recommendations: unsigned, so addressed to Indonesia, made by no one
# ---------------------------------------------------------------------------------------

RECOMMENDATIONS = [
    {
        "theme": "diplomatic",
        "title": "Strengthen diplomatic engagement",
        "text": "Indonesia should intensify its diplomatic efforts with both North and South "
        "Korea. By leveraging its good relations with Russia and China, Indonesia can foster "
        "meaningful dialogue and negotiations between all parties involved.",
    },
    {
        "theme": "economic",
        "title": "Promote economic cooperation",
        "text": "Indonesia should establish and maintain economic cooperation with both North "
        "and South Korea. By focusing on mutually beneficial projects that foster "
        "interdependence and curb conflict, Indonesia can play a vital role in promoting "
        "lasting peace and stability.",
    },
    {
        "theme": "peacekeeping",
        "title": "Support peacekeeping operations",
        "text": "Indonesia should actively participate in UN-led peacekeeping and conflict "
        "resolution activities. Indonesia can make a significant impact by providing its rich "
        "experience and credibility to international peacebuilding efforts.",
    },
    {
        "theme": "humanitarian",
        "title": "Provide humanitarian assistance",
        "text": "Indonesia should continue to provide humanitarian assistance to North Korea "
        "while exploring opportunities to expand. Providing this assistance will not only "
        "reduce social and economic pressure but also help to weaken the North Korean "
        "regime’s aggressive tendencies.",
    },
]

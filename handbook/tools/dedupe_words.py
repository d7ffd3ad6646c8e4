"""The word lists of the duplicate check (handbook/tools/dedupe.py).

- FUNCTION_WORDS: the words of a sentence's skeleton, not its content;
- SYNONYMS and PHRASES: what a rewrite swaps for each other, merged;
- TOPIC and GENERIC: words that say nothing of an idea, in this handbook.
"""

FUNCTION_WORDS = frozenset("""
a an the this that these those such what which who whom whose whatever
i me my mine myself we us our ours ourselves you your yours yourself
yourselves he him his himself she her hers herself it its itself they them
their theirs themselves one ones someone anyone everyone no-one nobody
something anything everything nothing
be am is are was were been being have has had having do does did doing
can could may might must shall should will would ought
not no nor and or but if then else than so yet also too as because since
while whilst when whenever where wherever why how though although unless
until till whether either neither both each every all any some few more
most less least much many several other another own same just only very
even still already again ever never always often here there now
of in on at to for from by with without within into onto about above
below over under between among amongst through throughout during before
after against across along around beyond upon off out up down via per
""".split())

# Words a rewrite swaps for each other, one group a line; the first is kept.
SYNONYMS = """
people individuals folk
help aid assist assistance
give provide supply offer deliver
get obtain acquire gain receive
show demonstrate display
similar comparable alike
important essential crucial vital key critical significant major
find locate discover
often frequently typically
group team circle
community neighbourhood neighborhood
feeling sense sensation
safe secure
improve enhance boost
reduce decrease lower lessen minimise minimize
valuable beneficial practical handy
benefit advantage
talk speak chat discuss converse
allow permit enable let
connection link relationship bond tie
friend friendship pal buddy
start begin commence
choose pick select
need require
try attempt
keep maintain retain
ensure guarantee
problem issue difficulty trouble
advice guidance recommendation suggestion tip pointer idea
answer response reply solution
question query inquiry enquiry
way method approach technique strategy
recovery healing recuperation
illness disease disorder condition
mental psychological
health wellbeing
isolation loneliness seclusion
worry fear anxiety concern
confidentiality privacy discretion secrecy
member participant attendee
meeting session gathering
immediately promptly instantly
hard difficult challenging tough
easy simple straightforward
change alter modify transform
build construct create develop establish
grow expand extend
encourage motivate inspire urge
think believe consider reckon
say claim
stay remain
rule guideline regulation
place environment space room atmosphere
right correct appropriate suitable proper
chance opportunity
trained skilled qualified
phone call ring
handle manage cope deal
overcome conquer defeat
tool device instrument
result outcome effect consequence impact
ability capability capacity
aspect facet element feature factor
complex complicated
attitude mindset perspective outlook view
wide broad
range variety array
replace substitute
add extra addition complement supplement alongside
care treatment therapy
professional doctor clinician therapist nurse counsellor
story testimonial anecdote
measure assess evaluate
time month year
"""
# The handbook's topic: words nearly every page uses, which say nothing of an idea.
TOPIC = frozenset("peer support group member people mental health wellbeing".split())
# Words any instruction or statement uses, which carry no idea of their own.
GENERIC = frozenset("""
handbook page say see get make take look read run go come use know tell thing way
""".split())
# Phrases a rewrite swaps for one word, or for each other.
PHRASES = {
    "one another": "each other", "as well as": "and", "along with": "and",
    "in addition to": "and", "on top of": "add",
    "take its place": "replace", "takes its place": "replace", "taking its place": "replace",
    "take the place of": "replace", "takes the place of": "replace",
    "in place of": "replace", "instead of": "replace", "make sure": "ensure", "make certain": "ensure",
    "straight away": "immediately", "right away": "immediately", "at once": "immediately",
    "take care of": "handle", "deal with": "handle", "get over": "overcome",
    "get rid of": "overcome", "get in touch with": "contact", "a lot of": "many",
    "lots of": "many", "every person": "everyone", "everybody": "everyone",
    "somebody": "someone", "additionally": "also", "likewise": "also",
}

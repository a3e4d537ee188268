"""The indicators: what a message shows of each grooming stage, and of who is speaking, read from its
normalised text (``normalise.py``). Each indicator is a named pattern with the words that fire it, so that
every flag can say why.

The stages follow O'Connell's model and Lorenzo-Dus's luring communication: friendship forming, probing for
personal details, risk assessment, exclusivity and secrecy (with isolation from family and friends),
gifts, moving to another app, requests for images, the sexual stage (only ever a placeholder line such as
``[explicit message withheld]``), arranging to meet, and, in sextortion, a demand backed by a threat.
Detection rests on these behavioural signs alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# How much each stage says about the one who shows it (the score's weights), strongest last.
STAGE_WEIGHTS: dict[str, float] = {
    "friendship": 1.0,
    "personal_info": 1.0,
    "platform_move": 1.5,
    "gifts": 2.0,
    "image_request": 2.5,
    "meeting": 2.5,
    "risk_assessment": 3.0,
    "exclusivity": 3.0,
    "sexual": 4.0,
    "sextortion": 6.0,
}
# The stages that, two together, mark a conversation out from ordinary chat.
STRONG = frozenset({"risk_assessment", "exclusivity", "gifts", "image_request", "sexual", "sextortion",
                    "meeting", "platform_move"})  # fmt: skip

_FAMILY = r"(parents|mum or dad|mum and dad|mum|mam|dad|family|friends|mates|brother|sister|teacher|carer|foster carer|nan|gran)"
_APPS = (
    r"(snapchat|instagram|whatsapp|telegram|kik|discord|wickr|signal|facebook|messenger|skype|tiktok|viber)"
)
_IMAGE = r"(photo|photos|selfie|selfies|video|videos|picture|snap|snaps)"
_GIFT = r"(phone|iphone|present|presents|gift|gifts|money|clothes|robux|vbucks|skins|game|games|gift card|" \
    r"top up|credit|makeup|trainers|anything you want|whatever you want|vouchers?|headset|headphones|phone case|" \
    r"present|treat|airpods|skin|outfit|£ ?[0-9]+)"  # fmt: skip
_MONEY = r"((£|\$|€) ?[0-9]+|[0-9]+ ?(pounds|quid|dollars|bucks|euro|euros|k)|money|cash|bitcoin|btc|crypto|gift ?cards?|" \
    r"amazon cards?|itunes cards?|steam cards?|google play cards?|vouchers?|paypal|bank transfer|cash ?app|revolut)"  # fmt: skip
_SPREAD = r"(send|share|post|show|leak|upload|spread|forward)"

PATTERNS: dict[str, list[tuple[str, str]]] = {
    "friendship": [
        (
            "older",
            r"\byou (seem|look|act|sound|talk|write|type) (like someone |like you are )?(way |much |so |a lot )?older\b|\bdifferent from (other )?"
            r"(people|girls|boys|kids) your age\b|\byou could be a model\b",
        ),
        (
            "flattery",
            r"\b(you (are|seem|look)|your|you're) (so |really |very |such an? |just |the most |way |much |more "
            r"|so much )*(mature|beautiful|pretty|funny|talented|"
            r"gorgeous|cute|special|amazing|perfect|smart|clever|stunning|grown up|lovely)\b",
        ),
        (
            "mature",
            r"\b(mature|grown up|older) (for|4) your age\b|\b(more )?(mature|grown up) than (the )?(other )?"
            r"(kids|girls|boys|people) (in your (class|year|school)|your age)\b",
        ),
        (
            "best",
            r"\b(the )?(prettiest|cutest|most beautiful|best looking|most talented) (girl|boy|one|person)\b",
        ),
        ("famous", r"\byou could be (famous|a star|a model)\b|\bbetter than (mine|me|anyone)\b"),
        (
            "attachment",
            r"\b(i really like you|i like you (so much|a lot)|i love talking to you|i (always )?think "
            r"about you|you mean (so much|everything|a lot) to me|i have never met anyone like you|"
            r"i (really )?care about you|i miss you|you are my (favourite|best friend|everything))\b",
        ),
        ("trust", r"\byou can (trust|tell) me\b"),
        (
            "kinship",
            r"\b(we have so much in common|we are so alike|you (really )?get me|i (really )?get you|"
            r"i understand you)\b",
        ),
    ],
    "personal_info": [
        (
            "age_short",
            r"^(your |ur )?age$|\bare you (still )?(at|in) (school|primary|secondary|high school)\b",
        ),
        (
            "age",
            r"\b(how old|what age are you|what is your age|asl|are you (over|under) [0-9]+|what year were "
            r"you born)\b",
        ),
        (
            "school",
            r"\b(what|which) (year|grade|school|class) are you (in|at)\b|\bwhat school do you go to\b|"
            r"\bwhich school\b",
        ),
        ("location", r"\b(where do you live|what area are you (in|from)|where abouts are you|what town)\b"),
        ("relationship", r"\b(do you have|have you (ever )?had|have you got) a (boyfriend|girlfriend)\b"),
    ],
    "risk_assessment": [
        (
            "where_adults",
            rf"\bwhere (are|is) your {_FAMILY}\b|\bcan your {_FAMILY} see (this|our chat|your messages|your "
            r"screen|us)\b|\bare you in your (room|bedroom)\b",
        ),
        (
            "vanish",
            r"\b(disappearing messages|vanish mode|secret chat|private mode|incognito)\b",
        ),
        (
            "device",
            r"\bwho (else )?(uses|has|checks|sees|can see) your (tablet|ipad|switch|xbox)\b",
        ),
        (
            "adults_around",
            rf"\b(are|is) your {_FAMILY} (home|in|around|there|awake|asleep|out|at work|"
            r"nearby|about|in bed|downstairs)\b|\b(is|are) (she|he|they) (in|home|out|around|about|back|asleep|"
            rf"at work)( tonight| right now| now| yet)?$|\b(when|what time) (do|does|will) your {_FAMILY} (get back|get "
            r"home|come home|go out|leave|go to bed|go to sleep)\b",
        ),
        ("alone", r"\b(are you|you) (alone|on your own|by yourself|home alone)\b"),
        (
            "anyone_there",
            r"\b(is )?(anyone|anybody|someone) (else )?(is )?(with you|around|there|home|in the room|in|"
            r"watching|about)\b",
        ),
        (
            "phone_checked",
            rf"\b(do|does|will|would) your {_FAMILY} (check|look at|read|see|go through|know "
            r"about|find) (your |this |our )?(phone|messages|chats?|texts|laptop|computer|this|us)",
        ),
        (
            "who_uses",
            rf"\b(who|does anyone|does anybody|do your {_FAMILY}) (else )?(uses|has|checks|sees|can see|see|check|use)"
            r" your (phone|laptop|computer|account|messages|ipad|tablet)\b",
        ),
        (
            "delete",
            r"\b(delete|clear|wipe|erase|get rid of) (our|these|this|the|your|all the|all our|all "
            r"these)? ?(chat|chats|messages|message|texts|history|conversation|photos|photo)\b",
        ),
        ("door", r"\b(is your door (locked|shut|closed)|lock your door)\b"),
    ],
    "exclusivity": [
        (
            "say_nothing",
            rf"\b(do not|never) (mention|say anything to|say to) (me |us |this )?(to )?(anyone|your {_FAMILY})"
            r"|\b(you can not|you must not|you cannot) tell\b|\bif anyone asks\b|\b(would|will) not understand"
            r" (us|this|what we have)\b|\bkeep us (private|secret)\b",
        ),
        (
            "no_one_else",
            r"\bno one (cares about|gets|understands|loves) you like i do\b|\byour (parents|mum|dad|family|"
            r"friends) (just )?(do not|never) (get|understand) you\b",
        ),
        (
            "secret",
            r"\b(our|a|my) (little |special |own )?secret\b|\bkeep (a |this |it |our )?secret\b|"
            r"\bkeep asecret\b|\bkeep (our|these|the|this|your) (chats?|messages|texts|talks?|conversations?|"
            r"friendship) (a )?secret\b",
        ),
        (
            "do_not_tell",
            rf"\b(do not|never|dont) (tell|mention|show) (this to )?(anyone|anybody|no one|"
            rf"your {_FAMILY}|them)\b",
        ),
        (
            "between_us",
            r"\b(keep|keeps|keeping) (this|it|us|that|what we) (between us|secret|to yourself|"
            r"quiet|private|just us)\b|\b(just|only|stays?) between (us|you and me|me and you)\b",
        ),
        (
            "age_gap",
            r"\bage (is|is just|is only) (a|just a) number\b|\b(older|age) (but|so) (we|it) .*(does not|do not) matter\b",
        ),
        (
            "no_one_knows",
            r"\b(no one|nobody|they) (needs to|has to|else needs to|should|would|will|must) "
            r"(ever )?(know|find out)\b",
        ),
        (
            "not_understand",
            rf"\b(they|people|she|he|your {_FAMILY}) (would|will|would not|will not|do not|does not|"
            r"never) (not )?(understand|get it|get us)\b",
        ),
        ("trouble", r"\b(you|we) (will|would|could) get (in|into) trouble\b"),
        (
            "only_me",
            r"\b(i am|im) the only one (who|that) (really )?(understands|gets|cares about|knows|"
            r"listens to) you\b|\bonly (i|me) (really )?(understand|care about|get) you\b|\b(understand|"
            r"get|know|care about) you (better than anyone|like i do|like no one else)\b",
        ),
        (
            "turn_away",
            rf"\b(your {_FAMILY} (do not|never|does not) (understand|get|care about|listen to) you|"
            r"you do not need (them|her|him|your friends|anyone else)|your friends are (so )?(immature|"
            rf"childish|fake|jealous)|(they|your parents|your friends) do not deserve you)\b|\b(they|your {_FAMILY}) "
            r"(sound like they |seem to )?(do not|does not|never) (really |even )?(care about|appreciate|listen to|"
            r"deserve) you\b|\byou (have got|have|got) me now\b|\bi am all you need\b|\byour (friends|mates) (sound|are|seem) "
            r"(so )?(jealous|fake)\b|\byou have (always )?got me\b",
        ),
    ],
    "gifts": [
        (
            "get_you",
            r"\bi (will|can|could) (get|buy|order|send|sort) you (one|some|loads|it)\b|\btop up your (phone|account|credit)\b|"
            r"\bi (sent|have sent|just sent) you (a |some )?(gift|gift card|money|robux|vbucks)\b",
        ),
        (
            "offer",
            rf"\bi (will|can|could|am going to|would) (buy|get|send|give|pay for|treat) (you|your) "
            rf"([a-z]+ ){{0,3}}{_GIFT}\b|\bi (will|can|could) (buy|get) you (a|an|that) new [a-z-]+",
        ),
        ("offer_money", r"\bi (will|can|could) (send|give|transfer) you (some )?(money|cash|£ ?[0-9]+)\b"),
        (
            "sort_you",
            rf"\b(i will|i can|i could|want me to|shall i|i am going to|let me) (sort|order|send|get|buy|treat) (you|"
            rf"your)( [a-z]+){{0,3}} {_GIFT}\b|\bput (£ ?[0-9]+|money|credit|some money) on your\b|\bi (got|have got|"
            rf"bought) you (a|an|some)( [a-z]+){{0,2}} {_GIFT}\b",
        ),
        ("free", r"\b(free|some|[0-9]+) (robux|vbucks|skins|gift cards?)\b.*\b(for you|if you)\b"),
    ],
    "platform_move": [
        (
            "go_to_app",
            rf"\b(move|switch|go|come|hop|jump|get) (over )?(to|on|onto) {_APPS}\b|\b(do you have|have you got|got) "
            rf"{_APPS}\b|\bmy {_APPS} (is|name is|username is|handle is)\b|\b(dm|message|text) me "
            rf"on {_APPS}\b|\b(what is|whats) your {_APPS}\b",
        ),
        ("add_me", rf"\badd me on {_APPS}\b"),
        (
            "your_handle",
            rf"\b(what is|give me|send me|can i (have|get)|tell me) your (number|phone number|"
            rf"mobile|{_APPS}|username|user name)\b",
        ),
        (
            "move",
            rf"\b(let us|we should|can we|shall we|why do not we|lets) (talk|chat|move|go|switch|carry "
            rf"on) (on|to|over to|over on) ({_APPS}|text|somewhere (more )?private|private)\b",
        ),
        ("my_number", r"\b(my number is|text me on|call me on|message me on)\b"),
        ("download", rf"\b(download|get|install) {_APPS}\b"),
    ],
    "image_request": [
        (
            "can_i_see",
            rf"\bcan i (see|have|get) (a |another |one more |some )?{_IMAGE} of (you|yourself)\b|\b(one|another) "
            rf"more {_IMAGE} of you\b",
        ),
        (
            "send_image",
            rf"\b(send|show|give|get|pop|snap|drop|share) (me )?(a |another |one more |some |more |a new |a quick |a "
            rf"cheeky |a little )?{_IMAGE} (of )?(just )?(you|yourself|your face|your body|you in|what (you are|your) "
            rf"wearing|your outfit)\b",
        ),
        (
            "send_more",
            rf"\b(send|show) (me )?(one|another|more|a {_IMAGE}) (of you|for me|now|please|just "
            r"for me|tonight)\b",
        ),
        (
            "uniform",
            rf"\b{_IMAGE} (of you )?(in|wearing) your (school )?(uniform|pyjamas|swimsuit|bedroom|"
            r"room)\b",
        ),
        ("selfie", r"\b(send|take) (me )?(a |another |one more |some )?selfies?\b"),
        (
            "camera",
            r"\b(turn|switch|put) (on )?your camera( on)?\b|\b(go|get|come) on (video|camera|"
            r"facetime)\b|\b(video call|facetime) me\b",
        ),
        (
            "show_me",
            r"\bshow me (what you look like|yourself|your face|your body|your room|your outfit|what (you are|your) "
            r"wearing)\b",
        ),
        (
            "take",
            rf"\btake (a|some|another) {_IMAGE}( [a-z]+){{0,4}} (of yourself|for me)\b|\b{_IMAGE} (just )?for me\b|"
            rf"\b(mirror ({_IMAGE})|{_IMAGE} in the mirror)\b",
        ),
        ("have_images", rf"\b(do you have|have you got|got) (any )?(more )?{_IMAGE} of (you|yourself)\b"),
        (
            "send_us",
            rf"\bsend (us|me) (a |another |one more )?{_IMAGE}\b|\bshow us your (face|body|outfit)\b|\b(stick|put|get|"
            r"turn) your (cam|camera) on\b|\b(hop|get|jump) on (video|camera|facetime)( so i can see you)?\b|\bneed "
            rf"(a few |some )?{_IMAGE} of you\b|\bwhat do you look like now\b|\blet me see what you look like\b",
        ),
        (
            "send_it",
            rf"\btake (a|another) {_IMAGE}( now| tonight)? and send (it|me)\b|\bsend (me )?one (from today|now|"
            r"tonight|of you)\b|\bwant to see you (properly|now|on camera)\b",
        ),
    ],
    "sexual": [
        (
            "withheld",
            r"\b(explicit|sexual|sexualised|sexualized|graphic|indecent)( [a-z]+){0,2} (withheld|"
            r"removed|redacted)\b",
        ),
    ],
    "meeting": [
        (
            "propose",
            r"\b(let us|we should|we could|can we|shall we|want to|do you want to|i want to|i would "
            r"love to|when can we|why do not we|we can|we will|i would like to) (finally )?(meet|meet up|"
            r"hang out|see each other|get together)\b",
        ),
        (
            "meet_at",
            r"\bmeet (me|you|up)( at| in| by| outside| near| after| on| tomorrow| tonight| this| "
            r"behind)\b",
        ),
        (
            "pick_up",
            r"\bi (will|can|could|am going to) ((come )?pick you up|come (and )?(get|see|pick up|collect) you|"
            r"come to your (house|school|place|town)|drive (to you|over|down)|wait for you)\b|\bi (will|can|could) "
            r"(drive you|give you a lift|take you there)\b",
        ),
        (
            "my_place",
            r"\b(come|get) (to|in|into|round to|over to) my (car|house|place|flat|hotel|room)\b|"
            r"\bcome (over|round) (to )?mine\b|\bcome (and )?see me\b|\bi will be in your (town|area|city|"
            r"village)\b|\b(photoshoot|photo shoot|shoot|session) (at|in) my (studio|house|place|flat)\b",
        ),
        (
            "cover_story",
            r"\b(tell|say to) (your )?(mum|mam|dad|parents|nan|gran)( [a-z]+){0,3} you are (at|staying at|sleeping at|"
            r"round|with) (a |your )?(friend|mate)",
        ),
        ("where", r"\bwhere (can|should|shall|could) we meet\b"),
        (
            "alone",
            r"\b(come|meet|see you|grab|wait|hang|hang out|link up)\b( [a-z0-9]+){0,8} (just us|just you and me|just "
            r"you and i|on your own|by "
            r"yourself|alone|do not bring anyone)\b",
        ),
        (
            "wait_near",
            r"\bi will wait (for you )?(in|at|outside|behind|by|near|round)\b|\b(swing|come|drive) by and pick you "
            r"up\b|\b(let us|we should|wanna|want to) (link up|hang out|hang at|chill at)\b|\b(let us|lets|we could|we can) meet "
            r"(at|in|by|outside|near|after)\b|\bi (can|will|could) (get|collect|grab) you (from|at|outside)\b|\bpassing through your (town|area|"
            r"city|village)\b|\b(we could|let us|we can|fancy|shall we) (grab|get) (a |some )?(milkshake|coffee|"
            r"drink|bite|food|burger|pizza|mcdonalds|ice cream)\b",
        ),
        (
            "come_to_you",
            r"\b(meet|meeting) up\b|\b(come|coming|going to come) (and )?(meet|see) you\b|\b(get|take|catch|jump on) "
            r"(the|a) (train|bus|taxi|uber) to (yours|you|your)\b|\bend of your (road|street)\b",
        ),
    ],
    "sextortion_demand": [
        (
            "demand",
            rf"\b(send|pay|give|transfer|wire|get|buy) (me )?(the |a |another )?{_MONEY}|\b(pay|send|transfer|wire|"
            rf"give|want|need|get me|buy me)\b( [a-z0-9£$]+){{0,6}} {_MONEY}\b|\b{_MONEY}( in {_MONEY})? or\b|"
            r"\bunless you pay\b|\bpay up\b|\bpay me or\b|\b(venmo|cash ?app|paypal|zelle) me\b|\b(£|\$) ?[0-9]+ (on|in) (a |an )?[a-z]+ ?(card|voucher)s? or\b|\b(pay|send|transfer) [0-9]+ (to|into) (this|my) (account|paypal|wallet)\b",
        ),
        (
            "deadline",
            r"\byou have [0-9]+ (hours|hour|minutes|mins|days)\b|\b(pay|send it) (now|today|tonight|"
            r"or else)\b|\byou have (till|until|untill|til) ([0-9]+|midnight|tonight|tomorrow|the morning)\b|"
            r"\b(the )?clock is ticking\b|\bclocks ticking\b|\byou (have |have got |got )(an|one|[0-9]+) (hour|hours|"
            r"minutes|mins|days) to (send|pay)\b|\btime is running out\b|\btick tock\b|\blast chance\b",
        ),
    ],
    "sextortion_threat": [
        (
            "spread",
            rf"\b(i will|i am going to|going to|ill) {_SPREAD} (them|your photos|the photos|your "
            rf"photo|the photo|the video|your video|your videos|it|everything|them all)\b",
        ),
        (
            "everyone_sees",
            rf"\b(everyone|your {_FAMILY}|your followers|the whole school|your school)( in your (class|school|year))? "
            r"((will|is going to|are going to) (see|know|get)|(sees|see|gets|get) (it|them|this|everything))\b",
        ),
        (
            "holding",
            rf"\b(i have|i got|i have got|i saved|i kept|i recorded|i screenshotted|i screenshot) (your|all your|the|"
            rf"our|all the) {_IMAGE}\b|\bi (saved|kept|have|screenshotted|recorded) (everything|all of it|it all)( "
            r"you sent)?\b|\bi (screenshotted|recorded|screen recorded|saved) (our|the) (video call|call|chat|stream)\b|"
            r"\b(screenshotted|screen recorded|recorded) (everything|all of it|it all)\b|\b(i have|i got|i have got) "
            r"(all )?your (friends list|followers list|contacts|followers)\b|\b(got|have|i have) a copy of (everything|all)"
            rf"( you sent)?\b|\bi recorded you( on (camera|video|call))?\b|\bgot your {_IMAGE} saved\b|\byour "
            rf"{_IMAGE} (is|are) saved\b|\blook what i (saved|recorded|kept)\b",
        ),
        (
            "or_else",
            rf"\bor (else )?(i will |i |i am going to )?{_SPREAD} (them|it|this|the|your|everything)\b|\bor (this|it|"
            r"they|everything) (goes|will go|go) (everywhere|online|public|viral|out|to (your )?(whole )?(school|class|"
            r"family|followers|contacts|friends|parents)|on (your|ur) (story|feed|page|profile|snap story))\b|"
            r"\bor (it is|its|they are|they will be|it will be) all over (your )?(school|class|socials|instagram|snapchat)\b|"
            r"\bor (it is|its) (getting|going to get) (posted|sent|shared|leaked)\b|\bor (it is|its) on every\b|\bor i tag "
            r"(your|all your)\b|\bor i (message|send|dm|post) (it|them) "
            r"to\b|"
            r"\bevery (follower|friend|contact) you (have|got|have got) (sees|will see|gets)\b|\bor (every one of |all of )?"
            r"(your|the) (followers|friends|family|school|mum|dad|parents|contacts) (see|sees|will see|gets?|get "
            r"them|will get)\b|\b(this|it|they|everything) (goes|will go) (everywhere|online|public|viral)\b",
        ),
        ("ruin", r"\b(ruin|destroy) your life\b|\byour life (will be|is) over\b"),
        (
            "unless",
            r"\bunless you (send|pay|give|transfer)\b.*\b(see|sees|post|share|send|get)\b|\bremember what you "
            r"sent( me)?\b",
        ),
    ],
    "self_harm": [
        (
            "self_harm",
            r"\b(kill|killing|hurt|hurting|cut|cutting|harm|harming) (myself|my self)\b|\b(want|going) to die\b|\b(end it|end it "
            r"all|end my life|take my (own )?life)\b|\bsuicid(e|al)\b|\b(do not|dont) want to "
            r"(be here|live|be alive) (anymore|any more)\b|\bbetter off (dead|without me)\b|\bno "
            r"reason to live\b|\bkms\b|\bi wish i (was|were) dead\b|\bi can not live with (this|it)\b|\bi am going to "
            r"jump( off)?\b|\bkill my ?self\b|\bend (everything|it all)\b|\b(want|going) to disappear( forever)?\b|\b(everyone|they) would be better (off )?"
            r"without me\b|\b(would|had) rather be dead\b|\bno point (in )?(being here|living|being alive|going "
            r"on)\b|\b(take|taking|swallow|swallowing) (all )?(the |my |them |these )?(tablets|pills)\b|\b(tablets|pills)"
            r"( [a-z]+){0,8} (take|swallow) them\b|\bi can not (do|take|cope with|handle) (this|it) (anymore|any more)\b",
        ),
    ],
}

# Who is speaking, about themselves.
_CHILD_AGE = re.compile(r"\bi am (only |just |nearly |almost )?(?P<age>[0-9]{1,2})( years old| and a half)?\b|"
                        r"^(?P<bare>[0-9]{1,2})( years old| nearly [0-9]{1,2}| and a half)?$|\b(?P<yo>[0-9]{1,2}) years old\b")  # fmt: skip
_SCHOOL_YEAR = re.compile(
    r"\b(i am in|i am|in) (year|grade) (?P<year>[0-9]{1,2})\b|^(yeah |yes |ye |yh )?(year|yr|grade) (?P<bare>[0-9]{1,2})\b"
)
# "my 12th birthday", "its my 13th next week": the age they are turning.
_BIRTHDAY = re.compile(r"\b(my|it is my|its my) (?P<age>[0-9]{1,2}) (st|nd|rd|th)( birthday)?\b")
# American grades, as the normaliser leaves them ("6th grade" is "6 th grade"): 6th grade is 11 to 12.
_GRADE = re.compile(
    r"\b(?P<grade>[0-9]{1,2}) (st|nd|rd|th) grade(r|rs)?\b|\b(i am in|in|going into) (?P<grade_in>[0-9]{1,2}) (st|nd|rd|th)\b"
    r"(?! year)"
)
# Scotland's school years, as a child gives them: P1 to P7 (P7 is 10 to 11) and S1 to S6 (S1 is 11 to 12).
_SCOTTISH = re.compile(
    r"^(i am in |in |yeah )?(p|primary )(?P<primary>[1-7])$|\b(i am in|in) (p|primary )(?P<primary_in>[1-7])\b|"
    r"^(i am in |in |yeah )?s(?P<secondary>[1-6])$|\b(i am in|in) s(?P<secondary_in>[1-6])\b|"
    r"\b(?P<first>first year (at|of|in) (high school|secondary|the academy))\b"
)
_TURNED = re.compile(
    r"\b(i (turned|will be|am turning|turn|am going to be|just turned)|^(going to be|turning|just "
    r"turned|nearly|almost)) (?P<age>[0-9]{1,2})\b"
)
_LEADING = re.compile(r"^((just|only|nearly|almost|about) )?(?P<age>[0-9]{1,2})\b")
CHILD_CUES = re.compile(
    r"\b((my )?(mum|dad|parents|mum and dad) (will not|do not|does not|would not|never) let me|i am (not allowed"
    r"|grounded)|my (mum|dad) (says|said) i (can not|have to)|(my|our) (form tutor|head teacher|class teacher)|"
    r"i am (in|at) (primary|secondary) school|my gcses?|my sats|home from school|after school club|year [5-9] "
    r"(trip|exams)|my (mum|dad|parents) (took|takes|have taken|has taken) my (phone|xbox|ipad|tablet|switch|"
    r"console|laptop)|i have school (tomorrow|in the morning)|my homework|loads of homework|my teacher|my "
    r"parents are (so )?strict|(got|have|had) (a )?detention|i am (only |just |still )?a (kid|child)|i am (still )?(at|in) (primary|"
    r"secondary|school)|too young for (insta|instagram|snapchat|snap|tiktok|facebook|social media|a phone)|youngest "
    r"in my (year|class)|pocket money|(picks|pick|picked) me up from school|(just )?started (secondary|high school|"
    r"year 7)|(than|at|in|left) primary|we do sats|year [5-9] (mocks|trip|exams|class)|got year [5-9]|junior (cert|cycle)|leaving cert|(i am in|in) form [1-7]\b|"
    r"not allowed (a|my own) (phone|snapchat|instagram|tiktok) (till|until) i am 1[0-8]|(collecting|collects|collected) "
    r"me from school|i am (in|at) (middle|elementary|junior high) school|^(in |at )?(middle|elementary|junior high) school|[0-9] (st|nd|rd|th) grade)\b"
)
# What one person says to another that takes the other for a child: their parents watching over them,
# their school, their age. Read only in a chat of two, where "you" is the other person.
ADDRESSED_AS_CHILD = re.compile(
    r"\byour (parents|mum and dad|mum or dad|school|teacher|class|homework|school uniform|form tutor|head "
    r"teacher)\b|\bfor your age\b|\b(kids|people|girls|boys) (in your (class|year|school)|your age)\b|\b(after|"
    r"before|from|at|near|outside) (your )?school\b|\b(does|do|will) your (mum|dad) (check|read|look at|go "
    r"through|let you)\b|\b(is|are) your (mum|dad) (home|in|around|about|out|at work|asleep)\b|\byou (are )?"
    r"(still )?(in|at) (primary|secondary|school|year [0-9]+)\b"
)
# A question about the other's age or school year: a bare number in answer is an age.
AGE_ASKED = re.compile(
    r"\b(how old|what age|your age|what year|which year|what grade|which grade|school year|year are you|(are )?you "
    r"(still )?(in|at) (school|primary|secondary|high school|middle school|elementary|college|sixth form|year "
    r"[0-9]+)|(your|you are) like [0-9]{1,2}|were you born|are you (over|under) [0-9]+|"
    r"old enough|(not|are you) even a teenager)\b"
)
ADULT_CUES = re.compile(
    r"\b(my (wife|husband|kids|children|boss|mortgage|rent|landlord|car insurance)|i work (as|at|in)|at work "
    r"today|my job|i drive|i am divorced|my (ex wife|ex husband))\b"
)
# A message that calls the other person family: "thanks mum", "ok dad", "love you nan".
# A name at the start of a message addresses only when a question, a request or nothing follows it: "mum
# can you get me" addresses her, "mum shouted at me" speaks of her.
_KIN = r"(mum|dad|nan|gran|grandma|grandad|auntie|uncle)"
KIN_ADDRESS = re.compile(
    rf"\b(ok|thanks|thank you|love you|bye|hi|hey|yes|no|sorry|night|morning|please) {_KIN}\b|^{_KIN}($| (can|"
    r"could|will|would|are|where|when|what|why|how|please|do|did|have|you|i|is|x|love|guess|sorry)\b)"
)
SIGNED_AS_KIN = re.compile(r"\b(love|from) (mum|dad|nan|gran|grandma|grandad)$")

# Meeting details, when a meeting line gives them.
WHEN = re.compile(
    r"\b(tonight|tomorrow( night| morning| afternoon| after school)?|after school|this (weekend|evening|"
    r"afternoon|saturday|sunday)|on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(next )?(monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday)|at [0-9]{1,2}( [0-9]{2})?( ?(am|pm|oclock|o clock))?|"
    r"[0-9]{1,2} ?(am|pm))\b"
)
WHERE = re.compile(
    r"\b(at|outside|by|near|behind|in|round) (the )?(([a-z']+ ){0,2}(park|station|shop|shops|mall|shopping "
    r"centre|cinema|library|bus stop|bus station|school|school gates|gates|car park|corner|cafe|mcdonalds|field|"
    r"woods|bridge|beach|leisure centre|playground|skate park|arcade|hotel))\b"
)
PHONE = re.compile(r"(?<![0-9])(\+44 ?7[0-9]{3}|07[0-9]{3}) ?[0-9]{3} ?[0-9]{3}(?![0-9])")
HANDLE = re.compile(rf"\bmy {_APPS} (is|name is|username is) (?P<handle>[a-z0-9_.]{{3,30}})\b")


@dataclass(frozen=True)
class Hit:
    stage: str  # a stage, or sextortion_demand, sextortion_threat, self_harm
    indicator: str
    words: str  # what fired it, as read


_COMPILED: list[tuple[str, str, re.Pattern[str]]] = [
    (stage, name, re.compile(pattern)) for stage, rows in PATTERNS.items() for name, pattern in rows
]
# One alternation a stage, to skip a stage's patterns when none can match (most messages match nothing).
_ANY: dict[str, re.Pattern[str]] = {
    stage: re.compile("|".join(f"(?:{p})" for _, p in rows)) for stage, rows in PATTERNS.items()
}


def sources() -> list[str]:
    """The source of every pattern that reads a message, for the normaliser's list of words to spell right."""
    extra = [CHILD_CUES, ADULT_CUES, ADDRESSED_AS_CHILD, AGE_ASKED, WHEN, WHERE, KIN_ADDRESS, SIGNED_AS_KIN, HANDLE,
             _CHILD_AGE, _SCHOOL_YEAR, _GRADE, _BIRTHDAY, _SCOTTISH, _TURNED, _LEADING]  # fmt: skip
    return [p for rows in PATTERNS.values() for _, p in rows] + [p.pattern for p in extra]


def hits(text: str) -> list[Hit]:
    """Every indicator that fires on a normalised message, with the words that fired it."""
    found: list[Hit] = []
    for stage, any_pattern in _ANY.items():
        if any_pattern.search(text) is None:
            continue
        for name, pattern in ((n, p) for s, n, p in _COMPILED if s == stage):
            match = pattern.search(text)
            if match:
                found.append(Hit(stage, name, match[0]))
    return found


def stated_age(text: str, *, answering: bool = False) -> int | None:
    """An age the speaker gives for themselves ("i am 13", "13 years old", or a bare "13" when
    ``answering`` a question about their age), if plausible."""
    match = _CHILD_AGE.search(text)
    if match and (answering or not match["bare"]):
        value = match["age"] or match["bare"] or match["yo"]
        age = int(value)
        if 5 <= age <= 99:
            return age
    turned = _TURNED.search(text)
    if turned and 5 <= int(turned["age"]) <= 99:
        return int(turned["age"])
    year = _SCHOOL_YEAR.search(text)
    if year and 1 <= int(year["year"] or year["bare"]) <= 13:
        return int(year["year"] or year["bare"]) + 5  # year 8 is 12 to 13 in England and Wales
    birthday = _BIRTHDAY.search(text)
    if birthday and 5 <= int(birthday["age"]) <= 99:
        return int(birthday["age"])
    grade = _GRADE.search(text)
    if grade and 1 <= int(grade["grade"] or grade["grade_in"]) <= 12:
        return int(grade["grade"] or grade["grade_in"]) + 5
    scottish = _SCOTTISH.search(text)
    if scottish:
        if primary := scottish["primary"] or scottish["primary_in"]:
            return int(primary) + 4
        if secondary := scottish["secondary"] or scottish["secondary_in"]:
            return int(secondary) + 10
        return 11  # first year at high school
    leading = _LEADING.search(text) if answering else None
    if leading and 5 <= int(leading["age"]) <= 99:
        return int(leading["age"])  # "12 why", "13 in june", answering how old they are
    return None

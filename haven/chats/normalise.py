"""Chat text made plain before the indicators read it: lower case, leetspeak and text speak spelt out,
letters repeated three times or more cut to one ("sooo" is "so"), letters spaced or dotted apart joined
again, and the few emoji that carry meaning here turned into words (the rest dropped).

A word misspelt by one letter (one dropped, added, changed, or two swapped) is read as the word the
indicators use, when exactly one such word is near: "secert" is "secret", "parnets" is "parents".

Digits stay digits where they stand alone, so that "i'm 12" keeps its age; a digit inside a word of letters
is read as the letter it stands for ("s3cr3t" is "secret").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from spellchecker import SpellChecker

from haven.chats import indicators

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

# Emoji that carry a meaning the indicators read; every other symbol is dropped.
EMOJI = {
    "🤫": " secret ", "🤐": " secret ", "🎁": " gift ", "💰": " money ", "💸": " money ", "💵": " money ",
    "📸": " photo ", "📷": " photo ", "🤳": " selfie ", "📹": " video ", "🎥": " video ",
    "🚗": " car ", "🏠": " house ", "📍": " location ",
}  # fmt: skip

# Text speak, whole words only, to what the indicators are written in.
SPEAK = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "youre": "you are", "r": "are", "urself": "yourself",
    "pls": "please", "plz": "please", "pic": "photo", "pics": "photos", "pix": "photos", "piccy": "photo",
    "picture": "photo", "pictures": "photos", "selfies": "selfie", "vid": "video", "vids": "videos",
    "bc": "because", "cuz": "because", "coz": "because", "cos": "because", "wanna": "want to",
    "gonna": "going to", "gimme": "give me", "lemme": "let me", "dont": "do not", "don't": "do not",
    "doesnt": "does not", "doesn't": "does not", "wouldn't": "would not", "wouldnt": "would not",
    "couldn't": "could not", "shouldn't": "should not", "isn't": "is not", "aren't": "are not",
    "didn't": "did not", "haven't": "have not", "you'll": "you will", "youll": "you will",
    "you're": "you are", "you've": "you have", "u've": "you have", "youve": "you have", "u're": "you are",
    "ure": "you are", "they're": "they are", "it's": "it is",
    "won't": "will not", "wont": "will not", "cant": "can not", "can't": "can not",
    "im": "i am", "i'm": "i am", "ill": "i will", "i'll": "i will", "id": "i would", "i'd": "i would",
    "ive": "i have", "i've": "i have", "were": "we are", "we're": "we are", "lets": "let us",
    "let's": "let us", "whats": "what is", "what's": "what is", "wheres": "where is", "where's": "where is",
    "ppl": "people", "rn": "right now", "tmrw": "tomorrow", "tmr": "tomorrow", "2moro": "tomorrow",
    "2day": "today", "2nite": "tonight", "tonite": "tonight", "b4": "before", "gr8": "great", "m8": "mate",
    "y/o": "years old", "yo": "years old", "yrs": "years", "yr": "year", "nobody": "no one",
    "noone": "no one", "sc": "snapchat", "snap": "snapchat", "insta": "instagram", "ig": "instagram",
    "whatsap": "whatsapp", "wa": "whatsapp", "tele": "telegram", "dm": "message", "dms": "messages",
    "msg": "message", "msgs": "messages", "txt": "text", "mum's": "mum is", "mom": "mum", "mommy": "mum",
    "mummy": "mum", "ma": "mum", "daddy": "dad", "parents'": "parents", "bday": "birthday",
    "vbucks": "vbucks", "vbuck": "vbucks", "k": "ok", "kk": "ok", "okay": "ok", "thx": "thanks",
    "ty": "thanks", "n": "and", "&": "and", "abt": "about", "bout": "about", "luv": "love", "wiv": "with",
    "w/": "with", "cam": "camera", "webcam": "camera", "sum1": "someone", "any1": "anyone",
    "every1": "everyone", "no1": "no one", "some1": "someone", "gf": "girlfriend", "bf": "boyfriend",
    "hun": "honey", "babe": "baby", "gud": "good", "gd": "good", "pw": "password", "ofc": "of course",
    "wat": "what", "wot": "what", "wats": "what is", "wot's": "what is", "wbu": "what about you",
    "hbu": "how about you", "tho": "though", "thru": "through", "bcuz": "because", "becuz": "because",
    "nd": "and", "wil": "will", "yuo": "you", "yor": "your", "yur": "your", "teh": "the",
}  # fmt: skip

_WORD = re.compile(r"[\w'/&$@£]+", re.UNICODE)
_NUMBER_WORD = re.compile(r"^([0-9]+)([a-z]+)$")
_SPACED = re.compile(r"\b(?:[a-z0-9][ ._*-]){2,}[a-z0-9]\b")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_HAS_LETTER = re.compile(r"[a-z]")
_SCHOOL_STAGE = re.compile(r"^[ps][1-7]$")
_SPACES = re.compile(r"\s+")


_ESCAPE = re.compile(r"\\[a-zA-Z]")
# A whole word in a pattern's source: not part of a longer run of letters, not cut by a group or a "?".
_LITERAL = re.compile(r"(?<![a-z])[a-z]{5,}(?![a-z(?\[{*+])")
# A word written with an optional plural ("cards?"): both spellings are the indicators' words.
_PLURAL = re.compile(r"(?<![a-z])([a-z]{4,})s\?")
MIN_CORRECTED = 5  # shorter words are left as typed: too many short words are a letter apart
COMMON = 50  # occurrences in the English word list from which a word is taken as meant, not mistyped


@cache
def _near_words() -> dict[str, frozenset[str]]:
    """Every word the indicators use, under each of its spellings with one letter dropped (and itself)."""
    words: set[str] = set()
    for source in indicators.sources():
        words.update(_LITERAL.findall(_ESCAPE.sub(" ", source)))
        for stem in _PLURAL.findall(source):
            words.update((stem, stem + "s"))
    index: dict[str, set[str]] = {}
    for word in words:
        for key in _deletes(word):
            index.setdefault(key, set()).add(word)
    return {key: frozenset(found) for key, found in index.items()}


def _deletes(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


@cache
def _english() -> dict[str, int]:
    """English words and how often they occur (pyspellchecker's list, shipped inside the package)."""
    words: dict[str, int] = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return words


def _corrected(token: str) -> str:
    if len(token) < MIN_CORRECTED or not token.isalpha():
        return token
    near = _near_words()
    if token in near.get(token, ()):
        return token  # a word the indicators use, as it is
    if _english().get(token, 0) >= COMMON:
        return token  # a real word ("doing", "cards"), not a slip for one the indicators use
    candidates: set[str] = set()
    for key in _deletes(token):
        candidates.update(w for w in near.get(key, ()) if _one_apart(token, w))
    return next(iter(candidates)) if len(candidates) == 1 else token


def _one_apart(a: str, b: str) -> bool:
    """One letter dropped, added or changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])  # fmt: skip
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _unspace(match: re.Match[str]) -> str:
    return re.sub(r"[ ._*-]", "", match[0])


@lru_cache(maxsize=8192)
def _token(token: str) -> str:
    token = token.strip("'")
    if token in SPEAK:
        return SPEAK[token]
    number = _NUMBER_WORD.match(token)
    if number:  # "12yo", "14f", "5pm": the number, then its unit; "2nd", "12th": an ordinal, kept as one
        if number[2] in ("st", "nd", "rd", "th"):
            return f"{number[1]} {number[2]}"
        return f"{number[1]} {_token(number[2])}"
    if _SCHOOL_STAGE.match(token):  # "p7", "s2": a Scottish school year, not leetspeak
        return token
    if _HAS_LETTER.search(token):
        token = token.translate(LEET)
        return SPEAK.get(token) or _corrected(token)
    return token


def normalise(text: str) -> str:
    """The text as the indicators read it: words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    if any(ch in EMOJI for ch in text):
        for emoji, words in EMOJI.items():
            text = text.replace(emoji, words)
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # curly apostrophes
    text = text.replace("v-bucks", "vbucks").replace("v bucks", "vbucks")
    text = _SPACED.sub(_unspace, text)
    text = _REPEAT.sub(r"\1", text)
    # Punctuation separates words and goes; apostrophes inside words, and £ and $, stay.
    joined = " ".join(w for w in (_token(t) for t in _WORD.findall(text)) if w)
    return _SPACES.sub(" ", joined).strip()

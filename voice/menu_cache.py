"""Rendered voice menus, kept per process: what a menu says is the same for every caller.

A menu that depends on nothing of the caller (the main menu, the hamlet choices, a page of
procedures) names itself in `Menu.cache`. Its words (the <Say> and <Play> elements inside
its <Gather>) are rendered once per commune, menu, language, re-prompt and the catalogue
and prompt tokens (db.cache.voice_versions), and kept as XML text. The <Gather> and the
<Redirect> around them carry the call's step count, so they are built on every step.

The tokens change in the same transaction as any edit of the hamlets, the procedures, the
settings, a commune, a prompt's words or its recordings, so an edit is said by the next
call in every worker; the commune's id in the key means no commune hears another's words.
"""

import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict

from flask import current_app
from twilio.twiml.voice_response import Gather, VoiceResponse

from app import communes
from db.cache import voice_versions

# About 2-4 KB a menu: a few MB at most per worker, enough for every menu of a few dozen
# busy communes in both languages.
LIMIT = 512
# Stands in the <Gather> for the kept words until the response is written out.
MARK = "\ue000menu\ue000"


class Kept:
    """A bounded map of rendered words, least recently used out first, safe across threads."""

    def __init__(self, limit=LIMIT):
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The words kept under KEY, or None."""
        with self._lock:
            words = self._entries.get(key)
            if words is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return words

    def put(self, key, words):
        """Keep WORDS under KEY, dropping the least recently used past the limit."""
        with self._lock:
            self._entries[key] = words
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def __len__(self):
        return len(self._entries)


def kept():
    """The kept menus of the app (one per app: its config decides the voices and URLs)."""
    return current_app.extensions.setdefault("voice.menus", Kept())


class MenuResponse(VoiceResponse):
    """A <Response> whose <Gather> holds words rendered earlier, as XML text."""

    words = ""

    def to_xml(self, xml_declaration=True):
        """The TwiML, with the kept words in their place."""
        return super().to_xml(xml_declaration).replace(MARK, self.words, 1)


def key_of(turn, menu, before, intro):
    """The key of MENU's words as this TURN says them, or None when they are the caller's own."""
    if menu.cache is None:
        return None
    db = turn.db
    database = getattr(db, "file_path", None) or ("connection", id(db.conn))
    params = tuple(sorted(menu.params.items()))
    shape = (menu.endpoint, params, menu.cache, tuple(before), bool(intro))
    # The prompts are the called commune's, the hamlets and procedures the bound one's: the
    # same in a call, but a measuring turn (voice.lengths) may name no commune.
    whose = (turn.commune_id, communes.current_id())
    return (database, whose, turn.lang, shape, voice_versions(db))


def fill(response, gather, key, words):
    """Put the words WORDS(container) says into GATHER: kept under KEY, or rendered now."""
    if key is None:
        words(gather)
        return
    found = kept().get(key)
    if found is None:
        scratch = Gather()
        words(scratch)
        found = ""
        if scratch.verbs:
            found = ET.tostring(scratch.xml(), encoding="unicode")
            found = found.removeprefix("<Gather>").removesuffix("</Gather>")
        kept().put(key, found)
    gather.value = MARK
    response.words = found

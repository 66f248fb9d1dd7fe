"""Match the loose agency names of Vietnamese plan tables to known units and groups.

Pure Python (stdlib + rapidfuzz); no Django import, so importers, management commands and
tests can use it directly.

Text rules
----------
``normalise``
    NFC; lower case; every run of whitespace (newlines, tabs, NBSP, ...) becomes one space and
    zero-width characters are dropped; tone marks are moved to the canonical (traditional)
    vowel: ``hoà -> hòa``, ``uỷ -> ủy``, ``thuỷ -> thủy``, ``khoẻ -> khỏe`` (``qu``/``gi`` are
    treated as consonants, so ``quý`` stays); typographic dashes and quotes become ASCII; no
    space before ``, ; : . ) ]`` nor after ``( [``, one space after ``, ; :`` (not between
    digits: ``3,4``); a hyphen with a space on either side becomes `` - ``. Diacritics stay.
``fold``
    ``normalise`` and then every diacritic removed, ``đ -> d``: accent-insensitive search.
``expand_abbreviations``
    ``normalise`` and then the usual administrative abbreviations written out (UBND, HĐND, VP,
    TT&TT, KH&ĐT, LĐTB&XH, PTTH, CQCM, TTHC ...; with or without ``&``, ``và``, dots, hyphens,
    spaces: ``TT&TT == TTTT == TT và TT``). See ``ABBREVIATIONS``.

Splitting a cell (``split_agencies``)
-------------------------------------
* ``;`` always separates; a line starting with ``-``, ``+`` or ``•`` starts a new item.
* ``,`` separates only when the next words start an agency name (``Sở``, ``Văn phòng``,
  ``UBND``, ``Các``, ``Bưu điện``, ``cấp`` ...), so ``Các sở, ban, ngành``, ``UBND các huyện,
  thành phố``, ``Sở Văn hóa, Thể thao và Du lịch`` and ``Các cơ quan, đơn vị liên quan`` stay whole.
* `` - `` / `` + `` separate only in cells written as a list (starting with a marker) and before
  an agency name, so ``Lao động - Thương binh`` stays whole. `` và các ...`` separates.
* A missing separator before ``UBND cấp/các`` is tolerated (``... tại địa phương UBND cấp huyện``).
* Elliptic items are completed: ``UBND cấp huyện, cấp xã`` gives ``UBND cấp huyện`` and
  ``UBND cấp xã``; ``HĐND, UBND cấp huyện`` gives ``HĐND cấp huyện`` and ``UBND cấp huyện``;
  ``Các Sở: Y tế; Giáo dục và Đào tạo`` gives ``Sở Y tế`` and ``Sở Giáo dục và Đào tạo``.
* List markers and trailing punctuation are removed; parenthetical remarks go to ``note``.

Matching (``Matcher.match``)
----------------------------
The text is reduced to a key: normalised, list markers and parenthetical notes removed, ``&`` read
as ``và``, punctuation dropped, the word ``các`` dropped (plural marker), ``(khác) (có) liên
quan`` read as ``liên quan``, and ``tỉnh <province name>`` or a bare province name read as
``tỉnh`` (``Báo Hà Giang == Báo Tuyên Quang`` once the provinces merged; ``thành phố Tuyên Quang``
keeps its name). Then, stopping at the first stage that finds something:

1. ``exact``  (100): the key equals a candidate's name key;
2. ``alias``  (98): the key equals an alias or short name, or any of them after abbreviation expansion;
3. ``folded`` (95): the same without diacritics;
4. ``fuzzy``  (<= 94): rapidfuzz ``ratio``/``token_sort_ratio`` >= ``FUZZY_THRESHOLD``, same first
   word as the candidate (``Bộ`` never becomes ``Sở``), and no other candidate within
   ``AMBIGUITY_MARGIN`` points.

Each stage also tries, in order, the key without trailing role words (``chủ trì``, ``phối hợp``,
``tổng hợp``, ``thực hiện``, ``công khai``, ``theo dõi``, ``đôn đốc``, ``kiểm tra``, ``đánh giá``;
``theo lĩnh vực ...``), without a trailing ``tỉnh`` (``Sở Nội vụ tỉnh Tuyên Quang == Sở Nội vụ``),
and ``UBND xã X`` as ``xã X``. Candidates' own keys are never shortened: ``Thanh tra`` does not
become ``Thanh tra tỉnh``. Nothing is guessed silently: several candidates at the same stage, or a
fuzzy score under the threshold, give status ``unmatched`` with the best candidates listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

# --------------------------------------------------------------------------- normalisation

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")
_WORD_RE = re.compile(r"[^\W\d_]+")
_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u201c\u201d\u201e\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2018\u2019\u201a", "'"),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
    }
)


def _place_tone(word: str) -> str:
    """Put the tone mark of one lower-case syllable on its canonical vowel."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) != 1:
        return word
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    start = 2 if bare.startswith("qu") or (bare.startswith("gi") and bare[2:3] in _VOWELS) else 0
    first = start
    while first < len(bare) and bare[first] not in _VOWELS:
        first += 1
    end = first
    while end < len(bare) and bare[end] in _VOWELS:
        end += 1
    if first == end:
        return word
    modified = [i for i in range(first, end) if bare[i] in _MODIFIED_VOWELS]
    if modified:
        pos = modified[-1]  # ươ -> ơ, iê -> ê, ưa -> ư
    elif end < len(bare):
        pos = end - 1  # closed syllable: hoàn, huỳnh
    elif end - first >= 3:
        pos = first + 1  # ngoài, khuỷu
    else:
        pos = first  # hòa, thủy, khỏe, mía
    return unicodedata.normalize("NFC", bare[: pos + 1] + tones[0] + bare[pos + 1 :])


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").translate(_CHAR_MAP)
    text = " ".join(text.split()).lower()
    text = _WORD_RE.sub(lambda m: _place_tone(m.group()), text)
    text = re.sub(r"\s+([,;:.!?)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"([,;:])(?=[^\s\d,;:.)\]/])", r"\1 ", text)
    return re.sub(r"(?<=\S)(?:\s+-\s*|\s*-\s+)(?=\S)", " - ", text)


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", normalise(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")


# --------------------------------------------------------------------------- abbreviations

_SEP = r"\s*(?:&|và|-|\.|,)?\s*"


def _abbr(*parts: str) -> str:
    return r"(?<!\w)" + _SEP.join(parts) + r"(?!\w)"


# Longest first: "nn&ptnt" before "ptnt", "ubmttq" before "mttq".
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (_abbr("lđ", "tb", "xh"), "lao động - thương binh và xã hội"),
    (_abbr("vh", "tt", "dl"), "văn hóa, thể thao và du lịch"),
    (_abbr("nn", "ptnt"), "nông nghiệp và phát triển nông thôn"),
    (_abbr("tt", "tt"), "thông tin và truyền thông"),
    (_abbr("kh", "đt"), "kế hoạch và đầu tư"),
    (_abbr("kh", "cn"), "khoa học và công nghệ"),
    (_abbr("tn", "mt"), "tài nguyên và môi trường"),
    (_abbr("gd", "đt"), "giáo dục và đào tạo"),
    (_abbr("nn", "mt"), "nông nghiệp và môi trường"),
    (_abbr("dt", "tg"), "dân tộc và tôn giáo"),
    (_abbr("pt", "th"), "phát thanh và truyền hình"),
    (_abbr("ct", "xh"), "chính trị - xã hội"),
    (_abbr("kt", "xh"), "kinh tế - xã hội"),
    (_abbr("ubmttq"), "ủy ban mặt trận tổ quốc"),
    (_abbr("mttq"), "mặt trận tổ quốc"),
    (_abbr("ubnd"), "ủy ban nhân dân"),
    (_abbr("hđnd"), "hội đồng nhân dân"),
    (_abbr("đbqh"), "đại biểu quốc hội"),
    (_abbr("cqhcnn"), "cơ quan hành chính nhà nước"),
    (_abbr("cqcm"), "cơ quan chuyên môn"),
    (_abbr("đvhc"), "đơn vị hành chính"),
    (_abbr("đvsncl"), "đơn vị sự nghiệp công lập"),
    (_abbr("sncl"), "sự nghiệp công lập"),
    (_abbr("vbqppl"), "văn bản quy phạm pháp luật"),
    (_abbr("qppl"), "quy phạm pháp luật"),
    (_abbr("kstthc"), "kiểm soát thủ tục hành chính"),
    (_abbr("pvhcc"), "phục vụ hành chính công"),
    (_abbr("tthc"), "thủ tục hành chính"),
    (_abbr("cchc"), "cải cách hành chính"),
    (_abbr("ptnt"), "phát triển nông thôn"),
    (_abbr("gtvt"), "giao thông vận tải"),
    (_abbr("bhxh"), "bảo hiểm xã hội"),
    (_abbr("kbnn"), "kho bạc nhà nước"),
    (_abbr("nhnn"), "ngân hàng nhà nước"),
    (_abbr("nsnn"), "ngân sách nhà nước"),
    (_abbr("bql"), "ban quản lý"),
    (_abbr("kcn"), "khu công nghiệp"),
    (_abbr("xttm"), "xúc tiến thương mại"),
    (_abbr("xtđt"), "xúc tiến đầu tư"),
    (_abbr("tncs"), "thanh niên cộng sản"),
    (_abbr("lđlđ"), "liên đoàn lao động"),
    (_abbr("ttđt"), "thông tin điện tử"),
    (_abbr("tw"), "trung ương"),
    (_abbr("vp"), "văn phòng"),
    (_abbr("tp"), "thành phố"),
)
_ABBREVIATION_RES = tuple((re.compile(pattern), full) for pattern, full in ABBREVIATIONS)


def expand_abbreviations(text: str) -> str:
    """``normalise(text)`` with the abbreviations of ``ABBREVIATIONS`` written out."""
    text = normalise(text)
    for pattern, full in _ABBREVIATION_RES:
        text = pattern.sub(full, text)
    return text


# --------------------------------------------------------------------------- splitting

_HEADS = (
    "sở", "ban", "văn phòng", "vp", "ủy ban", "ubnd", "hđnd", "hội đồng", "đài", "báo", "bưu điện",
    "công an", "thanh tra", "cục", "chi cục", "kho bạc", "bảo hiểm", "bhxh", "trung tâm", "phòng",
    "các", "cơ quan", "cqcm", "ngân hàng", "đoàn", "liên đoàn", "mặt trận", "ubmttq", "bộ",
    "tổng công ty", "chủ đầu tư", "tổ", "công chức", "cấp", "bql", "tỉnh đoàn",
)  # fmt: skip
_NOT_HEADS = ("tổ chức", "ban ngành", "ban, ngành")
_MARKER_RE = re.compile(r"^(?:[-+•*·]+\s*|\(?\d+(?:\.\d+)*[.)]\s+|\d+(?:\.\d+)*\.\s*|\(?[a-zđ]\)\s+)+", re.I)
_COUNCIL = r"(?:UBND|HĐND|[UỦ][yỷ] ban nhân dân|Hội đồng nhân dân)"
_COUNCIL_LEVEL_RE = re.compile(rf"^({_COUNCIL})\s+(cấp\s+\w+|các cấp)$", re.I)
_BARE_COUNCIL_RE = re.compile(rf"^{_COUNCIL}$", re.I)
_SEPARATOR_RE = re.compile(
    r";|,|(?<=[^\W\d_])\.\s+|\s+và\s+(?=các\s)|\n\s*(?=[-+•])|\s+[-+•]\s+"
    r"|(?<=\w)(?<!thuộc)(?<!của)(?<!phòng)(?<!và) (?=(?:UBND|HĐND) (?:cấp|các)\s)"
)
_ENUM_COMMA_RE = re.compile(r"\b(sở|ban|chuyên môn)\s*,(?=\s*(?:ban|banh|ngành|cơ quan quản lý)\b)", re.I)
_LIST_HEAD_RE = re.compile(r"^\s*(?:các\s+)?(sở|bộ)\s*:\s*", re.I)


@dataclass(frozen=True)
class AgencyItem:
    text: str  # the item without list marker, trailing punctuation and parenthetical note
    note: str = ""  # the parenthetical remarks, e.g. "lĩnh vực cải cách thủ tục hành chính"


def _starts_with_head(text: str) -> bool:
    head = normalise(_MARKER_RE.sub("", text.strip()))
    if head.startswith(_NOT_HEADS):
        return False
    return any(head == h or head.startswith(h + " ") for h in _HEADS)


def _clean_item(text: str) -> AgencyItem:
    text = _MARKER_RE.sub("", " ".join(text.replace("\x00", ",").split()).lstrip(" ,;:."))
    notes = [n.strip() for n in re.findall(r"\(([^()]*)\)?", text) if n.strip()]
    text = " ".join(re.sub(r"\([^()]*\)?", " ", text).split())
    return AgencyItem(_MARKER_RE.sub("", text.strip(" ,;:.-+•")).strip(" ,;:."), "; ".join(notes))


def _complete_ellipses(items: list[AgencyItem]) -> list[AgencyItem]:
    """``HĐND, UBND cấp huyện, cấp xã`` -> HĐND and UBND, each at cấp huyện and cấp xã."""
    out: list[AgencyItem] = []
    bare: list[str] = []  # council names waiting for a level ("HĐND, UBND cấp huyện")
    heads: list[str] = []  # council names sharing the last level, for a following "cấp xã"
    for item in items:
        if _BARE_COUNCIL_RE.match(item.text):
            bare.append(item.text)
            continue
        level = _COUNCIL_LEVEL_RE.match(item.text)
        elliptic = item.text.lower().startswith("cấp ")
        if level:
            heads = [*bare, level.group(1)]
            out += [AgencyItem(f"{head} {level.group(2)}", item.note) for head in heads]
        elif elliptic and heads:
            out += [AgencyItem(f"{head} {item.text}", item.note) for head in heads]
        else:
            out += [AgencyItem(name) for name in bare]
            cut = out[-1].text.lower().rfind(" cấp ") if elliptic and out else -1
            out.append(AgencyItem(f"{out[-1].text[:cut]} {item.text}", item.note) if cut > 0 else item)
            heads = []
        bare = []
    return out + [AgencyItem(name) for name in bare]


def split_agencies_detailed(cell: str) -> list[AgencyItem]:
    text = unicodedata.normalize("NFC", cell or "").translate(_CHAR_MAP).replace("\t", " ")
    text = re.sub(r"[^\S\n]+", " ", text.replace("\r", "")).strip()
    prefix = ""
    if head := _LIST_HEAD_RE.match(text):
        prefix, text = head.group(1).capitalize() + " ", text[head.end() :]
    text = _ENUM_COMMA_RE.sub(lambda m: m.group(1) + "\x00", text)
    list_style = bool(re.match(r"[-+•]", text))
    depth, depths = 0, []
    for ch in text:
        depth = max(0, depth + (ch == "(") - (ch == ")"))
        depths.append(depth)
    pieces, start = [], 0
    for sep in _SEPARATOR_RE.finditer(text):
        token, rest = sep.group(), text[sep.end() :]
        if depths[sep.start()]:
            continue
        if token.strip() in (",", ".") and not _starts_with_head(rest):
            continue
        if (
            token.strip() in ("-", "+", "•")
            and "\n" not in token
            and not (list_style and _starts_with_head(rest))
        ):
            continue
        pieces.append(text[start : sep.start()])
        start = sep.end()
    pieces.append(text[start:])
    items = [_clean_item(p) for p in pieces]
    items = [AgencyItem(prefix + i.text, i.note) for i in items if i.text]
    return _complete_ellipses(items)


def split_agencies(cell: str) -> list[str]:
    return [item.text for item in split_agencies_detailed(cell)]


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Candidate:
    code: str  # e.g. "P08-SNV" or group code "P08-G-SBN"
    name: str
    kind: str  # "unit" or "group"
    aliases: tuple[str, ...] = ()
    short_name: str = ""


@dataclass(frozen=True)
class Match:
    text: str  # the input as given
    status: str  # "unit" | "group" | "unmatched"
    code: str | None
    name: str | None
    score: int  # 0..100 confidence
    method: str  # "exact" | "alias" | "folded" | "fuzzy" | "none"
    candidates: tuple[tuple[str, str, int], ...] = ()  # (code, name, score), best first, up to 5


_ROLE_TAIL_RE = re.compile(
    r"(?:\s+theo (?:lĩnh vực|chức năng|thẩm quyền)\b.*"
    r"|(?:\s+(?:chủ trì|phối hợp|tổng hợp|thực hiện|công khai|theo dõi|đôn đốc|kiểm tra|đánh giá))+)$"
)
_DIVISIONS = "xã|phường|thị trấn|thị xã|huyện|quận|thành phố|đặc khu"
_NAMED_DIVISION_RE = re.compile(
    rf"^ủy ban nhân dân (?=(?:{_DIVISIONS}) (?!cấp\b|huyện\b|thành phố\b|thị xã\b|xã\b|phường\b|thị trấn\b))"
)
_PASSIVE_ENDINGS = (" được", " bị", " cần", " là")
SCORES = {"exact": 100, "alias": 98, "folded": 95}


class Matcher:
    FUZZY_THRESHOLD = 90
    AMBIGUITY_MARGIN = 3
    MAX_CANDIDATES = 5

    def __init__(self, candidates: Iterable[Candidate], province_names: Iterable[str] = ()):
        names = sorted({normalise(p) for p in province_names if p and p.strip()}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, names))
        self._province_re = (  # "thành phố Tuyên Quang" keeps its name, "Báo Tuyên Quang" is "báo tỉnh"
            re.compile(rf"(?<!\w)(?:({_DIVISIONS})\s+)?(?:tỉnh\s+)?(?:{alternatives})(?!\w)")
            if names
            else None
        )
        self._by_code: dict[str, Candidate] = {}
        self._exact: dict[str, set[str]] = {}
        self._alias: dict[str, set[str]] = {}
        self._folded: dict[str, set[str]] = {}
        self._fuzzy_keys: list[tuple[str, str]] = []
        for cand in candidates:
            self._by_code.setdefault(cand.code, cand)
            self._exact.setdefault(self._key(cand.name, expand=False), set()).add(cand.code)
            for i, text in enumerate((cand.name, cand.short_name, *cand.aliases)):
                if not text or not text.strip():
                    continue
                expanded = self._key(text, expand=True)
                keys = {expanded} if i == 0 else {expanded, self._key(text, expand=False)}
                for key in keys:
                    self._alias.setdefault(key, set()).add(cand.code)
                self._folded.setdefault(fold(expanded), set()).add(cand.code)
                self._fuzzy_keys.append((expanded, cand.code))

    # -- keys

    def _key(self, text: str, *, expand: bool) -> str:
        text = expand_abbreviations(text) if expand else normalise(text)
        text = re.sub(r"\([^()]*\)?", " ", text)
        text = _MARKER_RE.sub("", text.strip()).replace("&", " và ")
        if self._province_re:
            text = self._province_re.sub(lambda m: m.group() if m.group(1) else " tỉnh ", text)
        text = re.sub(r"[^\w\s]|_", " ", text)
        text = re.sub(r"\bcác\b", " ", " ".join(text.split()))
        text = re.sub(r"\b(?:khác )?(?:có )?liên quan\b", "liên quan", " ".join(text.split()))
        return re.sub(r"\btỉnh(?: tỉnh)+\b", "tỉnh", text)

    @staticmethod
    def _variants(key: str) -> list[str]:
        variants = [key]
        shorter = _ROLE_TAIL_RE.sub("", key).strip()
        if shorter and shorter != key and not shorter.endswith(_PASSIVE_ENDINGS):
            variants.append(shorter)
        for variant in list(variants):
            if variant.endswith(" tỉnh"):
                variants.append(variant[: -len(" tỉnh")])
            if _NAMED_DIVISION_RE.match(variant):
                variants.append(_NAMED_DIVISION_RE.sub("", variant))
        return [v for i, v in enumerate(variants) if v and v not in variants[:i]]

    # -- results

    def _result(self, text: str, code: str, method: str, score: int, ranked=()) -> Match:
        cand = self._by_code[code]
        return Match(text, cand.kind, code, cand.name, score, method, tuple(ranked))

    def _unmatched(self, text: str, ranked) -> Match:
        return Match(text, "unmatched", None, None, 0, "none", tuple(ranked[: self.MAX_CANDIDATES]))

    def _ranked(self, scores: dict[str, float]) -> list[tuple[str, str, int]]:
        order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(code, self._by_code[code].name, int(round(s))) for code, s in order if s > 0]

    # -- public API

    def match(self, text: str) -> Match:
        raw = self._variants(self._key(text, expand=False))
        expanded = self._variants(self._key(text, expand=True))
        if not expanded:
            return self._unmatched(text, [])
        stages = (
            ("exact", self._exact, raw),
            ("alias", self._alias, raw + expanded),
            ("folded", self._folded, [fold(v) for v in expanded]),
        )
        for method, index, keys in stages:
            for key in keys:
                codes = index.get(key)
                if codes and len(codes) == 1:
                    return self._result(text, next(iter(codes)), method, SCORES[method])
                if codes:
                    tied = {code: float(SCORES[method]) for code in codes}
                    return self._unmatched(text, self._ranked(tied))
        return self._fuzzy(text, expanded)

    def _fuzzy(self, text: str, variants: list[str]) -> Match:
        strict: dict[str, float] = {}
        loose: dict[str, float] = {}
        for variant in variants:
            head = variant.split(" ", 1)[0]
            for key, code in self._fuzzy_keys:
                score = max(fuzz.ratio(variant, key), fuzz.token_sort_ratio(variant, key))
                if key.split(" ", 1)[0] == head and score > strict.get(code, 0):
                    strict[code] = score
                loose[code] = max(loose.get(code, 0), fuzz.WRatio(variant, key))
        ranked = self._ranked(strict)
        best = ranked[0][2] if ranked else 0
        if best >= self.FUZZY_THRESHOLD:
            close = [r for r in ranked[1:] if r[2] >= best - self.AMBIGUITY_MARGIN]
            if not close:
                return self._result(text, ranked[0][0], "fuzzy", min(best, 94), ranked[: self.MAX_CANDIDATES])
            return self._unmatched(text, ranked)
        return self._unmatched(text, self._ranked(loose))

    def match_cell(self, cell: str) -> list[Match]:
        return [self.match(item) for item in split_agencies(cell)]

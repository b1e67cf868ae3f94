"""A Standard-Arabic view of frequent dialect words, so dialect and MSA share word n-grams.

Spoken Arabic says "I want" as بدي (Levantine), عايز (Egyptian), أبغى/أبي (Gulf), بغيت
(Maghrebi) or أريد (Standard Arabic and Iraqi). Character n-grams cannot tell the model
that these are one word; the training data has each question in some dialects only. This
table maps the frequent function and question words of the five big dialect groups (and
their Arabizi spellings) to one Standard Arabic word, which is appended to the message.
Hand-written and small on purpose: only words whose dialect meaning is clear; ambiguous
ones (ايه "what"/"yes", هلا "now"/"hi", في "there is"/"in", Arabizi words that are also
German, English or Turkish words such as wein, fin, lazim) are left out. Applied after
:func:`rasa_plugins.nlu.text_model.normalise` (hamza forms folded, ة → ه, ى → ي).
"""

from __future__ import annotations

import re

# Standard Arabic word → its dialect forms (normalised Arabic script and Arabizi).
_GROUPS: dict[str, tuple[str, ...]] = {
    "اريد": (
        "بدي", "بدك", "بدو", "بدها", "بدنا", "بدكم", "بدهم", "عايز", "عايزه", "عاوز",
        "عاوزه", "عايزين", "ابغي", "ابغا", "ابي", "نبي", "بغيت", "بغينا", "نبغي", "نبغيو",
        "ودي", "bade", "badi", "bidi", "bdi", "biddi", "3ayez", "3ayz", "3ayza", "3awez",
        "3awza", "bghit", "bghina", "abgha", "baghi",
    ),
    "كيف": ("ازاي", "ازاى", "شلون", "اشلون", "كيفاش", "كيفيش", "ezay", "izay", "ezzay",
            "shlon", "shlun", "kifach", "kifash"),
    "ماذا": ("شو", "ايش", "وش", "شنو", "شنهو", "شنوه", "اش", "shu", "shou", "sho",
             "shno", "shnu", "chno", "chnou", "chnu", "wesh"),
    "الان": ("هلق", "هلاق", "دلوقتي", "دلوقت", "دلوقتى", "هسه", "هسع", "الحين", "دحين",
             "دابا", "توا", "halla2", "hala2", "hallaq", "dlw2ty", "delwa2ty", "dilwa2ti",
             "daba", "hassa", "hessa", "el7in"),
    "من": ("مين", "منو", "شكون", "chkoun", "shkoun", "meen", "mnu"),
    "اين": ("وين", "فين", "فاين", "منين", "wain", "mnin"),
    "متي": ("امتي", "ايمتي", "امتا", "شوكت", "وقتاش", "فوقاش", "emta", "imta", "eimta",
            "shwakit", "wa9tach", "fo9ach"),
    "كم": ("قديش", "اديش", "شكد", "شقد", "شحال", "قداش", "بكام", "2adesh", "adesh",
           "addesh", "2addeesh", "shgad", "chhal", "ch7al", "9addach"),
    "يمكن": ("فيني", "فيك", "فينا", "بقدر", "بيقدر", "بتقدر", "منقدر", "اكدر", "تكدر",
             "نكدر", "يكدر", "ينفع", "بينفع", "نقدر", "نقدرو", "fini", "ba2dar", "b2dar",
             "a2dar", "yenfa3", "yinfa3", "akdar", "n9der", "n9dar"),
    "اتكلم": ("احكي", "بحكي", "نحكي", "تحكي", "احجي", "تحجي", "نحجي", "نهضر", "نهدر",
              "تهضر", "هضر", "اهدر", "اكلم", "اكلمك", "نتكلمو", "e7ki", "a7ki", "ne7ki",
              "te7ki", "a7chi", "a7ji", "nhder", "nhdar", "hder", "akallem", "akalem"),
    "طفل": ("ولد", "ولدي", "الولد", "وليدي", "عيل", "عيال", "العيال", "عيالي", "دري",
            "دراري", "الدراري", "ولاد", "ولادي", "ولادنا", "الولاد", "بزر", "بزور", "ebni",
            "ibni", "weldi", "wildi", "wlad", "wladi", "drari", "3iyal"),
    "جيد": ("منيح", "منيحه", "كويس", "كويسه", "زين", "زينه", "مزيان", "مزيانه", "باهي",
            "mni7", "mnee7", "kwayes", "kwayyes", "kuwayyis", "mzyan", "mezyan", "zein"),
    "كثير": ("كتير", "هوايه", "بزاف", "اوي", "ktir", "kteer", "ktiir", "bezzaf", "bzaf",
             "hwaya"),
    "مال": ("مصاري", "فلوس", "المصاري", "الفلوس", "masari", "flous", "flus", "felous"),
    "يجب": ("لازم", "لازمني", "خاصني", "خاصنا", "lazem", "5assni", "khassni", "5assna"),
    "يوجد": ("كاين", "كاينه", "اكو", "فيه", "kayn", "kayen", "kayna", "aku"),
    "لماذا": ("ليش", "ليه", "علاش", "لويش", "lesh", "leish", "leh", "3lach", "3lash"),
    "احد": ("حدا", "حد", "واحد", "7ada", "7add", "wa7ed", "wa7d"),
    "هنا": ("هون", "هنيه", "هنايا", "هني", "hon", "hena", "hnaya"),
    "ليس": ("مش", "مو", "موش", "مب", "mesh", "mish", "mush", "mo"),
    "شيء": ("شي", "حاجه", "حاجات", "شيات", "7aga", "7aja"),
    # The word for mentor: the training data says راعي most, people also say مرشد
    # (mentor), منتور, عراب (godparent, as Pate) or باتن.
    "راعي": ("مرشد", "مرشده", "المرشد", "المرشده", "مرشدين", "المرشدين", "منتور",
             "المنتور", "منتوره", "عراب", "عرابه", "العراب", "باتن", "الباتن"),
    "افعل": ("اعمل", "بعمل", "نعمل", "اسوي", "نسوي", "يسوي", "ندير", "نديرو", "a3mel",
             "a3mil", "asawi", "asswi", "ndir"),
}  # fmt: skip

_LEXICON: dict[str, str] = {
    dialect: standard for standard, forms in _GROUPS.items() for dialect in forms
}
_WORD = re.compile(r"\w+")


def standard_arabic_words(text: str) -> list[str]:
    """Return the Standard Arabic words for the dialect words of a normalised text.

    A word with the conjunction و in front (وبدي, wbade) counts as the word itself.
    """
    found = []
    for word in _WORD.findall(text):
        standard = _LEXICON.get(word)
        if standard is None and len(word) > 2 and word[0] in "وw":
            standard = _LEXICON.get(word[1:])
        if standard is not None:
            found.append(standard)
    return found


def with_standard_arabic(text: str) -> str:
    """Return the text followed by the Standard Arabic words of its dialect words, if any."""
    words = standard_arabic_words(text)
    return f"{text} {' '.join(words)}" if words else text

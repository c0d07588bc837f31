#!/usr/bin/env python3
"""Write the deterministic tokenizer test corpora (Tests/Fixtures/tokenizer/corpus.jsonl and
corpus-bert.jsonl).

One JSON string per line. Seeded, so re-running produces byte-identical output. The corpus is
aimed at the places where a hand-written byte-level BPE tokenizer tends to diverge from
HuggingFace `tokenizers`: whitespace runs, contractions, digits, Unicode categories at the edges
of \\p{L} / \\p{N} / \\s, combining marks, emoji sequences, and added tokens embedded in text.

corpus-bert.jsonl adds what BERT-style normalizers and pre-tokenizers (WordPiece, RoBERTa) are
sensitive to: accents and combining-mark ordering, the CJK blocks, Unicode punctuation and control
characters (including those whose category changed between Unicode 8.0, HF's category tables, and
the current version), words around `max_input_chars_per_word` (100), and BERT/RoBERTa special tokens.
It is a separate file so corpus.jsonl, and the goldens made from it, stay as they are.
"""
import json
import os
import random
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "corpus.jsonl")
OUT_BERT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "corpus-bert.jsonl")

rng = random.Random(20240611)

WORDS = """the quick brown fox jumps over lazy dog model token tokenizer merge vocabulary
byte level pair encoding language training gradient zeroth order estimate perturbation
seed loss batch step learning rate weight matrix vector swift package linux compiler test
capital France Paris is was are were be been being have has had do does did will would
shall should can could may might must hello world example sentence simple complex data
Hugging Face SmolLM assistant user system message response question answer because
although however therefore meanwhile internationalization antidisestablishmentarianism
a an I you he she it we they me him her us them my your his its our their this that""".split()

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
ADDED = "<tool>"  # the non-special added token of the tiny fixture tokenizer

PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["...", "--", "—", "–", "«", "»", "“", "”", "‘", "’", "¿", "¡", "•", "…", "§", "©", "®", "°", "±", "×", "÷", "€", "£", "¥", "¢"]

WHITESPACE = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", " \t ", "\u00a0", "\u2009", "\u3000", "\u2028", "\u0085", "\x0b", "\x0c", "\r"]

UNICODE_SAMPLES = [
    # CJK, kana, hangul
    "日本語のテキストです。", "中文分词测试，包括标点符号！", "한국어 문장입니다.", "カタカナとひらがな", "漢字", "你好，世界",
    # Arabic, Hebrew, Devanagari, Thai, Cyrillic, Greek
    "مرحبا بالعالم", "النص العربي ١٢٣ ٤٥٦", "שלום עולם", "नमस्ते दुनिया", "हिन्दी में २०२४ लिखा", "สวัสดีชาวโลก",
    "Привет, мир!", "Ελληνικά κείμενα", "Ünïcödé wörds", "façade naïve café résumé", "Zürich Straße groß",
    # emoji: plain, skin tone, ZWJ family, flags, keycaps, variation selectors
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷🇯🇵", "1️⃣", "❤️", "☃", "🤖 robots", "I ❤️ NY", "👩🏾‍💻 codes",
    # math / symbols / letter-like numbers
    "∑ x² + y³ = z½", "Ⅻ Ⅳ ⅷ", "①②③", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "ℕ ℤ ℚ ℝ", "½ ¾ ⅓",
    # zero-width and format characters
    "zero\u200bwidth", "soft\u00adhyphen", "bom\ufefftext", "rtl\u200fmark", "joiner\u200dtext", "a\u180eb",
    "a\u001cb\u001dc\u001ed\u001ff", "nul\u0000byte", "bell\u0007esc\u001b[0m", "del\u007fchar",
]

CODE = [
    "def f(x):\n    return x * 2\n",
    "for i in range(10):\n\tprint(i)",
    "let tokenizer = try ByteLevelBPETokenizer(tokenizerJSON: data)",
    "func encode(_ text: String) -> [Int] {\n    return []\n}",
    "if (a && b || !c) { x += 1; } else { y -= 2; }",
    "{\"key\": [1, 2.5, -3e10, null, true], \"nested\": {\"a\": \"b\"}}",
    "<div class=\"main\">Hello &amp; welcome</div>",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
    "x = [i**2 for i in range(100) if i % 3 == 0]",
    "    indented line\n        more indented\n",
    "// comment with trailing spaces   \n",
    "path/to/file_name-v2.0.1.tar.gz",
    "https://example.com/path?q=1&r=two#frag",
    "user@example.org",
    "0x1F 0b1010 1_000_000 3.14159 -2.5e-3 1,234,567.89",
    "camelCaseIdentifier snake_case_identifier SCREAMING_CASE kebab-case",
    "a->b; c=>d; e::f; g<<h; i>>j; k!=l; m==n",
    "$ git commit -m \"fix: tokenizer\" && swift test",
]

CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "'x", "'"]


def word():
    return rng.choice(WORDS)


def sentence(n=None):
    n = n or rng.randint(3, 12)
    s = " ".join(word() for _ in range(n))
    s = s[0].upper() + s[1:]
    return s + rng.choice([".", "!", "?", "", ",", ";", ":"])


lines = []
add = lines.append

# Fixed edge cases first.
for s in ["", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n\n", " \n ", "a", "A", "0", "9", "'", "''", "'s", " 's",
          "Hello", " Hello", "Hello ", "Hello  ", "Hello\n", "  Hello", "\nHello", "Hello world", "Hello  world",
          "Hello   world", "Hello\tworld", "Hello \tworld", "Hello\t world", "Hello\n\nworld", "Hello \n world",
          "Hello\r\nworld", "trailing spaces   ", "   leading spaces", "The capital of France is",
          "I'm", "I'M", "you're", "YOU'RE", "they've", "we'll", "WE'LL", "she'd", "it's", "IT'S", "don't", "DON'T",
          "rock 'n' roll", "'quoted'", "a's b't c're", " 're", "''s", "'s's", "1's", "é's",
          "12", "123", "1234", "12345", "1234567890", "3.14", " 42", "  42", "x42", "42x", "٣٤", "१२३", "²³",
          "!!!", " !!!", "...", "?!", "a.b", "a. b", "a .b", "(a)", "[b]", "{c}", "\"d\"",
          "é", "e\u0301", "café", "cafe\u0301", "Å", "A\u030a", "ñ", "n\u0303", "ǅ", "ﬁ", "Ⅷ"]:
    add(s)

# Every printable ASCII character alone and in a small context.
for c in (chr(i) for i in range(32, 127)):
    add(c)
    add("a" + c + "b")
    add(" " + c + " ")

# Control characters and the whitespace edge of the Unicode tables.
for cp in list(range(0, 32)) + [0x7F, 0x85, 0xA0, 0xAD, 0x1680, 0x180E, 0x2000, 0x2007, 0x200A, 0x200B, 0x200C,
                                 0x200D, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF, 0xFFFD]:
    c = chr(cp)
    add("x" + c + "y")
    add("x " + c + " y")
    add(c + c + "z")

# Whitespace runs in all positions relative to words and punctuation.
for _ in range(150):
    parts = []
    for _ in range(rng.randint(1, 5)):
        parts.append(rng.choice([word(), rng.choice(PUNCT), str(rng.randint(0, 99999))]))
        parts.append(rng.choice(WHITESPACE) * rng.randint(1, 3))
    if rng.random() < 0.5:
        parts.pop()
    add("".join(parts))

# Contractions, including uppercase and odd placements.
for _ in range(120):
    w = word()
    c = rng.choice(CONTRACTIONS)
    form = rng.randint(0, 4)
    if form == 0:
        add(w + c)
    elif form == 1:
        add(w.upper() + c + " " + word())
    elif form == 2:
        add(w + " " + c + " " + word())
    elif form == 3:
        add(c + w)
    else:
        add(sentence(4)[:-1] + c + rng.choice([".", " ", "\n", ""]))

# Plain ASCII sentences.
for _ in range(250):
    add(sentence())

# Multi-sentence paragraphs with newlines.
for _ in range(30):
    add(rng.choice(["\n", "\n\n", " ", "\r\n", "  \n"]).join(sentence() for _ in range(rng.randint(2, 3))))

# Numbers: short, long, with separators, mixed with letters.
for _ in range(150):
    k = rng.randint(0, 5)
    if k == 0:
        add(str(rng.randint(0, 10 ** rng.randint(1, 30))))
    elif k == 1:
        add(f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 8)}f}")
    elif k == 2:
        add(f"{word()} {rng.randint(0, 100000)} {word()}")
    elif k == 3:
        add(f"{word()}{rng.randint(0, 1000)}{word()}")
    elif k == 4:
        add(f"{rng.randint(1, 31):02d}/{rng.randint(1, 12):02d}/{rng.randint(1900, 2100)} {rng.randint(0, 23)}:{rng.randint(0, 59):02d}")
    else:
        add("+" + "-".join(str(rng.randint(0, 9999)) for _ in range(rng.randint(2, 5))))

# Accents in NFC and NFD forms.
ACCENTED = ["café", "naïve", "résumé", "façade", "Ångström", "São Paulo", "Mañana", "Crème brûlée", "Đặng Thị",
            "Tiếng Việt", "Łódź", "Ærøskøbing", "İstanbul", "coöperate", "über", "piñata", "jalapeño"]
for w in ACCENTED:
    add(unicodedata.normalize("NFC", w))
    add(unicodedata.normalize("NFD", w))
    add("The " + unicodedata.normalize("NFD", w) + " is " + unicodedata.normalize("NFC", w) + ".")

# Non-Latin scripts, emoji and symbols, alone and in sentences.
for s in UNICODE_SAMPLES:
    add(s)
    add(word() + " " + s + " " + word())
    add(s + s)
for _ in range(80):
    add(" ".join(rng.choice(UNICODE_SAMPLES + [word(), word()]) for _ in range(rng.randint(2, 5))))

# Code snippets.
for s in CODE:
    add(s)
for _ in range(20):
    add(rng.choice(CODE) + rng.choice(["", "\n", "  ", "\n\n"]) + rng.choice(CODE))

# Special tokens and the non-special added token embedded in text.
TOKS = SPECIALS + [ADDED]
for t in TOKS:
    for ctx in ["{t}", " {t}", "{t} ", " {t} ", "\n{t}\n", "a{t}b", "a {t} b", "a  {t}  b", "{t}{t}", "{t} {t}",
                "{t}\n{t}", "x{t}", "{t}x", "\t{t}\t", "'{t}'", "1{t}2", "é{t}é"]:
        add(ctx.format(t=t))
for _ in range(150):
    role = rng.choice(["system", "user", "assistant"])
    s = f"<|im_start|>{role}\n{sentence()}<|im_end|>"
    if rng.random() < 0.5:
        s += "\n<|im_start|>assistant\n" + sentence() + rng.choice(["", "<|im_end|>", "<|endoftext|>"])
    if rng.random() < 0.3:
        s = s.replace(". ", f" {ADDED} ", 1) if rng.random() < 0.5 else s + rng.choice([" ", "", "  "]) + ADDED + " " + word()
    add(s)
# Near-misses of the special tokens (must not match).
for s in ["<|im_start", "im_start|>", "<|im_start |>", "<|IM_START|>", "<|endoftext|", "<<|im_end|>>", "<tool", "<tool >",
          "<|im_start|><|im_end|>", "<|im_start|>im_end|>", "<|endoftext|><|endoftext|>text", "<toolbox>", "<tool>>"]:
    add(s)

# Very long words and runs.
for s in ["a" * 300, "ab" * 200, "antidisestablishmentarianism" * 8, "Donaudampfschifffahrtsgesellschaftskapitän",
          "x" * 600, " " * 100, "\n" * 50, "9" * 200, "!" * 100, "日本" * 100, "😀" * 50,
          "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(400)),
          "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(300))]:
    add(s)

# Random mixtures drawn from a pool of tricky code points (fuzzing the pre-tokenizer scanner).
POOL = (list("abcXYZ019 '\t\n\r.,!?-_/<>|") + ["é", "e\u0301", "\u0301", "ß", "ǅ", "ʰ", "ª", "٣", "Ⅷ", "½", "²",
        "日", "本", "한", "ع", "ह", "\u093f", "😀", "\u200d", "\ufe0f", "🇫", "\u00a0", "\u3000", "\u2028", "\u0085",
        "\u180e", "\u200b", "\u001c", "\u000b", "\x00", "€", "∑", "𝔘", "𝟙", "'s", "'LL", "<|im_end|>", ADDED, "'re"])
while len(lines) < 2000:
    add("".join(rng.choice(POOL) for _ in range(rng.randint(1, 16))))

for s in lines:
    assert isinstance(s, str)
    s.encode("utf-8")  # no lone surrogates



def write(path, strings):
    for s in strings:
        assert isinstance(s, str)
        s.encode("utf-8")  # no lone surrogates
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for s in strings:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"wrote {len(strings)} lines to {path}", file=sys.stderr)


write(OUT, lines)


def bert_lines():
    """The BERT-oriented supplement (its own seed, so corpus.jsonl is unaffected)."""
    brng = random.Random(20250301)
    out = []
    add = out.append
    # Accents: precomposed, decomposed, stacked marks in non-canonical order, marks alone.
    for w in ACCENTED + ["ÀÉÎÕÜ", "àéîõü", "Ǆemal", "ǅemal", "Œuvre", "ÿ", "Ÿ", "ﬀ ﬁ ﬂ", "İi̇", "ΆΈΉΊΌΎΏ", "ᾼ ᾈ", "Ωμέγα"]:
        add(unicodedata.normalize("NFC", w))
        add(unicodedata.normalize("NFD", w))
        add(unicodedata.normalize("NFKD", w))
        add(w.upper() + " " + w.lower())
    for s in ["a\u0301\u0316", "a\u0316\u0301", "a\u0334\u0301\u0316", "e\u0301\u0301", "\u0301", " \u0301 ", "x\u20dd",
              "o\u0308\u0304", "q\u0307\u0323", "\u1e0b\u0323", "\u1e0d\u0307", "a\u05ae\u0300\u0301", "a\u0952\u0951",
              "a\u07fd\u0301", "a\u0301\u07fd", "a\u08d3\u0316", "a\u0316\u08d3", "a\u1df6\u0316",  # marks newer than Unicode 9.0
              "\u0958\u0959", "\u2126\u212b\u2000", "\uf900\uf901", "\u0344", "\u1100\u1161\u11a8", "\uac00\ud7a3"]:
        add(s)
        add("word" + s + "word")
    # Characters whose Unicode category changed after 8.0, new format/mark characters, old/new cases.
    for cp in [0x166D, 0x111C9, 0x1734, 0x1171E, 0x1885, 0x1886, 0xA9BD, 0x890, 0x891, 0x8E2, 0x110CD, 0x13430,
               0x13439, 0x8D4, 0x898, 0x1AC0, 0x11938, 0x105C9, 0x16121, 0x16D68, 0x2E43, 0x2E52, 0x61D, 0x1B7D,
               0xB, 0xC, 0x85, 0xAD, 0xFFFD, 0xE000, 0xF8FF, 0xF0000, 0x378, 0x180E, 0x200D, 0x2060, 0xFEFF, 0x10FFFD,
               0x1E900, 0x1E922, 0x10D50, 0x10D70, 0x2C2F, 0xA7C0, 0xA7DC, 0x1C89, 0x1C8A, 0x88F, 0x1ACF]:
        c = chr(cp)
        add(c)
        add("ab" + c + "cd")
        add("ab " + c + " cd")
    # The CJK blocks BERT splits around, their edges, and neighbours that it does not split.
    for cp in [0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFAFF, 0x20000, 0x2A6DF, 0x2A700, 0x2B73F, 0x2B740, 0x2B81F,
               0x2B820, 0x2B920, 0x2CEAF, 0x2CEB0, 0x2F800, 0x2FA1F, 0x30000, 0x3007, 0x3005, 0x3041, 0x30A2, 0xAC00,
               0x2E80, 0x31C0, 0x4DC0]:
        c = chr(cp)
        add(c)
        add("ab" + c + "cd" + c + c)
    # Punctuation (ASCII, Unicode P*, symbols that are not punctuation) inside and between words.
    for c in PUNCT + ["\u00b7", "\u055d", "\u05f3", "\u060c", "\u066a", "\u0964", "\u104a", "\u2010", "\u2016", "\u2020",
                      "\u2030", "\u2041", "\u2e2e", "\u3001", "\u3002", "\u300c", "\u30fb", "\uff01", "\uff0c", "\uff5e",
                      "\ufe50", "\U0001f600", "\u00a6", "\u00ac", "^", "`", "$", "+", "<", "=", ">", "|", "~"]:
        add("x" + c + "y")
        add(word() + c + word() + c + c + " " + c)
    # Whitespace and control runs between words.
    for _ in range(60):
        parts = [word()]
        for _ in range(brng.randint(1, 4)):
            parts.append("".join(brng.choice(WHITESPACE + ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\u200b", "\ufffd"])
                                 for _ in range(brng.randint(1, 4))))
            parts.append(brng.choice([word(), word().upper(), brng.choice(UNICODE_SAMPLES), brng.choice(PUNCT)]))
        add("".join(parts))
    # Words around max_input_chars_per_word (100 characters, counted in scalars after normalization).
    for n in [8, 99, 100, 101, 150]:
        add("a" * n)
        add("Ab" * (n // 2) + "!" + " x")
        add("é" * n)
        add("e\u0301" * (n // 2))
        add("日" * n)
        add("token" * (n // 5) + " end")
        add("ab" + "\u00ad" * 5 + "c" * (n - 3))
    # Special tokens of the BERT and RoBERTa fixtures, embedded in text.
    for t in ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<mask>", "<pad>", "<unk>", "<|endoftext|>"]:
        for ctx in ["{t}", " {t} ", "a{t}b", "a {t} b", "a  {t}  b", "{t}{t}", "The {t} is here.", "{t}\n{t}", "[{t}]",
                    "{t}'s", "\u00e9{t}"]:
            add(ctx.format(t=t))
    for t in ["[cls]", "[Mask]", "[ MASK ]", "<MASK>", "< mask>", "[MASK", "MASK]"]:
        add("a " + t + " b")
    # Mixed sentences with emoji, accents and CJK.
    for _ in range(80):
        add(" ".join(brng.choice(UNICODE_SAMPLES + ACCENTED + [word(), word().capitalize(), word().upper()])
                     for _ in range(brng.randint(2, 7))) + brng.choice(["", ".", "!", "?", " 😀", "…"]))
    return out


write(OUT_BERT, bert_lines())

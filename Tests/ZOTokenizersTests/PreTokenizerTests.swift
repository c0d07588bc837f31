import Foundation
import XCTest
import ZOTokenizers

/// The GPT-2 split and the Digits step on strings where hand-written scanners usually go wrong.
/// Expected pieces were produced by HF `tokenizers` (`ByteLevel(add_prefix_space=False)` and
/// `Sequence[Digits(individual_digits=True), ByteLevel]`), then mapped back from byte-level spelling.
final class PreTokenizerTests: XCTestCase {
    static let cases: [(text: String, gpt2: [String], smolLM: [String])] = [
        ("Hello world", ["Hello", " world"], ["Hello", " world"]),
        ("Hello  world", ["Hello", " ", " world"], ["Hello", " ", " world"]),
        ("Hello   world", ["Hello", "  ", " world"], ["Hello", "  ", " world"]),
        ("a\tb", ["a", "\t", "b"], ["a", "\t", "b"]),
        ("a \tb", ["a", " ", "\t", "b"], ["a", " ", "\t", "b"]),
        ("a\t b", ["a", "\t", " b"], ["a", "\t", " b"]),
        ("a\n\nb", ["a", "\n", "\n", "b"], ["a", "\n", "\n", "b"]),
        ("trailing   ", ["trailing", "   "], ["trailing", "   "]),
        ("   leading", ["  ", " leading"], ["  ", " leading"]),
        (" ", [" "], [" "]),
        ("  ", ["  "], ["  "]),
        ("\n", ["\n"], ["\n"]),
        (" \n ", [" \n "], [" \n "]),
        ("\r\n\r\nx", ["\r\n\r", "\n", "x"], ["\r\n\r", "\n", "x"]),
        ("I'm don't we'll they've she'd you're it's", ["I", "'m", " don", "'t", " we", "'ll", " they", "'ve", " she", "'d", " you", "'re", " it", "'s"], ["I", "'m", " don", "'t", " we", "'ll", " they", "'ve", " she", "'d", " you", "'re", " it", "'s"]),
        ("I'LL DON'T", ["I", "'", "LL", " DON", "'", "T"], ["I", "'", "LL", " DON", "'", "T"]),
        ("rock 'n' roll", ["rock", " '", "n", "'", " roll"], ["rock", " '", "n", "'", " roll"]),
        (" 's", [" '", "s"], [" '", "s"]),
        ("''s", ["''", "s"], ["''", "s"]),
        ("x's's", ["x", "'s", "'s"], ["x", "'s", "'s"]),
        ("123 4567 89", ["123", " 4567", " 89"], ["1", "2", "3", " ", "4", "5", "6", "7", " ", "8", "9"]),
        (" 42", [" 42"], [" ", "4", "2"]),
        ("x42y", ["x", "42", "y"], ["x", "4", "2", "y"]),
        ("3.14", ["3", ".", "14"], ["3", ".", "1", "4"]),
        ("\u{663}\u{664} \u{B2}\u{B3} \u{BD}", ["\u{663}\u{664}", " \u{B2}\u{B3}", " \u{BD}"], ["\u{663}", "\u{664}", " ", "\u{B2}", "\u{B3}", " ", "\u{BD}"]),
        ("\u{E9} e\u{301}", ["\u{E9}", " e", "\u{301}"], ["\u{E9}", " e", "\u{301}"]),
        ("\u{65E5}\u{672C}\u{8A9E}\u{30C6}\u{30AD}\u{30B9}\u{30C8}", ["\u{65E5}\u{672C}\u{8A9E}\u{30C6}\u{30AD}\u{30B9}\u{30C8}"], ["\u{65E5}\u{672C}\u{8A9E}\u{30C6}\u{30AD}\u{30B9}\u{30C8}"]),
        ("\u{1F600}\u{1F44D}\u{1F3FD} \u{1F1EB}\u{1F1F7}", ["\u{1F600}\u{1F44D}\u{1F3FD}", " \u{1F1EB}\u{1F1F7}"], ["\u{1F600}\u{1F44D}\u{1F3FD}", " \u{1F1EB}\u{1F1F7}"]),
        ("a\u{A0}b", ["a", "\u{A0}", "b"], ["a", "\u{A0}", "b"]),
        ("a\u{3000}b", ["a", "\u{3000}", "b"], ["a", "\u{3000}", "b"]),
        ("a\u{85}b", ["a", "\u{85}", "b"], ["a", "\u{85}", "b"]),
        ("a\u{1C}b", ["a", "\u{1C}", "b"], ["a", "\u{1C}", "b"]),
        ("a\u{200B}b", ["a", "\u{200B}", "b"], ["a", "\u{200B}", "b"]),
        ("x  !!  y", ["x", " ", " !!", " ", " y"], ["x", " ", " !!", " ", " y"]),
        ("don't!?", ["don", "'t", "!?"], ["don", "'t", "!?"]),
        ("'", ["'"], ["'"]),
        ("'s", ["'s"], ["'s"]),
        ("<|im_end|>", ["<|", "im", "_", "end", "|>"], ["<|", "im", "_", "end", "|>"]),
        ("a \u{3000} b", ["a", " \u{3000}", " b"], ["a", " \u{3000}", " b"]),
    ]

    func testGPT2SplitMatchesHF() {
        for c in Self.cases {
            let pieces = ByteLevelBPETokenizer.gpt2Split(c.text)
            XCTAssertTrue(pieces.elementsEqual(c.gpt2, by: sameScalars),
                          "\"\(escaped(c.text))\": \(pieces.map(escaped)) != \(c.gpt2.map(escaped))")
        }
    }

    func testDigitsThenGPT2SplitMatchesHF() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()  // Sequence[Digits(individual), ByteLevel]
        for c in Self.cases {
            let pieces = tokenizer.preTokenize(c.text)
            XCTAssertTrue(pieces.elementsEqual(c.smolLM, by: sameScalars),
                          "\"\(escaped(c.text))\": \(pieces.map(escaped)) != \(c.smolLM.map(escaped))")
        }
    }

    /// Llama 3 / Qwen2 `Split` patterns (HF `Split(Regex(...), "isolated")` output).
    static let llama3Cases: [(text: String, llama3: [String], qwen2: [String])] = [
        ("I'LL DON'T we'Re", ["I", "'LL", " DON", "'T", " we", "'Re"], ["I", "'LL", " DON", "'T", " we", "'Re"]),
        ("'\u{17F}", ["'\u{17F}"], ["'\u{17F}"]),
        ("!abc ?def", ["!abc", " ?", "def"], ["!abc", " ?", "def"]),
        ("  \n \n x", ["  \n \n", " x"], ["  \n \n", " x"]),
        ("\n\n  a", ["\n\n", " ", " a"], ["\n\n", " ", " a"]),
        ("a \n", ["a", " \n"], ["a", " \n"]),
        ("12345678", ["123", "456", "78"], ["1", "2", "3", "4", "5", "6", "7", "8"]),
        (" !!\n\n\nb", [" !!\n\n\n", "b"], [" !!\n\n\n", "b"]),
        ("\t\ta", ["\t", "\ta"], ["\t", "\ta"]),
        ("x\u{A0}\u{A0}y", ["x", "\u{A0}", "\u{A0}y"], ["x", "\u{A0}", "\u{A0}y"]),
        ("hello world's 123,456.7", ["hello", " world", "'s", " ", "123", ",", "456", ".", "7"], ["hello", " world", "'s", " ", "1", "2", "3", ",", "4", "5", "6", ".", "7"]),
        ("trailing  ", ["trailing", "  "], ["trailing", "  "]),
    ]

    /// The tiny tokenizer with its pre-tokenizer replaced by Split(pattern) + ByteLevel(use_regex: false).
    private func tokenizer(splitPattern: String) throws -> ByteLevelBPETokenizer {
        var doc = try JSONSerialization.jsonObject(with: TokenizerFixtures.data("tiny-bpe/tokenizer.json")) as! [String: Any]
        doc["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": splitPattern], "behavior": "Isolated", "invert": false],
            ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
        ]]
        return try ByteLevelBPETokenizer(tokenizerJSON: JSONSerialization.data(withJSONObject: doc))
    }

    func testLlama3AndQwen2SplitsMatchHF() throws {
        let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        let qwen2Pattern = llama3Pattern.replacingOccurrences(of: #"\p{N}{1,3}"#, with: #"\p{N}"#)
        let llama3 = try tokenizer(splitPattern: llama3Pattern)
        let qwen2 = try tokenizer(splitPattern: qwen2Pattern)
        for c in Self.llama3Cases {
            let a = llama3.preTokenize(c.text), b = qwen2.preTokenize(c.text)
            XCTAssertTrue(a.elementsEqual(c.llama3, by: sameScalars), "llama3 \"\(escaped(c.text))\": \(a.map(escaped))")
            XCTAssertTrue(b.elementsEqual(c.qwen2, by: sameScalars), "qwen2 \"\(escaped(c.text))\": \(b.map(escaped))")
        }
    }

    func testSplitIsLossless() {
        let samples = ["", "a", "  x  y  ", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "e\u{301}\u{301}", "\r\n\t \u{3000}"]
        for s in samples {
            XCTAssertTrue(sameScalars(ByteLevelBPETokenizer.gpt2Split(s).joined(), s))
        }
        XCTAssertEqual(ByteLevelBPETokenizer.gpt2Split(""), [])
    }
}

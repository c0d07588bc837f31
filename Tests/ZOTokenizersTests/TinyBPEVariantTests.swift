import Foundation
import XCTest
import ZOTokenizers

/// Variants of the tiny tokenizer.json (NFC, add_prefix_space, contiguous digits, Split, added-token
/// lstrip/rstrip/single_word/normalized, re-assigned added ids, TemplateProcessing, ignore_merges,
/// "a b" merges, ...). Each variant is a list of patches (set a JSON path to a value) plus HF's ids
/// for a set of texts, written by `make_golden.py`.
final class TinyBPEVariantTests: XCTestCase {
    func testVariantsMatchHF() throws {
        let variants = try VariantGolden.load("tiny-variants-golden.json", base: "tiny-bpe/tokenizer.json")
        XCTAssertGreaterThanOrEqual(variants.count, 10)

        for (variant, data) in variants {
            let tokenizer: ByteLevelBPETokenizer
            do {
                tokenizer = try ByteLevelBPETokenizer(tokenizerJSON: data)
            } catch {
                XCTFail("variant \(variant.name): \(error)")
                continue
            }
            XCTAssertEqual(tokenizer.vocabularySize, variant.vocab_size, "variant \(variant.name)")
            var matched = 0
            var failures: [String] = []
            for c in variant.cases {
                let ids = tokenizer.encode(c.text)
                if ids == c.ids {
                    matched += 1
                } else {
                    failures.append("\"\(escaped(c.text))\": got \(ids), want \(c.ids)")
                }
            }
            XCTAssertEqual(matched, variant.cases.count,
                           "variant \(variant.name): \(failures.prefix(6).joined(separator: "\n"))")
        }
    }
}

import Foundation
import XCTest
import ZOTokenizers

/// Variants of the tiny tokenizer.json (NFC, add_prefix_space, contiguous digits, Split, added-token
/// lstrip/rstrip/single_word/normalized, re-assigned added ids, TemplateProcessing, ignore_merges,
/// "a b" merges, ...). Each variant is a list of patches (set a JSON path to a value) plus HF's ids
/// for a set of texts, written by `make_golden.py`.
final class TinyBPEVariantTests: XCTestCase {
    private struct Variant: Decodable {
        let name: String
        let vocab_size: Int
        let cases: [Case]
    }

    private struct Case: Decodable {
        let text: String
        let ids: [Int]
    }

    func testVariantsMatchHF() throws {
        let fixture = try TokenizerFixtures.data("tiny-variants-golden.json")
        let variants = try JSONDecoder().decode([Variant].self, from: fixture)
        let rawVariants = try JSONSerialization.jsonObject(with: fixture) as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(variants.count, 10)

        for (variant, raw) in zip(variants, rawVariants) {
            let patches = (raw["patches"] as! [[String: Any]]).map { (path: $0["path"] as! [Any], value: $0["value"]!) }
            let data = try TokenizerFixtures.patchedJSON("tiny-bpe/tokenizer.json", patches)
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

import Foundation
import XCTest
import ZOTokenizers

/// Checks a tokenizer built for SmolLM2-135M (from its GGUF metadata via
/// `init(vocabulary:merges:tokenTypes:preTokenizer:)`, or from its tokenizer.json) against the HF
/// `tokenizers` goldens: every corpus line's ids (`smollm2-golden.jsonl`), HF's decode of those ids,
/// and decoding of partial/random id sequences (`smollm2-decode-golden.jsonl`).
///
/// The GGUF reader lives in another target, so the test that loads the real model and calls this
/// helper is wired up there. Returns the ids match count for reporting.
@discardableResult
func assertMatchesSmolLM2Golden(_ tokenizer: any TextTokenizer,
                                file: StaticString = #filePath, line: UInt = #line) -> (matched: Int, total: Int) {
    XCTAssertEqual(tokenizer.vocabularySize, 49152, "vocabulary size", file: file, line: line)
    XCTAssertEqual(tokenizer.encode("The capital of France is"), [504, 3575, 282, 4649, 314], file: file, line: line)
    XCTAssertEqual(tokenizer.id(forToken: "<|endoftext|>"), 0, file: file, line: line)
    XCTAssertEqual(tokenizer.id(forToken: "<|im_start|>"), 1, file: file, line: line)
    XCTAssertEqual(tokenizer.id(forToken: "<|im_end|>"), 2, file: file, line: line)
    XCTAssertTrue(tokenizer.isSpecialToken(2), file: file, line: line)

    let golden: [GoldenLine]
    let decodeGolden: [DecodeGoldenLine]
    do {
        golden = try TokenizerFixtures.jsonLines("smollm2-golden.jsonl", as: GoldenLine.self)
        decodeGolden = try TokenizerFixtures.jsonLines("smollm2-decode-golden.jsonl", as: DecodeGoldenLine.self)
    } catch {
        XCTFail("cannot read SmolLM2 goldens: \(error)", file: file, line: line)
        return (0, 0)
    }
    XCTAssertGreaterThanOrEqual(golden.count, 2000, file: file, line: line)

    let report = checkGolden(tokenizer, golden)
    XCTAssertEqual(report.idsMatched, report.total, report.summary, file: file, line: line)
    XCTAssertEqual(report.decodeMatched, report.total, report.summary, file: file, line: line)

    let (decoded, total, failures) = checkDecodeGolden(tokenizer, decodeGolden)
    XCTAssertEqual(decoded, total, failures.prefix(8).joined(separator: "\n"), file: file, line: line)
    return (report.idsMatched, report.total)
}

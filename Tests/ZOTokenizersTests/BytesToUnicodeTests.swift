import XCTest
import ZOTokenizers

/// GPT-2's byte <-> character table.
final class BytesToUnicodeTests: XCTestCase {
    func testKnownEntries() {
        let table = BytesToUnicode.characters
        XCTAssertEqual(table.count, 256)
        XCTAssertEqual(table[0x20], "\u{120}")  // space -> Ġ
        XCTAssertEqual(table[0x0A], "\u{10A}")  // newline -> Ċ
        XCTAssertEqual(table[0x09], "\u{109}")  // tab -> ĉ
        XCTAssertEqual(table[0x00], "\u{100}")
        XCTAssertEqual(table[0x7F], "\u{121}")
        XCTAssertEqual(table[0xA0], "\u{142}")
        XCTAssertEqual(table[0xAD], "\u{143}")  // soft hyphen is the last remapped byte
        XCTAssertEqual(table[0x21], "!")
        XCTAssertEqual(table[0x7E], "~")
        XCTAssertEqual(table[0xA1], "\u{A1}")
        XCTAssertEqual(table[0xFF], "\u{FF}")
    }

    func testBijective() {
        let table = BytesToUnicode.characters
        XCTAssertEqual(Set(table).count, 256)
        for b in 0..<256 {
            XCTAssertEqual(BytesToUnicode.byte(for: table[b]), UInt8(b))
        }
        XCTAssertNil(BytesToUnicode.byte(for: " "))       // raw space is not in the alphabet
        XCTAssertNil(BytesToUnicode.byte(for: "\u{144}"))
        XCTAssertNil(BytesToUnicode.byte(for: "\u{1F600}"))
    }

    func testEncodeDecode() {
        XCTAssertEqual(BytesToUnicode.encode(Array(" hello\n".utf8)), "\u{120}hello\u{10A}")  // "ĠhelloĊ"
        XCTAssertEqual(BytesToUnicode.encode(Array("é".utf8)), "Ã©")
        XCTAssertEqual(BytesToUnicode.decode("Ã©"), Array("é".utf8))
        XCTAssertNil(BytesToUnicode.decode("a b"))
        let all = (0..<256).map { UInt8($0) }
        XCTAssertEqual(BytesToUnicode.decode(BytesToUnicode.encode(all)), all)
    }
}

import XCTest
import ZOJSON

/// The one JSON reader behind task files and tokenizer files: RFC 8259 exactly, file order and
/// duplicates kept, numbers as written, and every failure placed by line and column.
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    private func failure(_ text: String) -> JSONParseError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    func testNestedValuesKeepFileOrderAndDuplicates() throws {
        let value = try parse(#" { "b": [1, -2.50, true, false, null], "a": {"x": "y"}, "b": "again" } "#)
        let object = try XCTUnwrap(value.object)
        XCTAssertEqual(object.members.map(\.key), ["b", "a", "b"])
        XCTAssertEqual(object.keys, ["b", "a"])
        XCTAssertEqual(object["b"], .string("again"), "a repeated key's last value, as Python's json reads it")
        XCTAssertEqual(object.first("b")?.array, [.number("1"), .number("-2.50"), .bool(true), .bool(false), .null])
        XCTAssertEqual(object["a"]?.object?["x"], .string("y"))
        XCTAssertNil(object["missing"])
    }

    func testNumbersKeepTheirLiteralText() throws {
        XCTAssertEqual(try parse("-2.50").scalarText, "-2.50")
        XCTAssertEqual(try parse("42").integerLiteral, 42)
        XCTAssertNil(try parse("3.0").integerLiteral, "an id written 3.0 is not an integer literal")
        XCTAssertEqual(try parse("3.0").integer, 3)
        XCTAssertEqual(try parse("1e2").integer, 100)
        XCTAssertNil(try parse("2.5").integer)
        XCTAssertEqual(try parse("-0.125E+1").double, -1.25)
        XCTAssertEqual(try parse("0").integerLiteral, 0)
    }

    func testStringEscapesAndSurrogates() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\b\f\n\r\t""#).string, "a\"b\\c/d\u{8}\u{C}\n\r\t")
        XCTAssertEqual(try parse(#""\u00e9\u4e2d\ud83d\ude00""#).string, "é中😀")
        XCTAssertEqual(try parse(#""\ud83dx""#).string, "\u{FFFD}x", "a lone high surrogate cannot live in a Swift string")
        XCTAssertEqual(try parse(#""\ud83d\u0041""#).string, "\u{FFFD}A")
        XCTAssertEqual(try parse(#""\ude00""#).string, "\u{FFFD}")
        XCTAssertEqual(try parse("\"Ġhello ▁wörld\"").string, "Ġhello ▁wörld")
    }

    func testFailuresArePlacedByLineAndColumn() {
        let error = failure("{\n  \"a\": 1,\n  b: 2\n}")
        XCTAssertEqual(error?.reason, "expected a quoted key")
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.column, 3)
        XCTAssertEqual(error?.offset, 14)
        XCTAssertEqual(error?.description, "expected a quoted key at line 3, column 3")
    }

    func testEverythingOutsideTheGrammarIsRefused() {
        let cases: [(String, String)] = [
            ("", "the text ends where a value was expected"),
            ("[1, 2,]", "unexpected character \"]\""),
            ("{\"a\": 1,}", "expected a quoted key"),
            ("01", "a number may not start with 0"),
            ("1.", "a number needs digits after \".\""),
            ("1e", "a number needs digits in its exponent"),
            ("-", "a number needs digits"),
            ("NaN", "unexpected character \"N\""),
            ("'a'", "unexpected character \"\\'\""),
            ("[1] // note", "unexpected text after the JSON value"),
            ("tru", "unexpected text; expected a JSON value"),
            ("\"a\nb\"", "a string contains a raw control character (write \\n, \\t, …)"),
            ("\"abc", "a string is not closed"),
            ("\"\\x\"", "unknown escape \\x"),
            ("\"\\u12G4\"", "\\u needs four hex digits"),
            ("{\"a\" 1}", "expected \":\" after a key"),
            ("[1 2]", "expected \",\" or \"]\" in an array"),
            ("{\"a\": 1 \"b\": 2}", "expected \",\" or \"}\" in an object"),
            ("[[", "the text ends where a value was expected"),
            ("{\"a\": 1", "the text ends inside an object"),
        ]
        for (text, reason) in cases {
            XCTAssertEqual(failure(text)?.reason, reason, text.debugDescription)
        }
    }

    func testDeepNestingIsAnErrorNotAStackOverflow() {
        XCTAssertEqual(failure(String(repeating: "[", count: 100_000))?.reason, "nesting is too deep")
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)))
    }

    /// Foundation's reader on the same documents: same structure and values wherever both can say.
    func testAgreesWithFoundationOnAMixedDocument() throws {
        let text = #"{"vocab": {"a": 0, "Ġb": 1, "\u00e9": 2}, "merges": ["a b", ["Ġ", "b"]], "dropout": null, "p": 0.1, "ok": true}"#
        let ours = try XCTUnwrap(try parse(text).object)
        let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(Set(ours.keys), Set(theirs.keys))
        let vocab = try XCTUnwrap(theirs["vocab"] as? [String: Int])
        for (key, value) in try XCTUnwrap(ours["vocab"]?.object).members {
            XCTAssertEqual(vocab[key], value.integerLiteral, key)
        }
        XCTAssertEqual(ours["p"]?.double, theirs["p"] as? Double)
        XCTAssertEqual(ours["ok"]?.bool, theirs["ok"] as? Bool)
        XCTAssertTrue(ours["dropout"]?.isNull == true && theirs["dropout"] is NSNull)
    }
}

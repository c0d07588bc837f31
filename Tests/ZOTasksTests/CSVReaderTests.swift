import XCTest
import ZOTasks

final class CSVReaderTests: XCTestCase {
    private func parse(_ text: String) throws -> [[String]] { try CSVReader.records(in: text, file: "t.csv").map(\.fields) }

    func testPlainQuotedAndEscapedFields() throws {
        let text = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n,\"\",z\n"
        XCTAssertEqual(try parse(text), [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["", "", "z"]])
    }

    func testEmbeddedNewlinesKeepLineNumbers() throws {
        let records = try CSVReader.records(in: "h1,h2\n\"two\nlines\",x\n\"three\r\nmore\nlines\",y\nlast,z", file: "t.csv")
        XCTAssertEqual(records.map(\.fields), [["h1", "h2"], ["two\nlines", "x"], ["three\r\nmore\nlines", "y"], ["last", "z"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 4, 7])
    }

    func testCRLFBlankLinesTrailingCommaAndUnicode() throws {
        XCTAssertEqual(try parse("a,b\r\n\r\nç,\"€\"\r\n\n1,\n"), [["a", "b"], ["ç", "€"], ["1", ""]])
        XCTAssertEqual(try parse("a,b\n1,"), [["a", "b"], ["1", ""]])
        XCTAssertEqual(try parse("a\n\"\"\n"), [["a"], [""]], "a quoted empty field is a record, not a blank line")
        XCTAssertEqual(try parse("a\rb,c\n"), [["a\rb", "c"]], "a lone CR is data")
        XCTAssertEqual(try parse(""), [])
    }

    func testUnclosedQuoteReportsTheLineItOpened() {
        XCTAssertTaskError(
            try parse("a,b\n1,2\n3,\"open\nstill open\n"),
            .malformedCSV(file: "t.csv", line: 3, reason: "a quoted field opened here is never closed"),
            mentions: ["t.csv line 3"])
    }

    func testQuoteInsideUnquotedField() {
        XCTAssertTaskError(
            try parse("a,b\n1,x\"y\n"),
            .malformedCSV(file: "t.csv", line: 2, reason: "a double quote appears inside an unquoted field"))
    }

    func testTextAfterClosingQuote() {
        XCTAssertTaskError(
            try parse("a,b\n\"multi\nline\"x,2\n"),
            .malformedCSV(file: "t.csv", line: 3, reason: "a closing quote is followed by text instead of a comma or line end"))
    }

    func testFieldCountMismatchNamesTheRecordLine() {
        XCTAssertTaskError(
            try parse("a,b\n\"1\n2\",3\n4,5,6\n"),
            .malformedCSV(file: "t.csv", line: 4, reason: "it has 3 fields but line 1 has 2"),
            mentions: ["t.csv line 4"])
    }
}

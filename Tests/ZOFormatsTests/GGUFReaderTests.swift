import Foundation
import XCTest
import ZOFormats

/// The GGUF reader against a file written by the reference `gguf` Python package.
final class GGUFReaderTests: XCTestCase {
    func testMetadataOfEveryValueTypeMatchesTheReference() throws {
        let file = try GGUFFile(path: Fixtures.url("formats/mixed.gguf").path)
        let expected = try Fixtures.json("formats/mixed.expected.json")
        XCTAssertEqual(file.version, expected["version"] as? Int)
        XCTAssertEqual(file.alignment, expected["alignment"] as? Int)
        let entries = expected["metadata"] as! [[String: Any]]
        XCTAssertEqual(file.metadataKeys, entries.map { $0["key"] as! String })
        for entry in entries {
            let key = entry["key"] as! String
            let value = try XCTUnwrap(file.metadata[key], key)
            assertEqual(value, entry["value"]!, type: entry["type"] as! String, text: entry["text"] as? String, key: key)
        }
    }

    func testTensorsDequantizeExactlyLikeTheReference() throws {
        let file = try GGUFFile(path: Fixtures.url("formats/mixed.gguf").path)
        let expected = try Fixtures.json("formats/mixed.expected.json")["tensors"] as! [[String: Any]]
        XCTAssertEqual(file.tensors.map(\.name), expected.map { $0["name"] as! String })
        for (tensor, reference) in zip(file.tensors, expected) {
            XCTAssertEqual(tensor.encoding.description, reference["type"] as? String)
            XCTAssertEqual(tensor.shape, (reference["dims"] as! [Int]).reversed(), "GGUF dims are fastest-first")
            let values = try tensor.floats()
            let want = (reference["values"] as! [NSNumber]).map(\.floatValue)
            XCTAssertEqual(values, want, tensor.name)
        }
    }

    private func assertEqual(_ value: GGUFValue, _ expected: Any, type: String, text: String?, key: String) {
        switch (value, type) {
        case let (.uint64(v), _) where text != nil: XCTAssertEqual(String(v), text, key)
        case let (.int64(v), _) where text != nil: XCTAssertEqual(String(v), text, key)
        case let (.string(s), "string"): XCTAssertEqual(s, expected as? String, key)
        case let (.bool(b), "bool"): XCTAssertEqual(b, expected as? Bool, key)
        case let (.float32(f), "float32"): XCTAssertEqual(f, (expected as! NSNumber).floatValue, key)
        case let (.float64(d), "float64"): XCTAssertEqual(d, (expected as! NSNumber).doubleValue, key)
        case let (.array(items), "array"):
            let list = expected as! [Any]
            XCTAssertEqual(items.count, list.count, key)
            for (item, want) in zip(items, list) {
                switch item {
                case .array: assertEqual(item, want, type: "array", text: nil, key: key)
                case .string: assertEqual(item, want, type: "string", text: nil, key: key)
                case .bool: assertEqual(item, want, type: "bool", text: nil, key: key)
                case .float32: assertEqual(item, want, type: "float32", text: nil, key: key)
                case .float64: assertEqual(item, want, type: "float64", text: nil, key: key)
                default: XCTAssertEqual(item.int, (want as! NSNumber).intValue, key)
                }
            }
        default:
            XCTAssertEqual(value.int, (expected as? NSNumber)?.intValue, "\(key) (\(type))")
        }
    }
}

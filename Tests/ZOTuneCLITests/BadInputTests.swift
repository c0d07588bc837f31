import Foundation
import XCTest

/// The bad-input corpus (Tests/Fixtures/bad-inputs, see its README): every case is run through the
/// built binary and must end in a non-zero exit, the expected one-line error, no crash, and a peak
/// resident memory within `peakLimit` — a file's sizes are checked before memory is taken for them.
final class BadInputTests: XCTestCase {
    /// A clean `zotune inspect` or `forward` of the tiny fixtures peaks at ~27 MiB; a model sized from
    /// an unchecked configuration (1000 layers of tiny-qwen2: ~190 MiB) goes far beyond.
    static let peakLimit = 64 << 20

    struct Case: Decodable {
        let name: String
        let why: String
        /// A fixture folder or GGUF file the case modifies.
        let base: String
        /// Files of the case's folder that replace the base folder's.
        var files: [String]?
        /// GGUF metadata integers to overwrite in place (same type width, so no offset moves).
        var ggufMetadata: [String: Int]?
        /// A tensor of the base folder's model.safetensors whose first element becomes NaN.
        var nanInTensor: String?
        let command: String
        let error: String
    }

    static let corpus = CLI.fixtures.appendingPathComponent("bad-inputs")

    private var temporary: [URL] = []

    override func tearDown() {
        for url in temporary { try? FileManager.default.removeItem(at: url) }
    }

    func testEveryBadInputFailsInOneSentenceWithinTheMemoryBound() throws {
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.corpus.appendingPathComponent("cases.json")))
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        let text = try CLI.temporaryFile("The movie was great\n")
        defer { try? FileManager.default.removeItem(at: text) }
        temporary.append(text)
        for testCase in cases {
            let model = try input(testCase)
            var arguments = [testCase.command, "--model", model.path]
            if testCase.command == "forward" {
                let output = model.appendingPathExtension("logits.safetensors")
                temporary.append(output)
                arguments += ["--text-file", text.path, "--output", output.path]
            }
            let result = try MeasuredRun.zotune(arguments)
            let context = "\(testCase.name) (\(testCase.why)): stderr was \(result.stderr)"
            XCTAssertEqual(result.status, 1, context)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, context)
            XCTAssertTrue(lines.first?.hasPrefix("Error: ") ?? false, context)
            XCTAssertTrue(result.stderr.contains(testCase.error), context)
            XCTAssertFalse(result.stderr.contains("Fatal error"), context)
            XCTAssertGreaterThan(result.peakResidentBytes, 1 << 20, "\(testCase.name): the peak was not measured")
            XCTAssertLessThanOrEqual(
                result.peakResidentBytes, Self.peakLimit, "\(testCase.name) peaked at \(result.peakResidentBytes >> 20) MiB")
        }
    }

    /// The measure itself: the unmodified fixtures run fine and stay within the bound, so a case
    /// over it is the case's doing.
    func testTheBaseFixturesRunWithinTheMemoryBound() throws {
        let text = try CLI.temporaryFile("The movie was great\n")
        defer { try? FileManager.default.removeItem(at: text) }
        temporary.append(text)
        for base in ["tiny-llama", "tiny-opt", "tiny-gpt2", "tiny-bert", "formats/tiny-qwen2.gguf", "formats/tiny-gpt2.gguf"] {
            let path = CLI.fixtures.appendingPathComponent(base).path
            // A new file per model: `forward` never writes over an existing one.
            let output = text.appendingPathExtension("\(temporary.count).logits.safetensors")
            temporary.append(output)
            for arguments in [["inspect", "--model", path], ["forward", "--model", path, "--text-file", text.path, "--output", output.path]] {
                let result = try MeasuredRun.zotune(arguments)
                XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
                XCTAssertGreaterThan(result.peakResidentBytes, 1 << 20)
                XCTAssertLessThanOrEqual(result.peakResidentBytes, Self.peakLimit, "\(arguments)")
            }
        }
    }

    /// The model a case runs: the base folder with the case's files over it (others linked), or a
    /// patched copy of the base GGUF file or safetensors weights.
    private func input(_ testCase: Case) throws -> URL {
        let base = CLI.fixtures.appendingPathComponent(testCase.base)
        if let metadata = testCase.ggufMetadata {
            var bytes = [UInt8](try Data(contentsOf: base))
            for (key, value) in metadata { try GGUFMetadataPatch.set(key, to: value, in: &bytes) }
            let url = temporaryURL(testCase.name + ".gguf")
            try Data(bytes).write(to: url)
            return url
        }
        let folder = temporaryURL(testCase.name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let replaced = Set(testCase.files ?? []).union(testCase.nanInTensor == nil ? [] : ["model.safetensors"])
        for file in try FileManager.default.contentsOfDirectory(atPath: base.path) where !replaced.contains(file) {
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(file), withDestinationURL: base.appendingPathComponent(file))
        }
        for file in testCase.files ?? [] {
            try FileManager.default.copyItem(
                at: Self.corpus.appendingPathComponent(testCase.name).appendingPathComponent(file),
                to: folder.appendingPathComponent(file))
        }
        if let tensor = testCase.nanInTensor {
            var bytes = [UInt8](try Data(contentsOf: base.appendingPathComponent("model.safetensors")))
            try SafetensorsPatch.setFirstElementNaN(of: tensor, in: &bytes)
            try Data(bytes).write(to: folder.appendingPathComponent("model.safetensors"))
        }
        return folder
    }

    private func temporaryURL(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-bad-\(UUID())-\(name)")
        temporary.append(url)
        return url
    }
}

/// Overwrites one integer of a GGUF file's metadata in place: the key is found by its length-prefixed
/// bytes, and the value keeps its width (a negative value turns a uint32 into an int32).
enum GGUFMetadataPatch {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func set(_ key: String, to value: Int, in bytes: inout [UInt8]) throws {
        let needle = littleEndian(UInt64(key.utf8.count), width: 8) + Array(key.utf8)
        guard let start = bytes.indices.dropLast(needle.count).first(where: { bytes[$0..<($0 + needle.count)].elementsEqual(needle) })
        else { throw Failure(description: "no metadata key \(key)") }
        let typeOffset = start + needle.count
        let type = bytes[typeOffset..<(typeOffset + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let width: Int
        switch type {
        case 4, 5: width = 4  // uint32, int32
        case 10, 11: width = 8  // uint64, int64
        default: throw Failure(description: "\(key) has GGUF type \(type), not a 32- or 64-bit integer")
        }
        let signedType = width == 4 ? 5 : 11
        if value < 0 { bytes.replaceSubrange(typeOffset..<(typeOffset + 4), with: littleEndian(UInt64(signedType), width: 4)) }
        bytes.replaceSubrange((typeOffset + 4)..<(typeOffset + 4 + width), with: littleEndian(UInt64(bitPattern: Int64(value)), width: width))
    }

    private static func littleEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}

/// Sets the first element of an F32 tensor of a safetensors file to NaN, in place.
enum SafetensorsPatch {
    static func setFirstElementNaN(of tensor: String, in bytes: inout [UInt8]) throws {
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any]
        guard let entry = header?[tensor] as? [String: Any], entry["dtype"] as? String == "F32",
              let offsets = entry["data_offsets"] as? [Int]
        else { throw GGUFMetadataPatch.Failure(description: "no F32 tensor \(tensor)") }
        let nan = Float.nan.bitPattern
        let start = 8 + headerLength + offsets[0]
        for i in 0..<4 { bytes[start + i] = UInt8(truncatingIfNeeded: nan >> (8 * UInt32(i))) }
    }
}

import Foundation
import XCTest
import ZOFormats

/// The PyTorch zip checkpoint reader against files written by torch.save (scripts/reference/
/// make_torch_checkpoints.py), each tensor checked byte for byte against the same tensor written by
/// the reference `safetensors` package; and its refusals (legacy format, compressed entries,
/// forbidden globals, cut-off or corrupt files) as typed errors.
final class TorchCheckpointTests: XCTestCase {
    private let names = [
        "f32", "tied", "transposed", "row_slice", "column_slice", "expanded", "f16", "bf16", "f64", "position_ids",
        "i32", "i16", "i8", "u8", "mask", "scalar", "empty", "parameter",
    ]

    func testEveryDTypeAndViewEqualsTheSafetensorsReferenceBitForBit() throws {
        let reference = try SafetensorsFile(path: Fixtures.url("formats/torch-tensors.safetensors").path)
        for fixture in ["formats/torch-tensors.bin", "formats/torch-tensors-protocol4.bin"] {
            let checkpoint = try TorchCheckpointFile(path: Fixtures.url(fixture).path)
            XCTAssertEqual(checkpoint.tensors.map(\.name), names, "pickled dictionary order, \(fixture)")
            for tensor in checkpoint.tensors {
                let expected = try XCTUnwrap(reference.tensor(named: tensor.name))
                XCTAssertEqual(tensor.shape, expected.shape, tensor.name)
                XCTAssertEqual(tensor.encoding, expected.encoding, tensor.name)
                XCTAssertEqual(Array(tensor.bytes), Array(expected.bytes), "\(tensor.name) in \(fixture)")
            }
            let f32 = try XCTUnwrap(checkpoint.tensor(named: "f32"))
            let tied = try XCTUnwrap(checkpoint.tensor(named: "tied"))
            let rowSlice = try XCTUnwrap(checkpoint.tensor(named: "row_slice"))
            XCTAssertEqual(tied.bytes.baseAddress, f32.bytes.baseAddress, "tied tensors view one storage")
            XCTAssertEqual(rowSlice.bytes.baseAddress, f32.bytes.baseAddress.map { $0 + 4 * 4 }, "a row slice is a view")
            XCTAssertTrue(f32.file === checkpoint.file, "a contiguous tensor is viewed in place")
            XCTAssertFalse(try XCTUnwrap(checkpoint.tensor(named: "transposed")).file === checkpoint.file,
                           "a non-contiguous tensor is gathered into a copy")
        }
    }

    /// A sharded transformers-4-style checkpoint (OrderedDict with `_metadata`, then a plain dict):
    /// every tensor equals the safetensors fixture it was made from; the stored tied head shares the
    /// embedding's storage.
    func testShardedModelCheckpointEqualsTheSafetensorsFolder() throws {
        let reference = try SafetensorsFile(path: Fixtures.url("tiny-opt/model.safetensors").path)
        let shards = try ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"].map {
            try TorchCheckpointFile(path: Fixtures.url("tiny-opt-bin/\($0)").path)
        }
        let tensors = shards.flatMap(\.tensors)
        XCTAssertEqual(Set(tensors.map(\.name)), Set(reference.tensors.map(\.name) + ["lm_head.weight"]))
        for tensor in tensors {
            let source = tensor.name == "lm_head.weight" ? "model.decoder.embed_tokens.weight" : tensor.name
            let expected = try XCTUnwrap(reference.tensor(named: source))
            XCTAssertEqual(tensor.shape, expected.shape, tensor.name)
            XCTAssertEqual(tensor.encoding, .safetensors(.f32), tensor.name)
            XCTAssertEqual(Array(tensor.bytes), Array(expected.bytes), tensor.name)
        }
        let head = try XCTUnwrap(shards[0].tensor(named: "lm_head.weight"))
        XCTAssertEqual(head.bytes.baseAddress, shards[0].tensor(named: "model.decoder.embed_tokens.weight")?.bytes.baseAddress)
        XCTAssertFalse(try XCTUnwrap(shards[0].tensor(named: "model.decoder.layers.0.fc1.weight")).file === shards[0].file)
    }

    func testZIP64ExtraFieldsAndEndRecordsAreHonoured() throws {
        let values: [Float] = [1, -2, 3.5, 0.25, 5, 6]
        let pickle = PickleBytes.stateDict("w", key: "0", numel: 6, offset: 2, size: [2, 2], stride: [2, 1])
        for zip64 in [false, true] {
            let archive = ZipBuilder.checkpoint(pickle: pickle, storages: ["0": GGUFBuilder.floats(values)], zip64: zip64)
            let file = TemporaryFile(bytes: archive)
            let checkpoint = try TorchCheckpointFile(path: file.path)
            XCTAssertEqual(checkpoint.tensors.map(\.name), ["w"])
            XCTAssertEqual(checkpoint.tensors[0].shape, [2, 2])
            XCTAssertEqual(try checkpoint.tensors[0].floats(), [3.5, 0.25, 5, 6], "zip64 \(zip64)")
        }
    }

    func testStridedViewsAreGatheredInRowMajorOrder() throws {
        let values: [Float] = (0..<12).map(Float.init)
        // A 3×2 view at offset 1 with strides (4, 2) of a 12-element storage, and a stride-0 broadcast.
        let cases: [(size: [UInt8], stride: [UInt8], offset: UInt8, expected: [Float])] = [
            ([3, 2], [4, 2], 1, [1, 3, 5, 7, 9, 11]),
            ([2, 3], [0, 1], 4, [4, 5, 6, 4, 5, 6]),
            ([1, 2], [200, 3], 0, [0, 3]),  // a size-1 dimension may carry any stride
        ]
        for item in cases {
            let pickle = PickleBytes.stateDict(
                "w", key: "0", numel: 12, offset: item.offset, size: item.size, stride: item.stride)
            let file = TemporaryFile(bytes: ZipBuilder.checkpoint(pickle: pickle, storages: ["0": GGUFBuilder.floats(values)]))
            XCTAssertEqual(try TorchCheckpointFile(path: file.path).tensors[0].floats(), item.expected, "\(item)")
        }
    }

    // MARK: - Refusals

    func testLegacyFormatAsksForAResave() {
        let path = Fixtures.url("formats/torch-legacy.bin").path
        XCTAssertThrowsError(try TorchCheckpointFile(path: path)) { error in
            XCTAssertEqual(error as? FormatError, .legacyTorchFormat(path: path))
            XCTAssertTrue("\(error)".contains("re-save it with torch.save"), "\(error)")
        }
    }

    func testCompressedEntryIsRefused() {
        XCTAssertThrowsError(try TorchCheckpointFile(path: Fixtures.url("formats/torch-deflated.bin").path)) { error in
            guard case let .compressedEntry(_, entry, method) = error as? FormatError else { return XCTFail("\(error)") }
            XCTAssertTrue(entry.hasPrefix("torch-tensors/"), entry)
            XCTAssertEqual(method, 8)
        }
    }

    func testForbiddenGlobalsAreRefusedByName() throws {
        let namespace = Fixtures.url("formats/torch-namespace.bin").path
        XCTAssertThrowsError(try TorchCheckpointFile(path: namespace)) { error in
            XCTAssertEqual(error as? FormatError, .forbiddenPickleGlobal(path: namespace, name: "argparse.Namespace"))
        }
        let echo = PickleBytes.string("echo unsafe")
        let crafted: [(pickle: [UInt8], name: String)] = [
            ([0x80, 0x02] + PickleBytes.global("os", "system") + echo + [0x85, 0x52, 0x2E], "os.system"),
            // Protocol 4's STACK_GLOBAL names it with two strings.
            ([0x80, 0x04] + PickleBytes.string("builtins") + PickleBytes.string("eval") + [0x93] + echo + [0x85, 0x52, 0x2E],
             "builtins.eval"),
            // Inside a state dict, in place of the tensor rebuild function.
            ([0x80, 0x02, 0x7D] + PickleBytes.string("w") + PickleBytes.global("torch", "load") + echo + [0x85, 0x52, 0x73, 0x2E],
             "torch.load"),
        ]
        for item in crafted {
            let file = TemporaryFile(bytes: ZipBuilder.checkpoint(pickle: item.pickle))
            XCTAssertThrowsError(try TorchCheckpointFile(path: file.path)) { error in
                XCTAssertEqual(error as? FormatError, .forbiddenPickleGlobal(path: file.path, name: item.name))
                XCTAssertTrue("\(error)".contains("nothing in it was run"), "\(error)")
            }
        }
    }

    func testMalformedPicklesAreTypedErrors() {
        let cases: [(pickle: [UInt8], message: String)] = [
            ([0x80, 0x02, 0x49] + Array("1\n.".utf8), "opcode 0x49"),  // text INT: not written by torch.save
            ([0x80, 0x02, 0x7D] + PickleBytes.string("w") + PickleBytes.int(1) + [0x73, 0x2E], "entry w is a int, not a tensor"),
            ([0x80, 0x02, 0x5D, 0x2E], "holds a list, not a dictionary of tensors"),
            ([0x80, 0x02, 0x68, 0x07, 0x2E], "memo entry 7"),
            ([0x80, 0x02, 0x73, 0x2E], "underflows"),
            ([0x80, 0x02, 0x7D, 0x28] + PickleBytes.string("w") + [0x75, 0x2E], "odd number"),
            ([0x80, 0x02] + PickleBytes.global("torch", "FloatStorage") + [0x29, 0x52, 0x2E], "only names storage classes"),
        ]
        for item in cases {
            let file = TemporaryFile(bytes: ZipBuilder.checkpoint(pickle: item.pickle))
            XCTAssertThrowsError(try TorchCheckpointFile(path: file.path)) { error in
                guard case .invalidPickle = error as? FormatError else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains(item.message), "\(error)")
            }
        }
    }

    /// A million nested tuples and lists (a few megabytes of pickle): refused, and torn down
    /// without recursing once per level (which would overflow the stack).
    func testDeeplyNestedContainersAreRefusedWithoutOverflowingTheStack() {
        let depth = 1_000_000
        let nestedTuples: [UInt8] = [0x80, 0x02, 0x4B, 0x01] + [UInt8](repeating: 0x85, count: depth) + [0x2E]
        // Each new list is put in memo slot 0 after the previous one is appended to it.
        let nestedLists: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00]
            + [UInt8]((0..<depth).flatMap { _ in [0x5D, 0x68, 0x00, 0x61, 0x71, 0x00] as [UInt8] }) + [0x2E]
        for (pickle, kind) in [(nestedTuples, "tuple"), (nestedLists, "list")] {
            let file = TemporaryFile(bytes: ZipBuilder.checkpoint(pickle: pickle))
            XCTAssertThrowsError(try TorchCheckpointFile(path: file.path)) { error in
                XCTAssertTrue("\(error)".contains("holds a \(kind), not a dictionary of tensors"), "\(error)")
            }
        }
    }

    func testViewsOutsideTheirStorageAreRefused() {
        let storage = GGUFBuilder.floats([1, 2, 3, 4])
        let cases: [(pickle: [UInt8], check: (FormatError) -> Bool)] = [
            (PickleBytes.stateDict("w", key: "0", numel: 4, offset: 1, size: [2, 2], stride: [2, 1]),
             { $0 == .offsetOutOfRange(tensor: "w", end: 20, limit: 16) }),
            // LONG1 offset 2^63 - 1: the end in bytes overflows and is reported, not trapped on.
            (PickleBytes.stateDict("w", key: "0", numel: 4, offset: 0, size: [1], stride: [1],
                                   pickledOffset: [0x8A, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
             { $0 == .offsetOutOfRange(tensor: "w", end: Int.max, limit: 16) }),
            // A stride-0 broadcast of 4 floats to 2^32 × 2^24 elements: refused before allocating.
            (PickleBytes.stateDict("w", key: "0", numel: 4, offset: 0, size: [1], stride: [1],
                                   pickledShape: [0x28, 0x8A, 5, 0, 0, 0, 0, 1, 0x8A, 4, 0, 0, 0, 1, 0x74],
                                   pickledStride: [0x28, 0x4B, 0, 0x4B, 0, 0x74]),
             {
                 guard case let .invalidPickle(_, reason) = $0 else { return false }
                 return reason.contains("more bytes than the whole file")
             }),
            (PickleBytes.stateDict("w", key: "0", numel: 5, offset: 0, size: [4], stride: [1]),
             { $0 == .byteLengthMismatch(tensor: "w", shape: [5], dtype: "F32", expected: 20, actual: 16) }),
            (PickleBytes.stateDict("w", key: "1", numel: 4, offset: 0, size: [4], stride: [1]),
             { if case .invalidArchive = $0 { return true } else { return false } }),
            (PickleBytes.stateDict("w", key: "0", numel: 4, offset: 0, size: [2, 2], stride: [1]),
             { if case .invalidPickle = $0 { return true } else { return false } }),
        ]
        for item in cases {
            let file = TemporaryFile(bytes: ZipBuilder.checkpoint(pickle: item.pickle, storages: ["0": storage]))
            XCTAssertThrowsError(try TorchCheckpointFile(path: file.path)) { error in
                guard let error = error as? FormatError else { return XCTFail("untyped \(error)") }
                XCTAssertTrue(item.check(error), "\(error)")
            }
        }
    }

    func testNotAZipFile() {
        let file = TemporaryFile(bytes: Array("{\"not\": \"torch\"}".utf8))
        XCTAssertThrowsError(try TorchCheckpointFile(path: file.path)) { error in
            XCTAssertEqual(error as? FormatError, .badMagic(path: file.path, expected: "PyTorch zip checkpoint (torch.save)"))
        }
    }

    /// Every prefix of a real checkpoint is refused with a typed error, never a crash.
    func testTruncatedFilesAreTypedErrors() throws {
        let bytes = try [UInt8](Data(contentsOf: Fixtures.url("formats/torch-tensors.bin")))
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try TorchCheckpointFile(file: inMemory(bytes[..<length])), "cut at \(length)") { error in
                XCTAssertTrue(error is FormatError, "cut at \(length): \(error)")
            }
        }
    }

    /// Every byte of the pickle overwritten in turn: the file loads or is refused with a typed error.
    func testCorruptPickleBytesNeverCrash() throws {
        let url = Fixtures.url("formats/torch-tensors.bin")
        let bytes = try [UInt8](Data(contentsOf: url))
        let archive = try ZipArchive(file: MappedFile(path: url.path))
        let pickle = try archive.contents(of: XCTUnwrap(archive.entry(named: "torch-tensors/data.pkl")))
        let start = pickle.baseAddress! - archive.file.bytes.baseAddress!
        for position in start..<(start + pickle.count) {
            for value: UInt8 in [0x00, 0xFF, bytes[position] &+ 1] {
                var corrupt = bytes
                corrupt[position] = value
                do { _ = try TorchCheckpointFile(file: inMemory(corrupt[...])) } catch {
                    XCTAssertTrue(error is FormatError, "byte \(position) = \(value): \(error)")
                }
            }
        }
    }

    /// The bytes as a `MappedFile` without a file (thousands of variants, no disk traffic).
    private func inMemory(_ bytes: ArraySlice<UInt8>) -> MappedFile {
        MappedFile(path: "variant.bin", count: bytes.count) { $0.copyBytes(from: bytes) }
    }
}

import FuzzSupport
import ZOFormats

/// GGUF header, metadata and tensor directory (`GGUFFile`), then the decoders on the tensors it finds.
LibFuzzer.run { input in
    guard let file = try? GGUFFile(file: .holding(input)) else { return }
    decodeSmallTensors(file.tensors)
}

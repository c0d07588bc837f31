import FuzzSupport
import ZOFormats

/// safetensors header length, JSON header and data offsets (`SafetensorsFile`), then the dtype decoders.
LibFuzzer.run { input in
    guard let file = try? SafetensorsFile(file: .holding(input)) else { return }
    decodeSmallTensors(file.tensors)
}

import ZOFormats

/// Decodes every tensor of at most `maxElements` elements, so the decoders (dequantizers, dtype
/// conversions) run on the bytes a fuzzed header points them at. Larger ones are skipped: their
/// size is bounded by the input anyway, and decoding them would only slow the fuzzer down.
public func decodeSmallTensors(_ tensors: [StoredTensor], maxElements: Int = 1 << 16) {
    for tensor in tensors where tensor.elementCount <= maxElements {
        _ = try? tensor.floats()
    }
}

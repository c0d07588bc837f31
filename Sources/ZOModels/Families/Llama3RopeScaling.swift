import Foundation
import ZOTensor

/// Llama 3.1/3.2's rotary frequency scaling (`"rope_type": "llama3"`): frequencies whose wavelength
/// exceeds the original context (`originalContext / lowFrequencyFactor`) are divided by `factor`,
/// those shorter than `originalContext / highFrequencyFactor` are kept, and the band between is
/// blended. The result is a divisor per frequency — exactly what llama.cpp's converter stores as
/// `rope_freqs.weight` — so HF folders and GGUF files reach the same `RotaryEmbedding`.
struct Llama3RopeScaling: Equatable {
    var factor: Double
    var lowFrequencyFactor: Double
    var highFrequencyFactor: Double
    var originalContext: Double

    /// The llama3 parameters of `rope_scaling` / `rope_parameters`; every one is required and
    /// positive, as transformers requires them.
    init(_ parameters: RopeParameters, fail: (String) -> ModelError) throws {
        typealias Key = RopeParameters.CodingKeys
        func positive(_ number: ConfigNumber?, _ key: Key) throws -> Double {
            guard let value = number?.value, value > 0 else { throw fail("llama3 rope scaling needs a positive \(key.stringValue)") }
            return value
        }
        factor = try positive(parameters.factor, .factor)
        lowFrequencyFactor = try positive(parameters.lowFrequencyFactor, .lowFrequencyFactor)
        highFrequencyFactor = try positive(parameters.highFrequencyFactor, .highFrequencyFactor)
        originalContext = try positive(parameters.originalContext, .originalContext)
        guard highFrequencyFactor > lowFrequencyFactor else {
            throw fail("llama3 rope scaling needs \(Key.highFrequencyFactor.stringValue) > \(Key.lowFrequencyFactor.stringValue)")
        }
    }

    /// The divisor of each of the `headDim / 2` inverse frequencies `base^(−2i/headDim)`
    /// (transformers' `_compute_llama3_parameters`).
    func frequencyDivisors(headDim: Int, base: Float) -> [Double] {
        let longest = originalContext / lowFrequencyFactor, shortest = originalContext / highFrequencyFactor
        return RotaryEmbedding.defaultInverseFrequencies(headDim: headDim, base: base).map { frequency in
            let wavelength = 2 * Double.pi / Double(frequency)
            if wavelength < shortest { return 1 }
            if wavelength > longest { return factor }
            let smooth = (originalContext / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor)
            return 1 / ((1 - smooth) / factor + smooth)
        }
    }
}

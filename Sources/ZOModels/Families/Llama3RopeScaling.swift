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

    /// Reads `rope_scaling` / `rope_parameters` of type llama3; every field is required, as
    /// transformers requires them.
    init(_ parameters: [String: Any], config: ConfigReader) throws {
        func number(_ key: String) throws -> Double {
            guard let value = (parameters[key] as? NSNumber)?.doubleValue, value.isFinite, value > 0 else {
                throw config.fail("llama3 rope scaling needs a positive \(key)")
            }
            return value
        }
        factor = try number("factor")
        lowFrequencyFactor = try number("low_freq_factor")
        highFrequencyFactor = try number("high_freq_factor")
        originalContext = try number("original_max_position_embeddings")
        guard highFrequencyFactor > lowFrequencyFactor else {
            throw config.fail("llama3 rope scaling needs high_freq_factor > low_freq_factor")
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

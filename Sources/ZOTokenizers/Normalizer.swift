/// Text normalization applied to the text between added tokens, before pre-tokenization.
///
/// Byte-level BPE models (GPT-2, SmolLM2, Llama 3) normally have none; NFC is supported because it
/// is the one other normalizer such tokenizers occasionally carry. Anything else is rejected at load
/// time, since it would change the ids.
///
/// NFC uses the standard library's normalizer (`String._nfcCodeUnits`, public but underscored).
/// Foundation's `precomposedStringWithCanonicalMapping` was tried first and rejected: on Linux it
/// gets Hangul LV+T composition, the Hangul V range and some canonical-ordering cases (Tibetan
/// U+0F73 + U+0301) wrong, where HF is right.
enum Normalizer: Sendable, Equatable {
    case none
    case nfc

    /// Applies the normalizer to `text` (valid UTF-8).
    func apply(_ text: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .none:
            return Array(text)
        case .nfc:
            return String(decoding: text, as: UTF8.self)._nfcCodeUnits
        }
    }

    func apply(_ text: String) -> String {
        switch self {
        case .none: return text
        case .nfc: return String(decoding: text._nfcCodeUnits, as: UTF8.self)
        }
    }
}

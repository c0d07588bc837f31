/// Text normalization applied to the text between added tokens, before pre-tokenization: HF's
/// `normalizer`, a sequence of steps.
///
/// Byte-level BPE models (GPT-2, SmolLM2, Llama 3) normally have none or NFC; BERT-family WordPiece
/// models have `BertNormalizer`, or a Sequence of NFD, Lowercase and StripAccents; SentencePiece BPE
/// models (LLaMA-1/2, Mistral) have Sequence[Prepend("▁"), Replace(" ", "▁")]. Anything else is
/// rejected at load time, since it would change the ids.
///
/// NFC uses the standard library's normalizer (`String._nfcCodeUnits`, public but underscored).
/// Foundation's `precomposedStringWithCanonicalMapping` was tried first and rejected: on Linux it
/// gets Hangul LV+T composition, the Hangul V range and some canonical-ordering cases (Tibetan
/// U+0F73 + U+0301) wrong, where HF is right. NFD follows HF's older tables (`CanonicalDecomposition`).
struct Normalizer: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        /// HF `NFC`.
        case nfc
        /// HF `NFD`.
        case nfd
        /// HF `Lowercase`: each scalar's full lowercase mapping (no context, unlike `String.lowercased()`'s final sigma).
        case lowercase
        /// HF `StripAccents`: drops nonspacing marks (it does not decompose; an NFD usually precedes it).
        case stripAccents
        /// HF `BertNormalizer`.
        case bert(BertNormalizerOptions)
        /// HF `Prepend`: puts `text` before non-empty input (SentencePiece's dummy-prefix `▁`).
        case prepend([Unicode.Scalar])
        /// HF `Replace` with a string pattern: every non-overlapping occurrence, left to right.
        case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    }

    var steps: [Step]

    static let none = Normalizer(steps: [])
    static let nfc = Normalizer(steps: [.nfc])

    /// Applies the normalizer to `text` (valid UTF-8).
    func apply(_ text: ArraySlice<UInt8>) -> [UInt8] {
        if steps.isEmpty { return Array(text) }
        if steps == [.nfc] { return String(decoding: text, as: UTF8.self)._nfcCodeUnits }
        var scalars = Array(String(decoding: text, as: UTF8.self).unicodeScalars)
        for step in steps { scalars = Self.apply(step, scalars) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count + 8)
        for scalar in scalars { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        return bytes
    }

    func apply(_ text: String) -> String {
        steps.isEmpty ? text : String(decoding: apply(Array(text.utf8)[...]), as: UTF8.self)
    }

    private static func apply(_ step: Step, _ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch step {
        case .nfc:
            var string = String.UnicodeScalarView()
            string.append(contentsOf: scalars)
            return Array(String(decoding: String(string)._nfcCodeUnits, as: UTF8.self).unicodeScalars)
        case .nfd:
            return CanonicalDecomposition.decompose(scalars)
        case .lowercase:
            return lowercase(scalars)
        case .stripAccents:
            return stripAccents(scalars)
        case let .bert(options):
            return options.apply(scalars)
        case let .prepend(text):
            return scalars.isEmpty ? scalars : text + scalars
        case let .replace(pattern, content):
            return replacing(pattern, with: content, in: scalars)
        }
    }

    /// Rust `str::replace` on scalars or bytes, compared exactly (no canonical equivalence); an empty
    /// pattern changes nothing (the loader rejects one).
    static func replacing<T: Equatable>(_ pattern: [T], with content: [T], in text: [T]) -> [T] {
        guard !pattern.isEmpty, text.count >= pattern.count else { return text }
        var out: [T] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count && text[i] == pattern[0] && text[i..<(i + pattern.count)].elementsEqual(pattern) {
                out += content
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// Rust `char::to_lowercase` per scalar (matches the standard library's mapping for every scalar;
    /// checked exhaustively against tokenizers 0.23.3).
    static func lowercase(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                out.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// Drops nonspacing marks (Mn in HF's Unicode 8.0 tables).
    static func stripAccents(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        scalars.filter { !UnicodeCategoriesCrate.isNonspacingMark($0) }
    }
}

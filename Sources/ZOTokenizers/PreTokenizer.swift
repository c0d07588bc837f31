/// The pre-tokenization pipeline: a list of splitting steps applied in order to each text segment
/// (the text between added tokens), mirroring HF's `Sequence` of pre-tokenizers. The final byte-level
/// mapping of HF's `ByteLevel` is implicit: pieces stay raw UTF-8 bytes and the BPE model is keyed
/// by bytes. WordPiece models split into words instead (`words`), with no byte-level step; SentencePiece
/// BPE models have no step, or `Metaspace`.
struct PreTokenizer: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        /// HF `Digits`: isolate numeric scalars (each one alone, or contiguous runs).
        case digits(individual: Bool)
        /// HF `ByteLevel(add_prefix_space: true)`: prepend U+0020 unless the piece starts with one.
        case prefixSpace
        /// The GPT-2 regex split (HF `ByteLevel(use_regex: true)` or `Split` with that pattern).
        case gpt2Split
        /// HF `Split` with the Llama 3 pattern (`maxDigits` 3) or the Qwen2 pattern (`maxDigits` 1).
        case llama3Split(maxDigits: Int)
        /// HF `BertPreTokenizer`, `WhitespaceSplit` or `Whitespace` (see `WordSplitter`).
        case words(WordSplitter.Rule)
        /// HF `Metaspace` (SentencePiece models): spaces become the replacement (`▁`), see `MetaspaceSplit`.
        case metaspace(MetaspaceSplit)
    }

    var steps: [Step]

    /// SmolLM2's pre-tokenizer: Sequence[Digits(individual_digits), ByteLevel(use_regex)].
    static let smolLM = PreTokenizer(steps: [.digits(individual: true), .gpt2Split])
    /// GPT-2's: ByteLevel(add_prefix_space: false, use_regex: true).
    static let gpt2 = PreTokenizer(steps: [.gpt2Split])
    /// Llama 3's: Sequence[Split(Llama 3 pattern, Isolated), ByteLevel(use_regex: false)].
    static let llama3 = PreTokenizer(steps: [.llama3Split(maxDigits: 3)])
    /// Qwen2's: Sequence[Split(Qwen2 pattern, Isolated), ByteLevel(use_regex: false)].
    static let qwen2 = PreTokenizer(steps: [.llama3Split(maxDigits: 1)])

    /// Splits `segment` and appends the pieces (non-empty byte arrays) to `pieces`. `startsText` says
    /// the segment begins at offset 0 of the original text (HF `offsets_original().0 == 0`), which
    /// Metaspace's `prepend_scheme: "first"` asks about; only a first step sees the whole segment, so the
    /// loader accepts that scheme only there.
    func run(_ segment: ArraySlice<UInt8>, startsText: Bool = false, into pieces: inout [ArraySlice<UInt8>]) {
        if segment.isEmpty { return }
        var current: [ArraySlice<UInt8>] = [segment]
        var next: [ArraySlice<UInt8>] = []
        for (index, step) in steps.enumerated() {
            next.removeAll(keepingCapacity: true)
            for piece in current { apply(step, piece, startsText: startsText && index == 0, &next) }
            swap(&current, &next)
        }
        pieces.append(contentsOf: current)
    }

    private func apply(_ step: Step, _ piece: ArraySlice<UInt8>, startsText: Bool, _ out: inout [ArraySlice<UInt8>]) {
        switch step {
        case let .metaspace(metaspace):
            metaspace.split(piece, startsText: startsText, into: &out)
        case .prefixSpace:
            if piece.first == 0x20 {
                out.append(piece)
            } else {
                var bytes: [UInt8] = [0x20]
                bytes.append(contentsOf: piece)
                out.append(bytes[...])
            }
        case .gpt2Split:
            piece.withUnsafeBufferPointer { buf in
                let base = piece.startIndex
                GPT2PreTokenizer.split(buf, 0..<buf.count) { r in
                    out.append(piece[(base + r.lowerBound)..<(base + r.upperBound)])
                }
            }
        case let .llama3Split(maxDigits):
            piece.withUnsafeBufferPointer { buf in
                let base = piece.startIndex
                Llama3PreTokenizer.split(buf, 0..<buf.count, maxDigits: maxDigits) { r in
                    out.append(piece[(base + r.lowerBound)..<(base + r.upperBound)])
                }
            }
        case let .words(rule):
            WordSplitter.split(piece, rule: rule, into: &out)
        case let .digits(individual):
            piece.withUnsafeBufferPointer { buf in
                let base = piece.startIndex
                var runStart = 0
                var runIsNumber = false
                var i = 0
                while i < buf.count {
                    let (v, len) = decodeUTF8(buf, i)
                    let isNumber = ScalarClass.isRustNumeric(v)
                    if i > runStart && (isNumber != runIsNumber || (isNumber && individual)) {
                        out.append(piece[(base + runStart)..<(base + i)])
                        runStart = i
                    }
                    runIsNumber = isNumber
                    i += len
                }
                if runStart < buf.count { out.append(piece[(base + runStart)..<(base + buf.count)]) }
            }
        }
    }
}

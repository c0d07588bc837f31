/// HF's encoding pipeline, shared by every model: added tokens are cut out of the raw text first
/// (non-normalized ones), the rest is normalized, cut again on normalized added tokens, pre-tokenized,
/// and each piece is handed to the subword model; the post-processor's special tokens go around the result.
/// Internally everything is UTF-8 bytes.
struct EncodingPipeline: Sendable {
    let normalizer: Normalizer
    let preTokenizer: PreTokenizer
    let postProcessor: PostProcessor
    /// Added tokens matched on the raw input (HF `normalized: false`, e.g. special tokens).
    let rawSplitter: AddedTokenSplitter
    /// Added tokens matched after normalization (HF `normalized: true`).
    let normalizedSplitter: AddedTokenSplitter

    init(_ definition: TokenizerDefinition) {
        // Added-token matchers: one on raw text, one on normalized text (patterns normalized too).
        var rules: [Int32: AddedTokenSplitter.Rules] = [:]
        var rawPatterns: [AddedTokenSplitter.Match] = []
        var normalizedPatterns: [AddedTokenSplitter.Match] = []
        for token in definition.addedTokens {
            rules[token.id] = AddedTokenSplitter.Rules(lstrip: token.lstrip, rstrip: token.rstrip, singleWord: token.singleWord)
            if token.normalized {
                normalizedPatterns.append(.init(bytes: Array(definition.normalizer.apply(token.content).utf8), id: token.id))
            } else {
                rawPatterns.append(.init(bytes: Array(token.content.utf8), id: token.id))
            }
        }
        rawSplitter = AddedTokenSplitter(patterns: rawPatterns, rules: rules)
        normalizedSplitter = AddedTokenSplitter(patterns: normalizedPatterns, rules: rules)
        normalizer = definition.normalizer
        preTokenizer = definition.preTokenizer
        postProcessor = definition.postProcessor
    }

    /// Encodes `text`, handing each pre-tokenized piece to `model`.
    func encode<Model: SubwordModel>(_ text: String, addSpecialTokens: Bool, model: Model) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 2 + 4)
        if addSpecialTokens { ids += postProcessor.prefix }
        var state = State(scratch: model.makeScratch())
        let bytes = Array(text.utf8)
        let segments = bytes.withUnsafeBufferPointer { rawSplitter.split($0, 0..<$0.count) }
        for segment in segments {
            switch segment {
            case let .token(id):
                ids.append(Int(id))
            case let .text(range):
                let startsText = range.lowerBound == 0
                if normalizer == .none {
                    encodeNormalized(bytes, range, startsText: startsText, model: model, into: &ids, state: &state)
                } else {
                    let normalized = normalizer.apply(bytes[range])
                    encodeNormalized(normalized, 0..<normalized.count, startsText: startsText, model: model, into: &ids, state: &state)
                }
            }
        }
        if addSpecialTokens { ids += postProcessor.suffix }
        return ids
    }

    private struct State<Scratch> {
        var pieces: [ArraySlice<UInt8>] = []
        var scratch: Scratch
    }

    /// Normalized text -> second added-token pass -> pre-tokenizer -> model. `startsText`: `range` is
    /// the start of the input text (not after an added token).
    private func encodeNormalized<Model: SubwordModel>(
        _ text: [UInt8], _ range: Range<Int>, startsText: Bool, model: Model, into ids: inout [Int],
        state: inout State<Model.Scratch>
    ) {
        let segments: [AddedTokenSplitter.Segment] = normalizedSplitter.isEmpty
            ? (range.isEmpty ? [] : [.text(range)])
            : text.withUnsafeBufferPointer { normalizedSplitter.split($0, range) }
        for segment in segments {
            switch segment {
            case let .token(id):
                ids.append(Int(id))
            case let .text(r):
                state.pieces.removeAll(keepingCapacity: true)
                preTokenizer.run(text[r], startsText: startsText && r.lowerBound == range.lowerBound, into: &state.pieces)
                for piece in state.pieces {
                    model.encode(piece, into: &ids, scratch: &state.scratch)
                }
            }
        }
    }
}

/// A subword model as the pipeline drives it: pre-tokenized pieces in, ids out.
protocol SubwordModel {
    /// Reusable buffers, made once per `encode` call.
    associatedtype Scratch
    func makeScratch() -> Scratch
    func encode(_ piece: ArraySlice<UInt8>, into ids: inout [Int], scratch: inout Scratch)
}

extension BPEModel: SubwordModel {
    func makeScratch() -> Scratch { Scratch() }
}

extension WordPieceModel: SubwordModel {
    func makeScratch() -> Scratch { Scratch() }
}

extension SentencePieceScoreModel: SubwordModel {
    func makeScratch() -> Scratch { Scratch() }
}

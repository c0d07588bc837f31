/// Reading `decoder`: ByteLevel (or a Sequence of ByteLevel) for byte-level BPE, WordPiece for
/// WordPiece, a Sequence of Replace / ByteFallback / Fuse / Strip / Metaspace for SentencePiece BPE.
/// Another decoder would produce different text, so it is rejected.
extension TokenizerJSON {
    static func parseDecoder(_ node: JSONNode?, model: SubwordModelKind) throws -> TokenDecoder {
        guard let node else {
            throw TokenizerError.unsupportedOption(path: "decoder", value: "null (a \(requiredDecoder(model)) decoder is required)")
        }
        switch model {
        case .bpe:
            try checkByteLevel(node)
            return .byteLevel
        case .wordPiece:
            let typeNode = try node.requiredField("type")
            guard try typeNode.string() == "WordPiece" else {
                throw TokenizerError.unsupportedComponent(type: try typeNode.string(), path: typeNode.path)
            }
            return .wordPiece(prefix: try node.optionalField("prefix")?.string() ?? "##",
                              cleanup: try node.bool("cleanup", default: true))
        case .sentencePieceBPE:
            var steps: [PieceDecoderStep] = []
            try collectPieceSteps(node, into: &steps)
            return .pieces(steps)
        }
    }

    private static func requiredDecoder(_ model: SubwordModelKind) -> String {
        switch model {
        case .bpe: return "ByteLevel"
        case .wordPiece: return "WordPiece"
        case .sentencePieceBPE: return "Replace/ByteFallback/Fuse/Strip or Metaspace"
        }
    }

    /// ByteLevel, or a non-empty Sequence of them.
    private static func checkByteLevel(_ node: JSONNode) throws {
        let typeNode = try node.requiredField("type")
        switch try typeNode.string() {
        case "ByteLevel":
            return
        case "Sequence":
            let children = try node.requiredField("decoders").array()
            guard !children.isEmpty else {
                throw TokenizerError.unsupportedOption(path: "\(node.path).decoders", value: "[] (a ByteLevel decoder is required)")
            }
            for child in children { try checkByteLevel(child) }
        case let type:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }

    private static func collectPieceSteps(_ node: JSONNode, into steps: inout [PieceDecoderStep]) throws {
        let typeNode = try node.requiredField("type")
        switch try typeNode.string() {
        case "Sequence":
            for child in try node.requiredField("decoders").array() { try collectPieceSteps(child, into: &steps) }
        case "Replace":
            let (pattern, content) = try parseReplace(node)
            steps.append(.replace(pattern: pattern, content: content))
        case "ByteFallback":
            steps.append(.byteFallback)
        case "Fuse":
            steps.append(.fuse)
        case "Strip":
            let contentNode = try node.requiredField("content")
            let content = Array(try contentNode.string().unicodeScalars)
            guard content.count == 1 else {
                throw TokenizerError.invalidField(path: contentNode.path, expected: "a single character")
            }
            let start = try node.requiredField("start").int(), stop = try node.requiredField("stop").int()
            guard start >= 0, stop >= 0 else {
                throw TokenizerError.invalidField(path: "\(node.path).start", expected: "non-negative start and stop")
            }
            steps.append(.strip(content: content[0], start: start, stop: stop))
        case "Metaspace":
            let metaspace = try parseMetaspace(node)
            let replacement = String(decoding: metaspace.replacement, as: UTF8.self).unicodeScalars.first!
            steps.append(.metaspace(replacement: replacement, prependScheme: metaspace.prependScheme))
        case let type:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }
}

/// Reading `decoder`: ByteLevel (or a Sequence of ByteLevel) for byte-level BPE, WordPiece for
/// WordPiece. Another decoder would produce different text, so it is rejected.
extension TokenizerJSON {
    static func parseDecoder(_ node: JSONNode?, model: ModelType) throws -> TokenDecoder {
        let required = model == .bpe ? "ByteLevel" : "WordPiece"
        guard let node else {
            throw TokenizerError.unsupportedOption(path: "decoder", value: "null (a \(required) decoder is required)")
        }
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        switch (model, type) {
        case (.bpe, "ByteLevel"):
            return .byteLevel
        case (.bpe, "Sequence"):
            let children = try node.requiredField("decoders").array()
            guard !children.isEmpty else {
                throw TokenizerError.unsupportedOption(path: "decoder.decoders", value: "[] (a ByteLevel decoder is required)")
            }
            for child in children { _ = try parseDecoder(child, model: model) }
            return .byteLevel
        case (.wordPiece, "WordPiece"):
            return .wordPiece(prefix: try node.optionalField("prefix")?.string() ?? "##",
                              cleanup: try node.bool("cleanup", default: true))
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }
}

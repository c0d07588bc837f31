/// Reading `normalizer` (NFC, NFD, Lowercase, StripAccents, BertNormalizer, or a Sequence of those).
extension TokenizerJSON {
    static func parseNormalizer(_ node: JSONNode?) throws -> Normalizer {
        guard let node else { return .none }
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        switch type {
        case "NFC":
            return .nfc
        case "NFD":
            return Normalizer(steps: [.nfd])
        case "Lowercase":
            return Normalizer(steps: [.lowercase])
        case "StripAccents":
            return Normalizer(steps: [.stripAccents])
        case "BertNormalizer":
            var options = BertNormalizerOptions()
            options.cleanText = try node.bool("clean_text", default: true)
            options.handleChineseChars = try node.bool("handle_chinese_chars", default: true)
            options.stripAccents = try node.optionalField("strip_accents")?.bool()
            options.lowercase = try node.bool("lowercase", default: true)
            return Normalizer(steps: [.bert(options)])
        case "Sequence":
            var steps: [Normalizer.Step] = []
            for child in try node.requiredField("normalizers").array() {
                steps += try parseNormalizer(child).steps
            }
            return Normalizer(steps: steps)
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }
}

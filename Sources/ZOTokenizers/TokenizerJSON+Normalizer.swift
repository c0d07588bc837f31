/// Reading `normalizer` (NFC, NFD, Lowercase, StripAccents, BertNormalizer, Prepend, Replace with a
/// string pattern, or a Sequence of those).
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
        case "Prepend":
            return Normalizer(steps: [.prepend(Array(try node.requiredField("prepend").string().unicodeScalars))])
        case "Replace":
            let (pattern, content) = try parseReplace(node)
            return Normalizer(steps: [.replace(pattern: pattern, content: content)])
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

    /// A `Replace` normalizer or decoder: `{"pattern": {"String": " "}, "content": "▁"}`. Regex patterns
    /// and an empty string pattern are rejected.
    static func parseReplace(_ node: JSONNode) throws -> (pattern: [Unicode.Scalar], content: [Unicode.Scalar]) {
        let patternNode = try node.requiredField("pattern")
        guard let stringNode = try patternNode.field("String") else {
            throw TokenizerError.unsupportedOption(path: patternNode.path, value: "a non-String pattern")
        }
        let pattern = Array(try stringNode.string().unicodeScalars)
        if pattern.isEmpty { throw TokenizerError.unsupportedOption(path: stringNode.path, value: "\"\"") }
        return (pattern, Array(try node.requiredField("content").string().unicodeScalars))
    }
}

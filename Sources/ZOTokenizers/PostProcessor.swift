/// The special tokens a post-processor wraps around one encoded sequence (HF `TemplateProcessing`,
/// single-sequence template only), e.g. a BOS id in front. `ByteLevel` post-processing only touches
/// offsets, so it contributes nothing here.
struct PostProcessor: Sendable, Equatable {
    var prefix: [Int] = []
    var suffix: [Int] = []

    static let none = PostProcessor()

    /// Parses `post_processor` (null, ByteLevel, TemplateProcessing, or a Sequence of those).
    static func parse(_ node: JSONNode?) throws -> PostProcessor {
        guard let node, !node.isNull else { return .none }
        let type = try node.requiredField("type").string()
        switch type {
        case "ByteLevel":
            return .none
        case "TemplateProcessing":
            return try parseTemplate(node)
        case "Sequence":
            var result = PostProcessor.none
            var sawTemplate = false
            for child in try node.requiredField("processors").array() {
                let p = try parse(child)
                if !p.prefix.isEmpty || !p.suffix.isEmpty {
                    if sawTemplate {
                        throw TokenizerError.unsupportedOption(path: child.path, value: "a second TemplateProcessing")
                    }
                    sawTemplate = true
                    result = p
                }
            }
            return result
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: "\(node.path).type")
        }
    }

    private static func parseTemplate(_ node: JSONNode) throws -> PostProcessor {
        // special_tokens: name -> {"id": name, "ids": [...], "tokens": [...]}
        var specialIDs: [String: [Int]] = [:]
        if let specials = try node.optionalField("special_tokens") {
            for (name, entry) in try specials.members() {
                specialIDs[name] = try entry.requiredField("ids").array().map { try $0.int() }
            }
        }
        var result = PostProcessor()
        var seenSequence = false
        for item in try node.requiredField("single").array() {
            if let special = try item.field("SpecialToken") {
                let nameNode = try special.requiredField("id")
                let name = try nameNode.string()
                guard let ids = specialIDs[name] else {
                    throw TokenizerError.invalidField(path: nameNode.path, expected: "a name listed in special_tokens")
                }
                if seenSequence { result.suffix += ids } else { result.prefix += ids }
            } else if let sequence = try item.field("Sequence") {
                let idNode = try sequence.requiredField("id")
                guard try idNode.string() == "A", !seenSequence else {
                    throw TokenizerError.unsupportedOption(path: idNode.path, value: "\(try idNode.string()) (single template must contain sequence A once)")
                }
                seenSequence = true
            } else {
                throw TokenizerError.invalidField(path: item.path, expected: "{\"SpecialToken\": ...} or {\"Sequence\": ...}")
            }
        }
        guard seenSequence else {
            throw TokenizerError.invalidField(path: "\(node.path).single", expected: "a template containing sequence A")
        }
        return result
    }
}

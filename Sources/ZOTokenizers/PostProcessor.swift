/// The special tokens a post-processor wraps around one encoded sequence (HF `TemplateProcessing`,
/// single-sequence template only; `BertProcessing` and `RobertaProcessing`, which are fixed templates
/// `cls A sep`), e.g. a BOS id in front. `ByteLevel` post-processing, and RoBERTa's `trim_offsets` /
/// `add_prefix_space`, only touch offsets, so they contribute nothing here.
struct PostProcessor: Sendable, Equatable {
    var prefix: [Int] = []
    var suffix: [Int] = []
    /// The classifier and separator ids, when the post-processor names them (`BertProcessing`,
    /// `RobertaProcessing`); a template only lists ids, whose roles it does not say.
    var classifierID: Int? = nil
    var separatorID: Int? = nil

    static let none = PostProcessor()

    /// Parses `post_processor` (null, ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing,
    /// or a Sequence of those).
    static func parse(_ node: JSONNode?) throws -> PostProcessor {
        guard let node, !node.isNull else { return .none }
        let type = try node.requiredField("type").string()
        switch type {
        case "ByteLevel":
            return .none
        case "TemplateProcessing":
            return try parseTemplate(node)
        case "BertProcessing", "RobertaProcessing":
            let cls = try specialTokenID(node, "cls"), sep = try specialTokenID(node, "sep")
            return PostProcessor(prefix: [cls], suffix: [sep], classifierID: cls, separatorID: sep)
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

    /// `"cls": ["[CLS]", 101]`: the id of a (token, id) pair.
    private static func specialTokenID(_ node: JSONNode, _ key: String) throws -> Int {
        let pair = try node.requiredField(key).array()
        guard pair.count == 2 else {
            throw TokenizerError.invalidField(path: "\(node.path).\(key)", expected: "a [token, id] pair")
        }
        _ = try pair[0].string()
        return try pair[1].int()
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

import Foundation

/// Building a tokenizer from the "slow" tokenizer files of a Hugging Face folder, for checkpoints that
/// ship no tokenizer.json (facebook/opt-125m, older GPT-2, RoBERTa and BERT uploads): `vocab.json` +
/// `merges.txt` (byte-level BPE) or `vocab.txt` (WordPiece), configured by `tokenizer_config.json`,
/// `special_tokens_map.json`, `added_tokens.json` and `config.json`.
///
/// The result is the `TokenizerDefinition` of the fast tokenizer transformers 5 builds from the same
/// files (`GPT2Tokenizer`, `RobertaTokenizer`, `BertTokenizer`; see `SlowTokenizerClass`), so encoding
/// gives transformers' ids, special tokens included (OPT's `</s>` in front, BERT's `[CLS]` ... `[SEP]`).
/// Any other tokenizer (a SentencePiece `spiece.model`, ...) is an error naming the files looked for.
public enum SlowTokenizerFiles {
    /// The files a folder's tokenizer is looked for in, as errors list them.
    public static let lookedFor = ["tokenizer.json", "vocab.json + merges.txt", "vocab.txt"]
    /// The vocabulary files of every supported class.
    private static let vocabularyFiles = ["vocab.json", "merges.txt", "vocab.txt"]

    /// Builds the tokenizer from the slow files of `folder`, ignoring any tokenizer.json there.
    public static func load(folder: URL) throws -> any TextTokenizer {
        try TokenizerLoader.tokenizer(for: definition(folder: folder))
    }

    static func definition(folder: URL) throws -> TokenizerDefinition {
        let options = try SlowTokenizerConfig.readObject(folder, "tokenizer_config.json")
        let present = vocabularyFiles.filter { exists(folder, $0) }
        let (kind, name) = try tokenizerClass(folder: folder, options: options)
        guard let kind else {
            if present.isEmpty && name == nil { throw TokenizerError.noTokenizerFiles(folder: folder.path, lookedFor: lookedFor) }
            throw TokenizerError.unsupportedTokenizerClass(
                name: name ?? "unnamed (no tokenizer_class, no config.json model_type)", folder: folder.path, lookedFor: lookedFor)
        }
        if present.isEmpty { throw TokenizerError.noTokenizerFiles(folder: folder.path, lookedFor: lookedFor) }
        for file in kind.files where !exists(folder, file) {
            throw TokenizerError.missingTokenizerFile(
                path: folder.appendingPathComponent(file).path, needs: "\(kind.rawValue) (\(kind.files.joined(separator: " + ")))")
        }

        let config = try SlowTokenizerConfig(folder: folder, options: options, defaults: kind.defaultSpecialTokens)
        if try config.options.bool("split_special_tokens", default: false) {
            throw TokenizerError.unsupportedOption(path: "tokenizer_config.json.split_special_tokens", value: "true")
        }
        var definition: TokenizerDefinition
        switch kind {
        case .gpt2, .roberta:
            definition = TokenizerDefinition(
                vocabulary: try readVocabularyJSON(folder.appendingPathComponent("vocab.json")),
                merges: try readMerges(folder.appendingPathComponent("merges.txt")))
            // ByteLevel(add_prefix_space, use_regex: true).
            let prefixSpace = try config.options.bool("add_prefix_space", default: false)
            definition.preTokenizer = PreTokenizer(steps: prefixSpace ? [.prefixSpace, .gpt2Split] : [.gpt2Split])
        case .bert:
            definition = TokenizerDefinition(vocabulary: try readVocabularyText(folder.appendingPathComponent("vocab.txt")), merges: [])
            definition.model = .wordPiece(continuingSubwordPrefix: "##", maxInputCharsPerWord: 100)
            guard let unknown = config.specialToken("unk_token") else {
                throw TokenizerError.invalidField(path: "tokenizer_config.json.unk_token", expected: "a token (WordPiece needs an unknown token)")
            }
            definition.unknownToken = unknown
            var bert = BertNormalizerOptions()
            bert.lowercase = try config.options.bool("do_lower_case", default: true)
            bert.handleChineseChars = try config.options.bool("tokenize_chinese_chars", default: true)
            bert.stripAccents = try config.options.optionalField("strip_accents")?.bool()
            definition.normalizer = Normalizer(steps: [.bert(bert)])
            definition.preTokenizer = PreTokenizer(steps: [.words(.bert)])
            definition.decoder = .wordPiece(prefix: "##", cleanup: true)
        }
        definition.addedTokens = TokenizerJSON.assignAddedTokenIDs(config.addedTokens, vocabulary: definition.vocabulary)
        definition.postProcessor = try postProcessor(kind, config, definition)
        return definition
    }

    // MARK: tokenizer class

    /// The class transformers' AutoTokenizer picks: tokenizer_config.json's `tokenizer_class`, else
    /// config.json's `tokenizer_class`, else the class of config.json's `model_type`. Returns the class
    /// (nil when unsupported) and what named it (nil when nothing did).
    /// The transformers tokenizer class of `folder` (nil when unsupported) and the name it was found under.
    static func tokenizerClass(folder: URL, options: JSONNode?) throws -> (SlowTokenizerClass?, String?) {
        let modelConfig = try SlowTokenizerConfig.readObject(folder, "config.json")
        for source in [options, modelConfig] {
            if let name = try source?.optionalField("tokenizer_class")?.string() {
                return (SlowTokenizerClass(className: name), name)
            }
        }
        if let modelType = try modelConfig?.optionalField("model_type")?.string() {
            return (SlowTokenizerClass(modelType: modelType), "\(modelType) (config.json model_type)")
        }
        return (nil, nil)
    }

    // MARK: post-processor

    /// GPT2Tokenizer: a template with BOS / EOS when `add_bos_token` / `add_eos_token` (OPT's files set
    /// the first); RobertaTokenizer: `RobertaProcessing` (`<s>` A `</s>`); BertTokenizer: `[CLS]` A `[SEP]`.
    private static func postProcessor(_ kind: SlowTokenizerClass, _ config: SlowTokenizerConfig,
                                      _ definition: TokenizerDefinition) throws -> PostProcessor {
        var ids: [String: Int] = [:]
        for entry in definition.vocabulary { ids[entry.token] = entry.id }
        for token in definition.addedTokens { ids[token.content] = Int(token.id) }
        func id(_ key: String) -> Int? { config.specialToken(key).flatMap { ids[$0] } }
        func required(_ key: String) throws -> Int {
            guard let id = id(key) else {
                throw TokenizerError.invalidField(path: "tokenizer_config.json.\(key)", expected: "a token (\(kind.rawValue) adds it to every sequence)")
            }
            return id
        }

        switch kind {
        case .gpt2:
            var post = PostProcessor()
            if try config.options.bool("add_bos_token", default: false), let bos = id("bos_token") { post.prefix = [bos] }
            if try config.options.bool("add_eos_token", default: false), let eos = id("eos_token") { post.suffix = [eos] }
            return post
        case .roberta:
            let cls = try required("cls_token"), sep = try required("sep_token")
            return PostProcessor(prefix: [cls], suffix: [sep], classifierID: cls, separatorID: sep)
        case .bert:
            return PostProcessor(prefix: [try required("cls_token")], suffix: [try required("sep_token")])
        }
    }

    // MARK: vocabulary files

    private static func exists(_ folder: URL, _ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
    }

    /// The file's lines as Rust's `BufRead::lines` gives them (what `tokenizers` reads these files with):
    /// split at LF, one trailing CR dropped, no empty line after a final LF. The file must be UTF-8.
    private static func lines(_ url: URL) throws -> [Substring] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "cannot be read")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "not valid UTF-8")
        }
        // Split by scalars: as Characters, CR LF is one grapheme and would not split at "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { Substring($0.last == "\r" ? $0.dropLast() : $0) }
    }

    /// `vocab.json`: an object of token -> id.
    private static func readVocabularyJSON(_ url: URL) throws -> [(token: String, id: Int)] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "cannot be read")
        }
        do {
            return try TokenizerJSON.parseVocabulary(try JSONNode.parse([UInt8](data), path: "vocab.json"))
        } catch let error as TokenizerError {
            throw TokenizerError.invalidFile(path: url.path, reason: error.description)
        }
    }

    /// `merges.txt`: `#version` lines skipped, every other line two tokens separated by one space, in rank order.
    private static func readMerges(_ url: URL) throws -> [(left: String, right: String)] {
        var merges: [(left: String, right: String)] = []
        for line in try lines(url) where !line.hasPrefix("#version") {
            let text = String(line)
            guard text.utf8.lazy.filter({ $0 == 0x20 }).count == 1 else {
                throw TokenizerError.invalidMerge(index: merges.count, merge: text, reason: "expected two tokens separated by one space in \(url.path)")
            }
            merges.append(try splitMerge(text, index: merges.count))
        }
        return merges
    }

    /// `vocab.txt`: one token a line, the id is the line number; trailing whitespace is not part of
    /// the token (`tokenizers` trims it), and a token listed twice keeps its last line.
    private static func readVocabularyText(_ url: URL) throws -> [(token: String, id: Int)] {
        try lines(url).enumerated().map { index, line in
            var scalars = Substring.UnicodeScalarView(line.unicodeScalars)
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            return (String(scalars), index)
        }
    }
}

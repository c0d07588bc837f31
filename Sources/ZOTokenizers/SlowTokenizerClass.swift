/// The transformers tokenizer classes ZOTune can build from "slow" files (no tokenizer.json), as
/// transformers 5 builds them: `GPT2Tokenizer` (GPT-2, OPT), `RobertaTokenizer` (RoBERTa, BART) and
/// `BertTokenizer` (BERT, DistilBERT, ELECTRA). The class is what decides the pipeline; the model type
/// only picks the class when `tokenizer_config.json` names none.
enum SlowTokenizerClass: String, CaseIterable {
    case gpt2 = "GPT2Tokenizer"
    case roberta = "RobertaTokenizer"
    case bert = "BertTokenizer"

    /// `tokenizer_class` values (transformers drops a `Fast` suffix; the aliases are transformers 5's,
    /// e.g. `BartTokenizer` is `RobertaTokenizer` and `DistilBertTokenizer` only renames `BertTokenizer`).
    private static let classNames: [String: SlowTokenizerClass] = [
        "GPT2Tokenizer": .gpt2,
        "RobertaTokenizer": .roberta, "BartTokenizer": .roberta, "LongformerTokenizer": .roberta,
        "BertTokenizer": .bert, "DistilBertTokenizer": .bert, "ElectraTokenizer": .bert,
    ]

    /// `config.json` `model_type` values whose transformers tokenizer is one of these classes.
    private static let modelTypes: [String: SlowTokenizerClass] = [
        "gpt2": .gpt2, "opt": .gpt2, "gpt_neo": .gpt2, "gptj": .gpt2,
        "roberta": .roberta, "bart": .roberta, "longformer": .roberta,
        "bert": .bert, "distilbert": .bert, "electra": .bert,
    ]

    init?(className: String) {
        let base = className.hasSuffix("Fast") ? String(className.dropLast(4)) : className
        guard let known = Self.classNames[base] else { return nil }
        self = known
    }

    init?(modelType: String) {
        guard let known = Self.modelTypes[modelType] else { return nil }
        self = known
    }

    /// The vocabulary files the class reads.
    var files: [String] {
        switch self {
        case .gpt2, .roberta: return ["vocab.json", "merges.txt"]
        case .bert: return ["vocab.txt"]
        }
    }

    /// The special tokens the class's `__init__` defaults to when the configuration names none.
    var defaultSpecialTokens: [String: String] {
        switch self {
        case .gpt2:
            return ["unk_token": "<|endoftext|>", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"]
        case .roberta:
            return ["bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
                    "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"]
        case .bert:
            return ["unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                    "mask_token": "[MASK]"]
        }
    }

    /// For error messages: "GPT2Tokenizer, RobertaTokenizer (vocab.json + merges.txt) and BertTokenizer (vocab.txt)".
    static var supportedSummary: String {
        "GPT2Tokenizer, RobertaTokenizer (vocab.json + merges.txt) and BertTokenizer (vocab.txt)"
    }
}

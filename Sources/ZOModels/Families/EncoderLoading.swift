import Foundation
import ZOFormats
import ZOTensor

/// Builds an `EncoderModel` from a Hugging Face folder, strictly (`WeightLoading`), and decides its head
/// from what the checkpoint holds:
/// - a masked-LM head (`cls.predictions.*`, `lm_head.*`) → `.maskedLanguageModel`, with the mask id of
///   the folder's tokenizer;
/// - else a stored `classifier.weight` → that classifier;
/// - else a new classifier of `options.classifierLabels` labels (the task's candidate count), or the
///   config's `id2label` count, or 2 (transformers' default), initialised by `initialiseClassifier`.
enum EncoderLoading {
    static func load(_ checkpoint: HuggingFaceCheckpoint, variant: EncoderVariant) throws -> EncoderModel {
        let configuration = try EncoderConfiguration.fromHuggingFace(
            ConfigReader(object: checkpoint.config, source: checkpoint.configPath), modelTypes: [variant.family],
            positionsFollowPadding: variant.positionsFollowPadding)
        let tensors = checkpoint.tensors
        let prefix = tensors.keys.contains { $0.hasPrefix(variant.headedPrefix) } ? variant.headedPrefix : ""
        let head = try self.head(checkpoint, variant: variant, prefix: prefix, configuration: configuration)
        let model = EncoderModel(configuration: configuration, variant: variant, prefix: prefix, head: head)
        let newClassifier = tensors["classifier.weight"] == nil && head.isClassifier
        try WeightLoading.fill(
            model.weights, from: tensors, source: checkpoint.folder,
            ignoring: { isIgnorable($0, variant: variant, prefix: prefix, head: head, configuration: configuration) },
            initialisedByModel: newClassifier ? ["classifier.weight", "classifier.bias"] : [])
        if newClassifier { model.initialiseClassifier() }
        return model
    }

    private static func head(
        _ checkpoint: HuggingFaceCheckpoint, variant: EncoderVariant, prefix: String, configuration: EncoderConfiguration
    ) throws -> EncoderHead {
        if checkpoint.tensors[variant.transform + ".weight"] != nil {
            let tokenizer = try TokenizerLoading.tokenizer(huggingFaceFolder: URL(fileURLWithPath: checkpoint.folder))
            guard let mask = tokenizer.specialTokenIDs.mask else {
                throw ModelError.invalidConfiguration(
                    source: checkpoint.folder, reason: "the masked-LM head needs a mask token, and its tokenizer has none")
            }
            return .maskedLanguageModel(maskTokenID: mask)
        }
        let pooler = checkpoint.tensors[prefix + "pooler.dense.weight"] != nil
        let requested = checkpoint.options.classifierLabels
        if let stored = checkpoint.tensors["classifier.weight"] {
            let labels = stored.shape.first ?? 0
            if let requested, requested != labels {
                throw ModelError.invalidConfiguration(
                    source: checkpoint.folder, reason: "its classifier has \(labels) labels but the task has \(requested) candidates")
            }
            return .classifier(labels: labels, pooler: pooler)
        }
        let labels = requested ?? configuration.labelCount ?? 2
        guard labels > 0 else {
            throw ModelError.invalidConfiguration(source: checkpoint.folder, reason: "a classifier needs at least one label")
        }
        return .classifier(labels: labels, pooler: pooler)
    }

    /// Buffers (`position_ids`, `token_type_ids`), modules no ZOTune head reads (BERT's next-sentence
    /// head; the pooler under a masked-LM head), and the MLM decoder's copies of tied tensors.
    private static func isIgnorable(
        _ name: String, variant: EncoderVariant, prefix: String, head: EncoderHead, configuration: EncoderConfiguration
    ) -> Bool {
        if name.hasSuffix("embeddings.position_ids") || name.hasSuffix("embeddings.token_type_ids") { return true }
        if variant.unusedModules.contains(where: { name.hasPrefix($0) }) { return true }
        guard case .maskedLanguageModel = head else { return false }
        return name.hasPrefix(prefix + "pooler.") || name == variant.decoder + ".bias"
            || (configuration.tieWordEmbeddings && name == variant.decoder + ".weight")
    }
}

extension EncoderHead {
    var isClassifier: Bool {
        if case .classifier = self { return true }
        return false
    }
}
